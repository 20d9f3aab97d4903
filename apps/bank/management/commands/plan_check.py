from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organization
from apps.bank.models import Plan
from apps.bank.plans import format_preview, simulate_plan


class Command(BaseCommand):
    help = (
        "Preview what interview plans can decide: per stage minutes and items per track, "
        "coverage, and the simulated verdicts of SCORING.md (all 3s, all 2s, a clear MES and a "
        "clear MOM profile). Without PLAN, every shipped plan; with PLAN keys, the shipped and "
        "organizations' plans of those keys. Fails when a plan breaks a rule."
    )

    def add_arguments(self, parser):
        parser.add_argument("plans", nargs="*", metavar="PLAN", help="plan key(s)")
        parser.add_argument(
            "--organization", metavar="SLUG",
            help="only this organization's plans (all of them when no PLAN is named); its slug "
            "or its id",
        )  # fmt: skip

    def handle(self, *args, plans, organization, **options):
        rows = Plan.objects.select_related("track", "organization").prefetch_related(
            "stages__kit__track", "stages__kit__items__question__competency",
            "stages__kit__items__question__track",
        )  # fmt: skip
        if organization:
            rows = rows.filter(organization=self._organization(str(organization)))
        elif not plans:
            rows = rows.filter(organization__isnull=True)
        if plans:
            rows = rows.filter(key__in=plans)
            missing = sorted(set(plans) - {p.key for p in rows})
            if missing:
                raise CommandError(f"no such plan: {', '.join(missing)}")
        failing = []
        for plan in rows.order_by("organization_id", "track__order", "level_id", "key"):
            preview = simulate_plan(plan)
            owner = f"organization {plan.organization}" if plan.organization_id else "shipped"
            self.stdout.write(f"[{owner}] {format_preview(preview)}\n")
            if preview["problems"]:
                failing.append(plan.key)
        if failing:
            raise CommandError(f"{len(failing)} plan(s) break a rule: {', '.join(failing)}")

    @staticmethod
    def _organization(value: str) -> Organization:
        org = Organization.objects.filter(slug=value).first()
        if org is None and value.isdigit():
            org = Organization.objects.filter(pk=int(value)).first()
        if org is None:
            raise CommandError(f"no such organization: {value}")
        return org
