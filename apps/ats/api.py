"""The pull API for ATS clients (``/api/v1/``), documented at ``/api/schema/`` and
``/api/docs/``.

Every queryset is scoped to the API key's organization (``request.auth.organization``), plus
shipped rows for bank content; another organization's row is a 404. Lists use cursor
pagination ordered by ``updated_at`` with an ``updated_since`` filter, and cost a constant
number of queries per page. Writes validate with an input serializer, call one service of
apps.interviews, and answer with the output serializer.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.db.models.fields.json import KeyTransform
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from apps.bank.models import Anchor, Competency, Criterion, Kit, KitItem, Level, Question, Track
from apps.interviews import services
from apps.interviews.models import Application, Candidate, CandidateSession, Position, Scorecard
from apps.interviews.services import invitations

from . import filters
from .serializers import (
    ApplicationSerializer,
    CandidateIn,
    CandidateSerializer,
    CompetencySerializer,
    ErrorSerializer,
    InvitationCreatedOut,
    InvitationIn,
    KitSerializer,
    LevelSerializer,
    PositionSerializer,
    QuestionSerializer,
    SessionIn,
    SessionSerializer,
    TrackSerializer,
)


def _err(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Field errors: {field: [messages]} (DRF's error shape)."
)
AUTH = {401: _err("Missing, invalid, revoked or expired API key."), 429: _err("Throttled.")}
# A malformed cursor, page size or filter is a 400 naming the parameter (the cursor too).
LIST = {**AUTH, 400: FIELD_ERRORS}
DETAIL = {**AUTH, 404: _err("Not found (or another organization's).")}
WRITE = {
    **AUTH,
    400: FIELD_ERRORS,
    404: _err("A referenced position or candidate does not exist in your organization."),
}


def _raise_drf(exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    raise serializers.ValidationError(detail)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflicts with the current state."
    default_code = "conflict"


class OrgScoped:
    """Querysets of the key's organization only (plus shipped rows where ``shared``).

    Any path segment reaches the view (``lookup_value_regex``), so a malformed id answers the
    API's JSON 404 rather than the site's HTML one.
    """

    shared = False
    lookup_value_regex = "[^/]+"
    integer_lookup = True

    def get_object(self):
        if self.integer_lookup:
            raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
            if not str(raw).isdigit():
                raise exceptions.NotFound()
        return super().get_object()

    @property
    def organization(self):
        return self.request.auth.organization

    def get_serializer_context(self):
        # Whether the key may see each interviewer's ratings: one rule for every resource.
        context = super().get_serializer_context()
        auth = getattr(self.request, "auth", None)
        context["allow_ratings"] = bool(auth is not None and auth.allow_ratings)
        return context

    def _members(self, emails):
        """Users with these e-mails in the key's organization, or a field error."""
        users = list(
            get_user_model()
            .objects.filter(email__in=emails, memberships__organization=self.organization)
            .distinct()
        )
        missing = sorted(set(emails) - {u.email for u in users})
        if missing:
            raise serializers.ValidationError(
                {"interviewers": [f"Not members of your organization: {', '.join(missing)}."]}
            )
        return users

    def _refs(self, data):
        """The referenced position and candidate, or 404: another organization's id gets the
        same answer as an id that never existed."""
        position = Position.objects.filter(
            organization=self.organization, pk=data["position"]
        ).first()
        candidate = Candidate.objects.filter(
            organization=self.organization, pk=data["candidate"]
        ).first()
        missing = [name for name, row in (("position", position), ("candidate", candidate))
                   if row is None]  # fmt: skip
        if missing:
            raise exceptions.NotFound(f"No such {' or '.join(missing)} in your organization.")
        return position, candidate

    def scope(self, qs):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no key
            return qs.none()
        cond = Q(organization=self.organization)
        if self.shared:
            cond |= Q(organization__isnull=True)
        return qs.filter(cond)


# -- bank -------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(responses={200: TrackSerializer(many=True), **AUTH}))
class TrackViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Track.objects.all()
    serializer_class = TrackSerializer
    pagination_class = None


@extend_schema_view(list=extend_schema(responses={200: LevelSerializer(many=True), **AUTH}))
class LevelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Level.objects.all()
    serializer_class = LevelSerializer
    pagination_class = None


@extend_schema_view(list=extend_schema(responses={200: CompetencySerializer(many=True), **AUTH}))
class CompetencyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Competency.objects.prefetch_related("tracks")
    serializer_class = CompetencySerializer
    pagination_class = None


@extend_schema_view(
    list=extend_schema(responses={200: QuestionSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: QuestionSerializer, **DETAIL}),
)
class QuestionViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    """Latest versions of shipped questions and the organization's own."""

    queryset = Question.objects.none()
    shared = True
    serializer_class = QuestionSerializer
    filterset_class = filters.QuestionFilter
    lookup_field = "key"
    integer_lookup = False

    def get_queryset(self):
        return self.scope(
            Question.objects.latest()
            .select_related("competency", "track")
            .prefetch_related(
                Prefetch(
                    "criteria",
                    queryset=Criterion.objects.prefetch_related(
                        Prefetch("anchors", queryset=Anchor.objects.order_by("rating"))
                    ),
                )
            )
        )


@extend_schema_view(
    list=extend_schema(responses={200: KitSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: KitSerializer, **DETAIL}),
)
class KitViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    queryset = Kit.objects.none()
    shared = True
    serializer_class = KitSerializer
    filterset_class = filters.KitFilter
    lookup_field = "key"
    integer_lookup = False

    def get_queryset(self):
        return self.scope(
            Kit.objects.select_related("track").prefetch_related(
                Prefetch("items", queryset=KitItem.objects.select_related("question"))
            )
        )


# -- positions and candidates -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: PositionSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: PositionSerializer, **DETAIL}),
)
class PositionViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    queryset = Position.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PositionSerializer
    filterset_class = filters.PositionFilter

    def get_queryset(self):
        return self.scope(Position.objects.select_related("track", "kit"))


@extend_schema_view(
    list=extend_schema(responses={200: CandidateSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: CandidateSerializer, **DETAIL}),
)
class CandidateViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    queryset = Candidate.objects.none()
    serializer_class = CandidateSerializer
    filterset_class = filters.CandidateFilter

    def get_queryset(self):
        return self.scope(Candidate.objects.all())

    @extend_schema(
        request=CandidateIn,
        responses={
            201: CandidateSerializer,
            200: OpenApiResponse(
                CandidateSerializer,
                description="Already known (same ATS id, or same e-mail): the existing one.",
            ),
            409: _err("The e-mail belongs to a candidate with another id in this ATS."),
            **AUTH,
            400: FIELD_ERRORS,
        },
    )
    def create(self, request):
        data = _valid(CandidateIn, request)
        external = data.get("external")
        with transaction.atomic():
            existing = None
            if external:
                existing = (
                    Candidate.objects.select_for_update()
                    .filter(organization=self.organization)
                    # The key as a value, never spliced into a lookup string.
                    .alias(_external=KeyTransform(external["ats"], "external_ids"))
                    .filter(_external=external["id"])
                    .first()
                )
            if existing is None:
                existing = services.candidate_duplicate(
                    organization=self.organization, email=data["email"]
                )
                if existing is not None and external:
                    try:
                        existing = services.candidate_link_external(
                            candidate=existing, ats=external["ats"], external_id=external["id"]
                        )
                    except DjangoValidationError as exc:
                        raise Conflict(" ".join(exc.messages)) from None
            if existing is not None:
                return Response(CandidateSerializer(existing).data, status=status.HTTP_200_OK)
            try:
                candidate = services.candidate_create(
                    organization=self.organization,
                    name=data["name"],
                    email=data["email"],
                    phone=data.get("phone", ""),
                    external_ids={external["ats"]: external["id"]} if external else {},
                )
            except DjangoValidationError as exc:
                _raise_drf(exc)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)


# -- sessions ---------------------------------------------------------------------------------


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(responses={200: SessionSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: SessionSerializer, **DETAIL}),
)
class SessionViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    """Sessions with status, the credibility result and per-scorecard summaries."""

    queryset = CandidateSession.objects.none()
    serializer_class = SessionSerializer
    filterset_class = filters.SessionFilter

    def get_queryset(self):
        auth = getattr(self.request, "auth", None)
        scorecards = Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED).select_related(
            "interviewer"
        )
        if auth is not None and auth.allow_ratings:
            scorecards = scorecards.prefetch_related("ratings")
        qs = self.scope(CandidateSession.objects.select_related("invitation")).prefetch_related(
            Prefetch("scorecards", queryset=scorecards, to_attr="submitted_scorecards")
        )
        if auth is not None and auth.allow_ratings:
            qs = qs.prefetch_related("items")
        return qs

    def _out(self, session_id, code):
        session = self.get_queryset().get(pk=session_id)
        return Response(self.get_serializer(session).data, status=code)

    @extend_schema(request=SessionIn, responses={201: SessionSerializer, **WRITE})
    def create(self, request):
        """Create a live session: the position's kit is frozen into it."""
        data = _valid(SessionIn, request)
        position, candidate = self._refs(data)
        interviewers = self._members(data.get("interviewers", []))
        try:
            session = services.session_create(
                position=position, candidate=candidate, interviewers=interviewers
            )
        except DjangoValidationError as exc:
            _raise_drf(exc)
        return self._out(session.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SessionSerializer, **DETAIL})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        services.session_cancel(session=session)
        return self._out(session.pk, status.HTTP_200_OK)


class InvitationViewSet(OrgScoped, viewsets.GenericViewSet):
    serializer_class = InvitationCreatedOut

    @extend_schema(request=InvitationIn, responses={201: InvitationCreatedOut, **WRITE})
    def create(self, request):
        """Invite a candidate to a take-home. Returns the session id; the link only when
        ``return_link`` is true (it is e-mailed to the candidate either way)."""
        data = _valid(InvitationIn, request)
        position, candidate = self._refs(data)
        interviewers = self._members(data.get("interviewers", []))
        try:
            created = invitations.invitation_create(
                position=position,
                candidate=candidate,
                expires_at=data["expires_at"],
                question_keys=data.get("questions"),
                time_limit_minutes=data.get("time_limit_minutes"),
                extra_time_percent=data.get("extra_time_percent", 0),
                extra_time_minutes=data.get("extra_time_minutes", 0),
                instructions=data.get("instructions", ""),
                interviewers=interviewers,
            )
        except DjangoValidationError as exc:
            _raise_drf(exc)
        body = {
            "session": created.invitation.session_id,
            "invitation": created.invitation.pk,
            "expires_at": created.invitation.expires_at,
        }
        if data["return_link"]:
            body["link"] = invitations.takehome_link(created.token)
        return Response(InvitationCreatedOut(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ApplicationSerializer(many=True), **LIST}),
    retrieve=extend_schema(responses={200: ApplicationSerializer, **DETAIL}),
)
class ApplicationViewSet(OrgScoped, viewsets.ReadOnlyModelViewSet):
    """Applications: one candidate for one position, every stage pooled into the verdict
    (SCORING.md version 2). The result leads with the label and how likely the candidate is
    above the bar; ``score`` is null while the label is ``incomplete``."""

    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer
    filterset_class = filters.ApplicationFilter

    def get_queryset(self):
        return self.scope(Application.objects.all()).prefetch_related(
            Prefetch(
                "sessions",
                queryset=CandidateSession.objects.order_by("created_at", "pk").only(
                    "pk", "mode", "status", "kit_key", "application_id", "created_at"
                ),
            )
        )


router = DefaultRouter()
router.include_root_view = False
router.register("tracks", TrackViewSet, basename="api-track")
router.register("levels", LevelViewSet, basename="api-level")
router.register("competencies", CompetencyViewSet, basename="api-competency")
router.register("questions", QuestionViewSet, basename="api-question")
router.register("kits", KitViewSet, basename="api-kit")
router.register("positions", PositionViewSet, basename="api-position")
router.register("candidates", CandidateViewSet, basename="api-candidate")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("sessions", SessionViewSet, basename="api-session")
router.register("invitations", InvitationViewSet, basename="api-invitation")
