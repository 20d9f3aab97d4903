"""Greenhouse Assessment Partner API: the four endpoints Greenhouse calls on us, and the PATCH
we send back when a test it ordered is scored.

Shapes and status codes follow Greenhouse's documentation, "Assessment API"
(https://developers.greenhouse.io/assessment.html, source in github.com/grnhse/greenhouse-api-docs,
change log up to 19 Oct 2023):

- Every call is HTTP Basic over HTTPS: the organization's API key as the username, an empty
  password. Failed authentication is 401, an unknown resource 404; success is 2xx.
- ``GET list_tests`` -> ``[{"partner_test_id": "12345", "partner_test_name": "My First Test"}]``.
  A test here is a position whose take-home kit has written or scenario questions.
- ``POST send_test`` with ``{"partner_test_id", "candidate": {"first_name", "last_name",
  "resume_url", "phone_number", "email", "greenhouse_profile_url"}, "url"}`` (required:
  partner_test_id, first_name, last_name, email, greenhouse_profile_url, url) ->
  ``{"partner_interview_id": "98765"}`` (a string). We e-mail the test to ``email``.
  ``preferred_name`` and ``sent_by`` are not in the documented payload; they are used when sent.
- PATCH to that ``url`` with no parameters when the test is completed (greenhouse_tasks.py).
- ``GET test_status?partner_interview_id=...`` -> ``{"partner_status", "partner_profile_url",
  "partner_score", "metadata"}``: status ``"complete"`` once results are available (Greenhouse
  stops asking then), other values are ours; the profile URL is required when complete; the
  metadata is a flat object of JavaScript primitives shown in Greenhouse's test results.
- ``POST request_errors`` (the documented example URL; "response_error" in the docs' prose)
  with ``{"api_call", "errors", "partner_test_id", "partner_test_name", "partner_interview_id",
  "candidate_email"}`` -> 200 ``{"status": 200}``.

The docs give no body for errors; ours use DRF's ``{"detail": "..."}`` (plus ``"errors"`` by
field on a 400). Everything is scoped to the API key's organization: another tenant's test or
interview id is a 404, as is a session Greenhouse did not order.
"""

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
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Membership, Organization
from apps.interviews import invitations, services
from apps.interviews.models import Candidate, CandidateSession, Position

from .auth import APIKeyThrottle, BasicAPIKeyAuthentication, HasOrganizationAPIKey
from .greenhouse_tasks import greenhouse_notify, url_problem
from .models import GreenhouseErrorReport, GreenhouseOrder

logger = logging.getLogger(__name__)

COMPLETE = "complete"  # the one status value Greenhouse's docs fix
ID_RE = re.compile(r"[0-9]{1,18}")


def send_days() -> int:
    return int(getattr(settings, "GREENHOUSE_TEST_DAYS", 7))


# -- serializers ------------------------------------------------------------------------------
# Optional fields accept null: Greenhouse sends null for a property without a value.


class GreenhouseTestOut(serializers.Serializer):
    partner_test_id = serializers.CharField()
    partner_test_name = serializers.CharField()


class GreenhouseCandidateIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, allow_blank=True)
    preferred_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    email = serializers.EmailField(max_length=254)
    phone_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, allow_null=True
    )
    resume_url = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    greenhouse_profile_url = serializers.URLField(max_length=1000)


class GreenhouseSendTestIn(serializers.Serializer):
    partner_test_id = serializers.CharField(max_length=100)
    candidate = GreenhouseCandidateIn()
    url = serializers.URLField(max_length=1000)
    sent_by = serializers.CharField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )

    def validate_url(self, value: str) -> str:
        problem = url_problem(value, resolve=False)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class GreenhouseSendTestOut(serializers.Serializer):
    partner_interview_id = serializers.CharField()


class GreenhouseTestStatusOut(serializers.Serializer):
    partner_status = serializers.CharField(
        help_text='"pending", "in_progress", "submitted", "complete", "expired" or "cancelled".'
    )
    partner_profile_url = serializers.URLField(
        required=False, help_text="The debrief page; present when complete."
    )
    partner_score = serializers.FloatField(
        required=False, help_text="Credibility score 0-100; present when complete."
    )
    metadata = serializers.DictField(
        required=False, help_text="Flat; values are strings, numbers or booleans."
    )


class GreenhouseErrorReportIn(serializers.Serializer):
    api_call = serializers.CharField(max_length=100)
    errors = serializers.ListField(child=serializers.JSONField())
    partner_test_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    partner_test_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    partner_interview_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    candidate_email = serializers.CharField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )


class GreenhouseErrorReportOut(serializers.Serializer):
    status = serializers.IntegerField(default=200)


class GreenhouseErrorOut(serializers.Serializer):
    detail = serializers.CharField()


class GreenhouseInvalidOut(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(help_text="Messages by field, nested like the request.")


# -- selectors and services -------------------------------------------------------------------


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
            session__candidate__email_normalized=email.strip().lower(),
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
    *, organization: Organization, position: Position, data: dict, payload: dict
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
        sent_by=data.get("sent_by") or "",
        request_payload=_without_nul(payload),
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
        result = session.result
        low, high = result["band"]
        track = result.get("track", {})
        metadata = {
            "Label": result.get("label"),
            "Band low": low,
            "Band high": high,
            "Track fit": track.get("fit"),
            "Track orientation": track.get("orientation"),
            "Level fit": result.get("level_fit"),
        }
        if invitation is not None and invitation.submitted_at:
            metadata["Submitted at"] = invitation.submitted_at.isoformat()
        return {
            "partner_status": COMPLETE,
            "partner_profile_url": settings.SITE_URL
            + reverse("interviews:debrief", args=[session.pk]),
            "partner_score": result["score"],
            "metadata": {k: v for k, v in metadata.items() if v is not None},
        }
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
def _without_nul(value):
    """PostgreSQL's jsonb and text cannot hold NUL: drop it from what we store verbatim."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def greenhouse_error_record(*, organization: Organization, data: dict) -> GreenhouseErrorReport:
    data = _without_nul(data)
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


# -- views ------------------------------------------------------------------------------------


def invalid(serializer_errors, message: str) -> Response:
    return Response({"detail": message, "errors": serializer_errors}, status=400)


def _errors(*codes: int) -> dict:
    texts = {
        400: (GreenhouseInvalidOut, "Malformed JSON or missing/invalid fields."),
        401: (GreenhouseErrorOut, "Unsuccessful authentication with the provided API key."),
        404: (GreenhouseErrorOut, "The requested resource could not be found."),
        429: (GreenhouseErrorOut, "Too many requests for this API key."),
    }
    return {
        code: OpenApiResponse(response=texts[code][0], description=texts[code][1]) for code in codes
    }


class GreenhouseView(APIView):
    """Basic auth with an organization API key; every query is scoped to its organization."""

    authentication_classes = [BasicAPIKeyAuthentication]
    permission_classes = [HasOrganizationAPIKey]
    throttle_classes = [APIKeyThrottle]

    @property
    def organization(self) -> Organization:
        return self.request.auth.organization

    def handle_exception(self, exc):
        # A service refusing the request (its full_clean or a rule) is the client's 400.
        if isinstance(exc, ParseError):  # malformed JSON: still the documented 400 shape
            return invalid({"body": [str(exc.detail)]}, "Malformed JSON.")
        if isinstance(exc, ValidationError):
            errors = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"non_field_errors": exc.messages}
            )
            return invalid(errors, "The request could not be carried out.")
        return super().handle_exception(exc)


class ListTests(GreenhouseView):
    """The organization's positions that have take-home questions, as Greenhouse tests."""

    @extend_schema(
        operation_id="greenhouse_list_tests",
        tags=["Greenhouse"],
        summary="Tests this organization offers (positions with take-home questions)",
        responses={200: GreenhouseTestOut(many=True), **_errors(401, 429)},
    )
    def get(self, request):
        tests = [
            {"partner_test_id": str(p.pk), "partner_test_name": partner_test_name(p)}
            for p in positions_as_tests(organization=self.organization)
        ]
        return Response(GreenhouseTestOut(tests, many=True).data)


class SendTest(GreenhouseView):
    """Create (or reuse) the candidate, a take-home session and its e-mailed invitation.

    A retry of the same request (same test, candidate e-mail and url) while its test is live
    answers with the same partner_interview_id instead of sending a second test."""

    @extend_schema(
        operation_id="greenhouse_send_test",
        tags=["Greenhouse"],
        summary="Send a take-home test to a candidate",
        request=GreenhouseSendTestIn,
        responses={200: GreenhouseSendTestOut, **_errors(400, 401, 404, 429)},
    )
    def post(self, request):
        serializer = GreenhouseSendTestIn(data=_without_nul(request.data))
        if not serializer.is_valid():
            return invalid(serializer.errors, "Invalid send_test request.")
        data = serializer.validated_data
        position = position_for_test(
            organization=self.organization, partner_test_id=data["partner_test_id"]
        )
        if position is None:
            raise NotFound("No test with this partner_test_id.")
        order = greenhouse_send_test(
            organization=self.organization, position=position, data=data, payload=request.data
        )
        return Response(GreenhouseSendTestOut({"partner_interview_id": str(order.session_id)}).data)


class TestStatus(GreenhouseView):
    """``complete`` with score, debrief URL and metadata once every assigned interviewer has
    scored the answers; before that pending, in_progress, submitted, expired or cancelled."""

    @extend_schema(
        operation_id="greenhouse_test_status",
        tags=["Greenhouse"],
        summary="The status and, once complete, the result of a test sent to a candidate",
        parameters=[
            OpenApiParameter(
                "partner_interview_id",
                {"type": "string", "minLength": 1},
                OpenApiParameter.QUERY,
                required=True,
                description="The id send_test answered with.",
            )
        ],
        responses={200: GreenhouseTestStatusOut, **_errors(400, 401, 404, 429)},
    )
    def get(self, request):
        interview_id = request.query_params.get("partner_interview_id", "").strip()
        if not interview_id:
            return invalid(
                {"partner_interview_id": ["This parameter is required."]},
                "Invalid test_status request.",
            )
        order = order_get(organization=self.organization, partner_interview_id=interview_id)
        if order is None:
            raise NotFound("No test was sent with this partner_interview_id.")
        return Response(greenhouse_status(order))


class RequestErrors(GreenhouseView):
    """Greenhouse could not use one of our responses: the report is kept for admins."""

    @extend_schema(
        operation_id="greenhouse_request_errors",
        tags=["Greenhouse"],
        summary="Greenhouse reports a response of ours it could not use",
        request=GreenhouseErrorReportIn,
        responses={200: GreenhouseErrorReportOut, **_errors(400, 401, 429)},
    )
    def post(self, request):
        serializer = GreenhouseErrorReportIn(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors, "Invalid error report.")
        greenhouse_error_record(organization=self.organization, data=serializer.validated_data)
        return Response({"status": status.HTTP_200_OK})


# -- domain events ----------------------------------------------------------------------------


def on_event(event: str, obj) -> None:
    """On ``session.scored`` of a session Greenhouse ordered, PATCH its URL after commit.

    Runs inside the scoring transaction; ``robust`` keeps a failure to queue (or, with eager
    Celery, to deliver) from turning a committed scorecard submit into an error page."""
    if event != "session.scored":
        return
    order_id = (
        GreenhouseOrder.objects.filter(session_id=obj.pk)
        .exclude(callback_url="")
        .values_list("pk", flat=True)
        .first()
    )
    if order_id is not None:
        transaction.on_commit(lambda: greenhouse_notify.delay(order_id), robust=True)
