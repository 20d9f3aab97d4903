"""Selectors and services behind the Greenhouse endpoints (tests, orders, status, errors)."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Membership, Organization
from apps.interviews import services
from apps.interviews.models import Candidate, CandidateSession, Position
from apps.interviews.services import invitations
from apps.interviews.verdicts import LABELS, application_summary
from apps.shortlists.services import partner_report_url

from ..models import GreenhouseErrorReport, GreenhouseOrder, OrganizationAPIKey

logger = logging.getLogger(__name__)

COMPLETE = "complete"  # the one status value Greenhouse's docs fix
ID_RE = re.compile(r"[0-9]{1,18}")


def send_days() -> int:
    return int(getattr(settings, "GREENHOUSE_TEST_DAYS", 7))


def candidate_name(data: dict) -> str:
    first = (data.get("preferred_name") or data.get("first_name") or "").strip()
    return f"{first} {(data.get('last_name') or '').strip()}".strip()


def positions_as_tests(*, organization: Organization) -> list[Position]:
    """The organization's positions a take-home can be sent for, newest first.

    ``invitations.takehome_questions`` decides; it depends only on the position's track, level
    and kit, so it runs once per distinct combination rather than once per position."""
    positions = Position.objects.filter(organization=organization).select_related(
        "organization", "kit"
    )
    usable: dict[tuple[int, int, int], bool] = {}
    out = []
    for position in positions:
        key = (position.track_id, position.level_id, position.kit_id)
        if key not in usable:
            usable[key] = bool(invitations.takehome_questions(position))
        if usable[key]:
            out.append(position)
    return out


def partner_test_name(position: Position) -> str:
    return f"{position.title} ({position.client_company}) - take-home"


def _as_pk(value: str) -> int | None:
    """An id we issued (str of a primary key), else None: no int() of "²" or of 30 digits."""
    return int(value) if ID_RE.fullmatch(value) else None


def position_for_test(*, organization: Organization, partner_test_id: str) -> Position | None:
    """A position of this organization that is a test (listed by list_tests), or None."""
    pk = _as_pk(partner_test_id)
    if pk is None:
        return None
    position = (
        Position.objects.filter(organization=organization, pk=pk)
        .select_related("organization", "kit")
        .first()
    )
    if position is None or not invitations.takehome_questions(position):
        return None
    return position


def order_get(*, organization: Organization, partner_interview_id: str) -> GreenhouseOrder | None:
    pk = _as_pk(partner_interview_id)
    if pk is None:
        return None
    return (
        GreenhouseOrder.objects.filter(organization=organization, session_id=pk)
        .select_related("session__invitation")
        .first()
    )


def _open_order(
    *, organization: Organization, partner_test_id: str, email: str, url: str
) -> GreenhouseOrder | None:
    """The live order a retried send_test refers to: same test, e-mail and callback URL, and
    neither its link revoked nor its session cancelled."""
    return (
        GreenhouseOrder.objects.filter(
            organization=organization,
            partner_test_id=partner_test_id,
            callback_url=url,
            session__candidate__email_normalized=Candidate.normalize_email(email),
            session__invitation__revoked_at__isnull=True,
        )
        .exclude(session__status=CandidateSession.Status.CANCELLED)
        .order_by("-pk")
        .first()
    )


def _member_by_email(organization: Organization, email: str | None):
    """The organization's user with this e-mail (Greenhouse's sender), if there is exactly one."""
    if not email or "@" not in email:
        return None
    members = list(
        Membership.objects.filter(organization=organization, user__email__iexact=email.strip())
        .select_related("user")
        .order_by("pk")[:2]
    )
    return members[0].user if len(members) == 1 else None


def _candidate_for(*, organization: Organization, data: dict) -> Candidate:
    """The organization's candidate with this e-mail, else a new one."""
    email = data["email"]
    profile_url = data["greenhouse_profile_url"]
    candidate = services.candidate_duplicate(organization=organization, email=email)
    if candidate is None:
        try:
            return services.candidate_create(
                organization=organization,
                name=candidate_name(data),
                email=email,
                phone=data.get("phone_number") or "",
                external_ids={"greenhouse_profile_url": profile_url},
            )
        except IntegrityError:
            # Created a moment ago by a concurrent send_test for another test: use that one.
            candidate = services.candidate_duplicate(organization=organization, email=email)
            if candidate is None:
                raise
    # The first profile URL stays on the candidate (a later application has its own URL and
    # the service refuses to replace it); each order keeps its own URL in request_payload.
    with contextlib.suppress(ValidationError):
        services.candidate_link_external(
            candidate=candidate, ats="greenhouse_profile_url", external_id=profile_url
        )
    return candidate


@transaction.atomic
def greenhouse_send_test(
    *,
    organization: Organization,
    position: Position,
    data: dict,
    payload: dict,
    api_key: OrganizationAPIKey | None = None,
) -> GreenhouseOrder:
    """Create (or, for a retried request, return) the order for one Greenhouse send_test: the
    candidate, a take-home session of all the test's questions, its invitation (e-mailed after
    commit to the address Greenhouse gave) and the order remembering the callback URL."""
    # Serialise send_tests of one test, so a retry arriving during the first one finds it.
    Position.objects.select_for_update().filter(pk=position.pk).values_list("pk").first()
    partner_test_id = str(position.pk)
    cand = data["candidate"]
    existing = _open_order(
        organization=organization,
        partner_test_id=partner_test_id,
        email=cand["email"],
        url=data["url"],
    )
    if existing is not None:
        return existing
    candidate = _candidate_for(organization=organization, data=cand)
    created = invitations.invitation_create(
        position=position,
        candidate=candidate,
        expires_at=timezone.now() + timedelta(days=send_days()),
        created_by=_member_by_email(organization, data.get("sent_by")),
        email=cand["email"],
    )
    order = GreenhouseOrder(
        organization=organization,
        session=created.invitation.session,
        partner_test_id=partner_test_id,
        callback_url=data["url"],
        api_key=api_key,
        sent_by=data.get("sent_by") or "",
        request_payload=payload,
    )
    order.full_clean()
    order.save()
    return order


def greenhouse_status(order: GreenhouseOrder, *, now=None) -> dict:
    """The test_status answer for an order (keys without a value are left out)."""
    session = order.session
    invitation = getattr(session, "invitation", None)
    now = now or timezone.now()
    Status = CandidateSession.Status
    if session.status == Status.SCORED and session.result:
        # The take-home stage is scored; what Greenhouse shows is the candidate's verdict for
        # the role, every stage pooled (the application), which this stage alone cannot decide.
        application = session.application
        summary = application_summary(application.result or session.result) or {}
        low, high = summary.get("band") or (None, None)
        metadata = {
            "Label": LABELS.get(summary.get("label"), summary.get("label")),
            "Likely above the bar": None
            if summary.get("p_above") is None
            else f"{round(100 * summary['p_above'])}%",
            "Band low": low,
            "Band high": high,
            "Bar": summary.get("bar"),
            "Track fit": summary.get("track_fit"),
            "Track orientation": summary.get("track_orientation"),
            "Level fit": summary.get("level_fit"),
            "Stage": "Take-home",
        }
        if invitation is not None and invitation.submitted_at:
            metadata["Submitted at"] = invitation.submitted_at.isoformat()
        status = {
            "partner_status": COMPLETE,
            # A scoped, expiring, revocable report link (apps.shortlists); once a recruiter
            # revoked it, the login-only debrief.
            "partner_profile_url": partner_report_url(application)
            or settings.SITE_URL + reverse("interviews:application_detail", args=[application.pk]),
            "metadata": {k: v for k, v in metadata.items() if v is not None},
        }
        # No number while the verdict is incomplete: Greenhouse users filter and bulk-reject
        # on partner_score, and one stage alone cannot cover the role.
        if summary.get("score") is not None:
            status["partner_score"] = summary["score"]
        return status
    if session.status == Status.CANCELLED or (invitation and invitation.revoked_at):
        state = "cancelled"
    elif session.status in (Status.SUBMITTED, Status.SCORED):
        state = "submitted"  # answers in, not yet scored by every assigned interviewer
    elif session.status == Status.IN_PROGRESS:
        state = "in_progress"
    elif invitation is not None and invitation.started_at is None and now > invitation.expires_at:
        state = "expired"
    else:
        state = "pending"
    return {"partner_status": state}


@transaction.atomic
def greenhouse_error_record(*, organization: Organization, data: dict) -> GreenhouseErrorReport:
    report = GreenhouseErrorReport(
        organization=organization,
        api_call=data["api_call"],
        errors=data["errors"],
        partner_test_id=data.get("partner_test_id") or "",
        partner_interview_id=data.get("partner_interview_id") or "",
        candidate_email=data.get("candidate_email") or "",
    )
    report.full_clean(exclude=["errors"])  # an empty list is still a report
    report.save()
    logger.warning(
        "Greenhouse reported %s errors for org %s: %s",
        report.api_call,
        organization.pk,
        report.errors,
    )
    return report
