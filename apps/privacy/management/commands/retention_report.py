"""Dry run of the retention job: who would be erased, and why, without changing anything.

manage.py retention_report [--org SLUG]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.accounts.models import Organization
from apps.privacy import retention


class Command(BaseCommand):
    help = "Print who the retention job would list or erase (a dry run: nothing changes)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organization (its slug).")

    def handle(self, *args, org=None, **options):
        organizations = Organization.objects.order_by("pk")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"--org: no organization with slug {org!r}.")
        now = timezone.now()
        total = 0
        for organization in organizations:
            due = retention.due_candidates(organization, now=now)
            months = organization.retention_months
            self.stdout.write(
                f"{organization.slug}: {len(due)} due (retention {months} months, "
                f"decisions before {retention.cutoff(organization, now):%Y-%m-%d})"
            )
            for entry in due:
                if entry.erasable(now):
                    when = "would be erased at the next run"
                elif entry.listed_at:
                    after = entry.erase_after(now)
                    when = f"listed {entry.listed_at:%Y-%m-%d}, erased from {after:%Y-%m-%d}"
                else:
                    when = "would be listed at the next run"
                self.stdout.write(
                    f"  #{entry.candidate.pk} {entry.candidate.name}: final decision "
                    f"{entry.final_at:%Y-%m-%d}, over {months} months ago; {when}"
                )
            total += len(due)
        self.stdout.write(f"{total} candidate(s) due in all; nothing was changed.")
