"""Load the demo organizations, people, role briefs, candidates and sessions
(fixtures/demo/organizations.yaml). Idempotent: running it again changes nothing."""

from datetime import timedelta
from itertools import cycle
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership, Organization
from apps.bank.models import Level, Track
from apps.interviews import services
from apps.interviews.models import Candidate, CandidateSession, Position, PositionStage, Scorecard
from apps.interviews.services import invitations


class Command(BaseCommand):
    help = "Create or refresh the demo data, then print how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(settings.BASE_DIR / "fixtures" / "demo" / "organizations.yaml")
        )

    def handle(self, *args, file, **options):
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        with transaction.atomic():
            lines = self._people(data)
            if Track.objects.exists():  # the bank is imported: briefs and sessions make sense
                self._positions(data)
        # After the commit (and the demo's e-mails, printed by the console backend), so the
        # logins are the last thing on the screen.
        self.stdout.write(f"Demo logins (password: {data['password']}):")
        self.stdout.write("\n".join(lines))

    def _people(self, data) -> list[str]:
        User = get_user_model()
        lines = []
        for org_data in data["organizations"]:
            org, _ = Organization.objects.update_or_create(
                slug=org_data["slug"], defaults={"name": org_data["name"]}
            )
            for m in org_data["members"]:
                user, created = User.objects.get_or_create(
                    username=m["username"],
                    defaults={
                        "email": m["email"],
                        "first_name": m["first_name"],
                        "last_name": m["last_name"],
                    },
                )
                if created:
                    user.set_password(data["password"])
                # Organization members never get the admin: it sees every tenant.
                user.is_staff = user.is_superuser = False
                user.save()
                Membership.objects.update_or_create(
                    user=user, organization=org, defaults={"role": m["role"]}
                )
                lines.append(f"  {m['username']:<13} {m['role']:<12} {org.name}")
        for m in data.get("platform_staff", []):
            user, created = User.objects.get_or_create(
                username=m["username"],
                defaults={k: m[k] for k in ("email", "first_name", "last_name")},
            )
            if created:
                user.set_password(data["password"])
            user.is_staff = user.is_superuser = True
            user.save()
            lines.append(f"  {m['username']:<13} {'staff':<12} platform staff: /admin/ only")
        return lines

    def _positions(self, data) -> None:
        for p in data.get("positions", []):
            org = Organization.objects.get(slug=p["organization"])
            # Found by its demo key, never by title: a user's own brief may share the title.
            if Position.objects.filter(organization=org, demo_key=p["title"]).exists():
                continue
            track = Track.objects.get(key=p["track"])
            kit = services.kit_suggest(organization=org, track_key=track.key, level=p["level"])
            position = services.position_create(
                organization=org,
                created_by=None,
                client_company=p["client_company"],
                title=p["title"],
                track=track,
                level=Level.objects.get(number=p["level"]),
                job_description=p["job_description"],
                kit=kit,
            )
            Position.objects.filter(pk=position.pk).update(demo_key=p["title"])
        for c in data.get("candidates", []):
            org = Organization.objects.get(slug=c["organization"])
            if services.candidate_duplicate(organization=org, email=c["email"]) is None:
                services.candidate_create(organization=org, name=c["name"], email=c["email"])
        org_of = {c["email"].lower(): c["organization"] for c in data.get("candidates", [])}
        for a in data.get("applications", []):
            org = Organization.objects.get(slug=org_of[a["candidate"]])
            position = Position.objects.get(organization=org, demo_key=a["position"])
            candidate = Candidate.objects.get(organization=org, email_normalized=a["candidate"])
            for stage_data in a["stages"]:
                self._stage(position, candidate, stage_data)

    def _stage(self, position: Position, candidate: Candidate, data: dict) -> None:
        """Run one plan stage for a demo candidate, once: create it (a take-home is answered
        and submitted), then each listed interviewer rates it and submits."""
        User = get_user_model()
        stage = position.stages.get(name=data["stage"])
        if CandidateSession.objects.filter(
            candidate=candidate, position=position, stage=stage
        ).exists():
            return
        interviewers = [User.objects.get(username=u) for u in data["interviewers"]]
        if stage.mode == PositionStage.Mode.TAKE_HOME:
            created = invitations.invitation_create(
                position=position,
                candidate=candidate,
                expires_at=timezone.now() + timedelta(days=7),
                interviewers=interviewers,
            )
            invitation = invitations.takehome_start(invitation=created.invitation)
            session = invitation.session
            for item in session.items.all():
                invitations.answer_save(
                    invitation=invitation, item_id=item.pk, text=data["answer"], version=0
                )
            invitations.takehome_submit(invitation=invitation)
        else:
            session = services.session_create(
                position=position, candidate=candidate, stage=stage, interviewers=interviewers
            )
        for user in interviewers:
            ratings = data.get("ratings", {}).get(user.username)
            if not ratings:
                continue
            card = services.scorecard_for(session=session, interviewer=user)
            draft = services.ScorecardData()
            values = cycle(ratings) if isinstance(ratings, list) else None
            for item in session.items.all():
                value = next(values) if values else ratings[item.track_tag]
                for crit in item.rubric:
                    draft.ratings[(item.pk, crit["key"])] = value
            draft.recommendation = data["recommendations"][user.username]
            draft.overall_notes = "Demo scorecard."
            services.scorecard_save_draft(scorecard=card, data=draft)
            services.scorecard_submit(scorecard=Scorecard.objects.get(pk=card.pk))
