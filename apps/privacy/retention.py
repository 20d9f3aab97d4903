"""Retention: anonymise candidates ``Organization.retention_months`` after the final decision.

Rules it keeps:
- A candidate is due when every application of theirs is final (hired, rejected, withdrawn)
  with ``state_changed_at`` older than the period, none is on legal hold, and they are not yet
  erased. A candidate with no application at all is due once their row is older than the period
  (nobody decided anything, so nothing justifies keeping them longer).
- Dry run first: a run lists who is due (``RetentionNotice``) and erases only those a run listed
  at least ``GRACE_DAYS`` earlier, so an admin sees the list (``/privacy/retention/``) and can
  place a legal hold in time. Whoever stops being due loses the notice.
- One organization never affects another; the clock is a parameter (``now=``) so tests can
  freeze it without touching the database.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Organization
from apps.interviews.models import Application, Candidate

from .models import RetentionNotice, RetentionRun
from .services import ErasureRefused, erase_candidate

logger = logging.getLogger(__name__)

#: Days between the first dry run that lists a candidate and the run that may erase them.
GRACE_DAYS = 7
FINAL_STATES = (
    Application.State.HIRED,
    Application.State.REJECTED,
    Application.State.WITHDRAWN,
)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (31 March - 1 month = 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoff(organization: Organization, now: datetime) -> datetime:
    return months_before(now, organization.retention_months)


@dataclass(frozen=True)
class Due:
    """One candidate due for anonymisation, and since when (the last final decision)."""

    candidate: Candidate
    final_at: datetime
    listed_at: datetime | None  # when a run first listed them; None: not listed yet

    def erase_after(self, now: datetime) -> datetime:
        return (self.listed_at or now) + timedelta(days=GRACE_DAYS)

    def erasable(self, now: datetime) -> bool:
        return self.listed_at is not None and self.listed_at <= now - timedelta(days=GRACE_DAYS)


def due_candidates(organization: Organization, *, now: datetime | None = None) -> list[Due]:
    """Who is due in ``organization`` at ``now``, oldest decision first (two queries)."""
    now = now or timezone.now()
    limit = cutoff(organization, now)
    applications = Application.objects.filter(candidate=OuterRef("pk"))
    blocking = applications.filter(
        ~Q(state__in=FINAL_STATES)
        | Q(state_changed_at__isnull=True)
        | Q(state_changed_at__gt=limit)
        | Q(legal_hold=True)
    )
    candidates = (
        Candidate.objects.filter(organization=organization, erased_at__isnull=True)
        .annotate(
            has_application=Exists(applications),
            blocked=Exists(blocking),
            final_at=Coalesce(Max("applications__state_changed_at"), "created_at"),
        )
        .filter(blocked=False)
        .filter(Q(has_application=True) | Q(created_at__lte=limit))
        .order_by("final_at", "pk")
    )
    rows = list(candidates)
    notices = dict(
        RetentionNotice.objects.filter(candidate__in=[c.pk for c in rows]).values_list(
            "candidate_id", "first_listed_at"
        )
    )
    return [Due(c, c.final_at, notices.get(c.pk)) for c in rows]


def retention_run(organization: Organization, *, now: datetime | None = None) -> RetentionRun:
    """One run for one organization: list who is due, erase who was listed long enough ago,
    and store the run. Each erasure is its own transaction: a hold placed meanwhile refuses
    that one candidate and the run goes on."""
    now = now or timezone.now()
    due = due_candidates(organization, now=now)
    due_ids = [d.candidate.pk for d in due]
    with transaction.atomic():
        RetentionNotice.objects.filter(organization=organization).exclude(
            candidate_id__in=due_ids
        ).delete()
        RetentionNotice.objects.bulk_create(
            [
                RetentionNotice(
                    organization=organization, candidate=d.candidate, first_listed_at=now
                )
                for d in due
                if d.listed_at is None
            ]
        )
    erased, refused = [], []
    for entry in due:
        if not entry.erasable(now):
            continue
        try:
            erase_candidate(
                candidate=entry.candidate,
                actor=None,
                reason=f"Retention: {organization.retention_months} months after the final "
                "decision.",
            )
        except ErasureRefused:
            refused.append(entry.candidate.pk)
        else:
            erased.append(entry.candidate.pk)
    RetentionNotice.objects.filter(candidate_id__in=erased).delete()
    return RetentionRun.objects.create(
        organization=organization,
        ran_at=now,
        retention_months=organization.retention_months,
        due=[
            {
                "candidate": d.candidate.pk,
                "final_at": d.final_at.isoformat(),
                "listed_at": (d.listed_at or now).isoformat(),
            }
            for d in due
        ],
        erased=erased,
        refused=refused,
    )


def apply_retention(*, now: datetime | None = None) -> list[RetentionRun]:
    """Run retention for every organization (the daily beat task)."""
    now = now or timezone.now()
    runs = []
    for organization in Organization.objects.order_by("pk"):
        run = retention_run(organization, now=now)
        if run.erased:
            logger.info("retention: %s erased %d candidates", organization.slug, len(run.erased))
        runs.append(run)
    return runs
