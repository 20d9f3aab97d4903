"""Input and output shapes of the ATS REST API.

Inputs reject unknown fields (a typo must not be silently ignored) and answer DRF's error shape:
``{"field": ["message"]}`` or ``{"detail": "message"}``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.bank.models import Competency, Kit, Level, Question, Track
from apps.interviews.models import Application, Candidate, CandidateSession, Position

_JSON_TYPES = (
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.ListField, (list,), "a list"),
    (serializers.DictField, (dict,), "an object"),
    (serializers.Serializer, (dict,), "an object"),
    (serializers.CharField, (str,), "a string"),  # also Email/Regex fields
    (serializers.DateTimeField, (str,), "a date-time string"),
)


def _json_type_error(field, value) -> str | None:
    for kind, types, name in _JSON_TYPES:
        if isinstance(field, kind):
            ok = isinstance(value, types) and not (
                kind is serializers.IntegerField and isinstance(value, bool)
            )
            return None if ok else f"Must be {name}."
    return None


class StrictInput(serializers.Serializer):
    """Refuse fields the operation does not define, and values of the wrong JSON type (DRF
    would otherwise coerce "5" to 5 or 0 to "0", hiding a client's bug)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
            for name, field in self.fields.items():
                if name in data and data[name] is not None:
                    problem = _json_type_error(field, data[name])
                    child = getattr(field, "child", None)
                    if problem is None and child is not None and isinstance(data[name], list):
                        problem = next(
                            (p for v in data[name] if (p := _json_type_error(child, v))), None
                        )
                    if problem:
                        errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# -- bank -------------------------------------------------------------------------------------


class TrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["key", "name", "description"]


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["number", "name"]


class CompetencySerializer(serializers.ModelSerializer):
    tracks = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Competency
        fields = ["key", "name", "isa95_area", "tracks"]


class AnchorsField(serializers.DictField):
    child = serializers.CharField()


class CriterionOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.FloatField()
    anchors = AnchorsField(help_text="Rating (0-4) -> what an answer at that rating contains.")


class RedFlagOut(serializers.Serializer):
    text = serializers.CharField()
    critical = serializers.BooleanField()


class QuestionSerializer(serializers.ModelSerializer):
    competency = serializers.CharField(source="competency.key")
    track = serializers.CharField(source="track_tag", help_text="plant, enterprise or core")
    level = serializers.IntegerField(source="level_id")
    shipped = serializers.SerializerMethodField()
    red_flags = RedFlagOut(many=True)
    key_points = serializers.ListField(child=serializers.CharField())
    follow_ups = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())
    rubric = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "key", "version", "competency", "track", "level", "kind", "status", "prompt",
            "guidance", "key_points", "follow_ups", "red_flags", "sources", "expected_minutes",
            "rubric", "shipped", "updated_at",
        ]  # fmt: skip

    def get_shipped(self, obj) -> bool:
        return obj.organization_id is None

    @extend_schema_field(CriterionOut(many=True))
    def get_rubric(self, obj) -> list[dict]:
        return CriterionOut(
            [
                {
                    "key": c.key,
                    "label": c.label,
                    "weight": c.weight,
                    "anchors": {str(a.rating): a.text for a in c.anchors.all()},
                }
                for c in obj.criteria.all()
            ],
            many=True,
        ).data


class KitItemOut(serializers.Serializer):
    question = serializers.CharField()
    weight = serializers.FloatField()


class KitSerializer(serializers.ModelSerializer):
    track = serializers.CharField(source="track.key")
    level = serializers.IntegerField(source="level_id")
    competency_weights = serializers.DictField(child=serializers.FloatField())
    items = serializers.SerializerMethodField()
    shipped = serializers.SerializerMethodField()

    class Meta:
        model = Kit
        fields = [
            "key", "name", "track", "level", "take_home", "description", "competency_weights",
            "items", "shipped", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(KitItemOut(many=True))
    def get_items(self, obj) -> list[dict]:
        return KitItemOut(
            [{"question": i.question.key, "weight": i.weight} for i in obj.items.all()], many=True
        ).data

    def get_shipped(self, obj) -> bool:
        return obj.organization_id is None


# -- positions and candidates -----------------------------------------------------------------


class BriefCheckOut(serializers.Serializer):
    reading = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class PositionSerializer(serializers.ModelSerializer):
    track = serializers.CharField(source="track.key")
    level = serializers.IntegerField(source="level_id")
    kit = serializers.CharField(source="kit.key")
    competency_weights = serializers.DictField(child=serializers.FloatField())
    brief_check = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "id", "client_company", "title", "track", "level", "kit", "competency_weights",
            "brief_check", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(BriefCheckOut)
    def get_brief_check(self, obj) -> dict:
        check = obj.brief_check or {}
        return BriefCheckOut(
            {
                "reading": check.get("reading", "unclear"),
                "warnings": [w.get("code", "") for w in check.get("warnings", [])],
            }
        ).data


class CandidateSerializer(serializers.ModelSerializer):
    external_ids = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = Candidate
        fields = ["id", "name", "email", "phone", "external_ids", "created_at", "updated_at"]


# Text must hold a visible character: the pattern says so in the schema, so a value that is
# only white space is invalid for clients and fuzzers alike, not silently "blank".
VISIBLE = r"^[\s\S]*\S[\s\S]*$"


class ExternalIdIn(StrictInput):
    # A plain slug: words of letters and digits joined by single - or _. The name becomes a
    # JSON key in a database lookup, so "__" (Django's lookup separator) must never pass.
    ats = serializers.RegexField(
        r"^(?=.{1,40}$)[a-z0-9]+(?:[-_][a-z0-9]+)*$",
        help_text="The ATS's name, e.g. greenhouse, lever, workday.",
    )
    id = serializers.RegexField(VISIBLE, max_length=100, help_text="The candidate's id there.")


class CandidateIn(StrictInput):
    name = serializers.RegexField(VISIBLE, max_length=200)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    external = ExternalIdIn(
        required=False,
        help_text="The ATS's own id: creating twice with the same one returns the same candidate.",
    )


# -- sessions ---------------------------------------------------------------------------------


class RoleOut(serializers.Serializer):
    track = serializers.CharField()
    level = serializers.IntegerField()
    weights = serializers.DictField(child=serializers.FloatField())


class CompetencyResultOut(serializers.Serializer):
    observed = serializers.FloatField(allow_null=True)
    estimate = serializers.FloatField()
    se = serializers.FloatField()
    n_eff = serializers.FloatField()


class TrackFitOut(serializers.Serializer):
    plant = serializers.FloatField(allow_null=True)
    enterprise = serializers.FloatField(allow_null=True)
    lean = serializers.FloatField(allow_null=True)
    se_lean = serializers.FloatField(allow_null=True)
    orientation = serializers.CharField()
    fit = serializers.CharField()


class NextEvidenceOut(serializers.Serializer):
    competency = serializers.CharField()
    band_halfwidth = serializers.FloatField(
        help_text="The band's half-width (0-100 scale) with one more live item of it."
    )


class ResultOut(serializers.Serializer):
    """A stored result. Version 2 results add ``bar``, ``p_above`` and ``next_evidence``;
    results computed under version 1 keep their shape and version string until a rescore."""

    label = serializers.CharField(help_text="above_bar | borderline | below_bar | incomplete")
    p_above = serializers.FloatField(
        required=False, allow_null=True, help_text="How likely the true score is above the bar."
    )
    score = serializers.FloatField(
        allow_null=True, help_text="Null when the label is incomplete: one stage cannot decide."
    )
    band = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    bar = serializers.FloatField(required=False, allow_null=True)
    se = serializers.FloatField()
    coverage = serializers.FloatField()
    competencies = serializers.DictField(child=CompetencyResultOut())
    track = TrackFitOut()
    level_fit = serializers.CharField(help_text='"1"-"4" or "none"')
    flags = serializers.ListField(child=serializers.DictField())
    next_evidence = NextEvidenceOut(many=True, required=False)
    scoring_version = serializers.CharField()


def result_out(result: dict | None, *, allow_ratings: bool = False) -> dict | None:
    """A stored result as the API shows it: level fit as text, and no number when the label is
    ``incomplete`` (ATS users filter and bulk-reject on it). A discrepant-item flag carries the
    raters' ratings: they stay out unless the API key allows ratings."""
    if not result or "score" not in result:
        return None
    r = dict(result)
    if not allow_ratings:
        r["flags"] = [
            {k: v for k, v in flag.items() if k != "ratings"} if isinstance(flag, dict) else flag
            for flag in r.get("flags", [])
        ]
    r["level_fit"] = str(r.get("level_fit"))
    if r.get("label") == "incomplete":
        r["score"] = None
    return ResultOut(r).data


class RatingOut(serializers.Serializer):
    question = serializers.CharField()
    criterion = serializers.CharField()
    value = serializers.IntegerField()


class ScorecardOut(serializers.Serializer):
    interviewer = serializers.CharField()
    recommendation = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    ratings = RatingOut(many=True, required=False, help_text="Only when the key allows ratings.")


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    candidate = serializers.IntegerField(source="candidate_id")
    position = serializers.IntegerField(source="position_id")
    kit = serializers.CharField(source="kit_key")
    role = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    scorecards = serializers.SerializerMethodField()
    invitation = serializers.SerializerMethodField()

    class Meta:
        model = CandidateSession
        fields = [
            "id", "candidate", "position", "mode", "status", "kit", "role", "result",
            "scorecards", "invitation", "created_at", "updated_at", "scored_at",
        ]  # fmt: skip

    @extend_schema_field(RoleOut)
    def get_role(self, obj) -> dict:
        return RoleOut(
            {"track": obj.role_track, "level": obj.role_level, "weights": obj.role_weights}
        ).data

    @extend_schema_field(ResultOut(allow_null=True))
    def get_result(self, obj) -> dict | None:
        return result_out(obj.result, allow_ratings=bool(self.context.get("allow_ratings")))

    @extend_schema_field(ScorecardOut(many=True))
    def get_scorecards(self, obj) -> list:
        allow = bool(self.context.get("allow_ratings"))
        out = []
        for sc in obj.submitted_scorecards:
            row = {
                "interviewer": sc.interviewer.get_full_name() or sc.interviewer.get_username(),
                "recommendation": sc.recommendation,
                "submitted_at": sc.submitted_at,
            }
            if allow:
                keys = {i.pk: i.question_key for i in obj.items.all()}
                row["ratings"] = [
                    {"question": keys.get(r.item_id, ""), "criterion": r.criterion_key,
                     "value": r.value}
                    for r in sc.ratings.all()
                ]  # fmt: skip
            out.append(row)
        return ScorecardOut(out, many=True).data

    @extend_schema_field(InvitationOut(allow_null=True))
    def get_invitation(self, obj) -> dict | None:
        inv = getattr(obj, "invitation", None)
        return InvitationOut(inv).data if inv is not None else None


# -- applications -----------------------------------------------------------------------------


class ApplicationRoleOut(RoleOut):
    bar = serializers.FloatField(help_text="The bar, 0-100, frozen when the application began.")
    panel_size = serializers.IntegerField()


class StageOut(serializers.Serializer):
    session = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField()
    kit = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer):
    """One candidate for one position: every stage pooled into the verdict (SCORING.md v2)."""

    candidate = serializers.IntegerField(source="candidate_id")
    position = serializers.IntegerField(source="position_id")
    role = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id", "candidate", "position", "state", "state_reason", "state_changed_at", "role",
            "result", "stages", "created_at", "updated_at", "scored_at",
        ]  # fmt: skip

    @extend_schema_field(ApplicationRoleOut)
    def get_role(self, obj) -> dict:
        return ApplicationRoleOut(
            {
                "track": obj.role_track,
                "level": obj.role_level,
                "weights": obj.role_weights,
                "bar": obj.role_bar,
                "panel_size": obj.role_panel_size,
            }
        ).data

    @extend_schema_field(ResultOut(allow_null=True))
    def get_result(self, obj) -> dict | None:
        return result_out(obj.result, allow_ratings=bool(self.context.get("allow_ratings")))

    @extend_schema_field(StageOut(many=True))
    def get_stages(self, obj) -> list:
        return StageOut(
            [
                {"session": s.pk, "mode": s.mode, "status": s.status, "kit": s.kit_key}
                for s in obj.sessions.all()
            ],
            many=True,
        ).data


class SessionIn(StrictInput):
    position = serializers.IntegerField()
    candidate = serializers.IntegerField()
    interviewers = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list,
        help_text="E-mail addresses of members of your organization.",
    )  # fmt: skip


class UTCDateTimeField(serializers.DateTimeField):
    """A date-time with any offset ISO 8601 allows, kept in UTC; a moment that cannot be
    shifted into UTC (the first or last day of the calendar) is clamped, not an error."""

    def enforce_timezone(self, value):
        return as_utc(value) if value.tzinfo is not None else super().enforce_timezone(value)


def as_utc(value):
    """Store moments in UTC: PostgreSQL refuses offsets beyond +-15:59 that ISO allows."""
    from datetime import UTC, datetime

    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (
            datetime.max.replace(tzinfo=UTC) if value.year > 1 else datetime.min.replace(tzinfo=UTC)
        )


class InvitationIn(StrictInput):
    position = serializers.IntegerField()
    candidate = serializers.IntegerField()
    expires_at = UTCDateTimeField()
    time_limit_minutes = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    extra_time_percent = serializers.IntegerField(required=False, min_value=0, max_value=200)
    extra_time_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1440)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    questions = serializers.ListField(
        child=serializers.RegexField(r"^[a-z0-9][a-z0-9_-]*$", max_length=80), required=False,
        help_text="Question keys (written/scenario); all of the take-home kit when omitted.",
    )  # fmt: skip
    interviewers = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list
    )
    return_link = serializers.BooleanField(
        default=False, help_text="Include the candidate's link in the response (shown once)."
    )


class InvitationCreatedOut(serializers.Serializer):
    session = serializers.IntegerField()
    invitation = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    link = serializers.CharField(required=False, help_text="Only when return_link was true.")
