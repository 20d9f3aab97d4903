"""Retention (issue 14) with a frozen clock (``now=``): not due at 23 months, listed by the dry
run at 24, erased only after the grace period, a legal hold blocks it, other organizations
are untouched; the report command changes nothing; the beat runs the task daily."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.interviews import services
from apps.interviews.models import Application, Candidate
from apps.privacy import retention
from apps.privacy import services as privacy
from apps.privacy.models import RetentionNotice, RetentionRun
from apps.privacy.tasks import apply_retention
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db

DECIDED = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)


def decided_candidate(organization, name: str, *, state="rejected", at=DECIDED, kit=None):
    position = make_position(organization, kit or make_kit(2), title=f"Role for {name}")
    candidate = services.candidate_create(
        organization=organization, name=name, email=f"{name.split()[0].lower()}@example.com"
    )
    application = services.application_for(candidate=candidate, position=position)
    Application.objects.filter(pk=application.pk).update(state=state, state_changed_at=at)
    return candidate


def months_after(months: int, days: int = 0) -> datetime:
    return retention.months_before(DECIDED, -months) + timedelta(days=days)


def erased(candidate: Candidate) -> bool:
    return Candidate.objects.get(pk=candidate.pk).erased_at is not None


def test_months_before_keeps_the_calendar():
    assert retention.months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert retention.months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(
        2024, 1, 15, tzinfo=UTC
    )


def test_not_due_at_23_months_listed_at_24_erased_after_the_grace(org):
    candidate = decided_candidate(org, "Rae Ruiz")  # retention_months defaults to 24

    run = retention.retention_run(org, now=months_after(23, days=27))
    assert run.due == [] and run.erased == []
    assert not RetentionNotice.objects.exists()

    listed_at = months_after(24, days=1)
    run = retention.retention_run(org, now=listed_at)
    assert [d["candidate"] for d in run.due] == [candidate.pk] and run.erased == []
    assert RetentionNotice.objects.get().first_listed_at == listed_at
    assert not erased(candidate)

    run = retention.retention_run(org, now=listed_at + timedelta(days=6, hours=23))
    assert run.erased == [] and not erased(candidate)
    # The dry-run list keeps the first listing date (the grace does not restart).
    assert run.due[0]["listed_at"] == listed_at.isoformat()

    run = retention.retention_run(org, now=listed_at + timedelta(days=7))
    assert run.erased == [candidate.pk] and erased(candidate)
    assert not RetentionNotice.objects.exists()
    assert RetentionRun.objects.filter(organization=org).count() == 4
    # Runs hold ids and dates, never a name.
    assert "Rae" not in str(list(RetentionRun.objects.values_list("due", "erased")))

    run = retention.retention_run(org, now=listed_at + timedelta(days=8))
    assert run.due == []  # an erased candidate is never due again


def test_an_active_application_or_a_hold_keeps_the_candidate(org, org_admin):
    kit = make_kit(2)
    active = decided_candidate(org, "Ann Active", kit=kit)
    position = make_position(org, kit, title="Second role")
    services.application_for(candidate=active, position=position)  # still active
    held = decided_candidate(org, "Hal Held", kit=kit)
    privacy.legal_hold_set(
        application=Application.objects.get(candidate=held), by=org_admin, reason="Claim 9"
    )
    hired = decided_candidate(org, "Hil Hired", state="hired", kit=kit)

    start = months_after(25)
    retention.retention_run(org, now=start)
    run = retention.retention_run(org, now=start + timedelta(days=8))
    assert run.erased == [hired.pk]
    assert not erased(active) and not erased(held)


def test_a_hold_placed_during_the_grace_stops_the_erasure(org, org_admin):
    candidate = decided_candidate(org, "Gus Grace")
    start = months_after(24, days=2)
    retention.retention_run(org, now=start)
    application = Application.objects.get(candidate=candidate)
    privacy.legal_hold_set(application=application, by=org_admin, reason="Subject access dispute")
    run = retention.retention_run(org, now=start + timedelta(days=10))
    assert run.due == [] and not erased(candidate)
    assert not RetentionNotice.objects.exists()  # the grace starts again after the hold

    privacy.legal_hold_clear(application=application, by=org_admin)
    run = retention.retention_run(org, now=start + timedelta(days=11))
    assert run.erased == [] and not erased(candidate)
    run = retention.retention_run(org, now=start + timedelta(days=18))
    assert run.erased == [candidate.pk]


def test_other_organizations_follow_their_own_period(org, other_org):
    other_org.retention_months = 48
    other_org.save()
    ours = decided_candidate(org, "Uma Ours")
    theirs = decided_candidate(other_org, "Tia Theirs")

    start = months_after(30)
    retention.apply_retention(now=start)
    runs = retention.apply_retention(now=start + timedelta(days=8))
    by_org = {r.organization_id: r for r in runs}
    assert by_org[org.pk].erased == [ours.pk]
    assert by_org[other_org.pk].due == [] and not erased(theirs)
    assert Candidate.objects.get(pk=theirs.pk).name == "Tia Theirs"


def test_a_candidate_without_applications_is_due_from_their_creation(org):
    candidate = services.candidate_create(organization=org, name="Nia None", email="n@x.example")
    Candidate.objects.filter(pk=candidate.pk).update(created_at=DECIDED)
    assert [d.candidate.pk for d in retention.due_candidates(org, now=months_after(24, 1))] == [
        candidate.pk
    ]
    assert retention.due_candidates(org, now=months_after(23)) == []


def test_the_report_command_prints_who_and_why_and_changes_nothing(org):
    candidate = decided_candidate(org, "Rex Report")
    Application.objects.filter(candidate=candidate).update(
        state_changed_at=datetime(2000, 1, 1, tzinfo=UTC)
    )
    out = io.StringIO()
    call_command("retention_report", stdout=out)
    text = out.getvalue()
    assert f"#{candidate.pk} Rex Report: final decision 2000-01-01, over 24 months ago" in text
    assert "would be listed at the next run" in text
    assert "nothing was changed" in text
    assert not RetentionRun.objects.exists() and not RetentionNotice.objects.exists()
    assert not erased(candidate)


def test_the_report_command_refuses_an_unknown_organization(org):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command("retention_report", "--org", "nope", stdout=io.StringIO())


def test_the_beat_runs_retention_daily(org, other_org):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]
    assert entry["task"] == apply_retention.name == "apps.privacy.tasks.apply_retention"
    assert entry["schedule"] == 24 * 3600.0
    candidate = decided_candidate(org, "Tess Task", at=datetime(2000, 1, 1, tzinfo=UTC))
    assert apply_retention.delay().get() == 0  # listed today, erased a week later at the earliest
    assert RetentionRun.objects.count() == 2
    assert RetentionNotice.objects.get().candidate_id == candidate.pk
