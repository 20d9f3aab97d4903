import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.bank.models import Kit, Question
from apps.interviews.models import Candidate, CandidateSession, Position

from .serializers import as_utc


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value is an error, not silently ignored: an ATS that
    sends ``updated_since=`` by mistake would otherwise re-download everything."""

    #: Query parameters that are not filters but are still allowed (pagination).
    extra_params: frozenset[str] = frozenset({"cursor", "page_size"})

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in sorted(set(self.data) - set(self.filters) - self.extra_params):
            # Params, not an f-string: django-filter %-formats messages, and a name may hold "%".
            self.form.add_error(
                None, ValidationError("Unknown query parameter: %(name)s.", params={"name": name})
            )
            valid = False
        for name, flt in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            if len(values) > 1:
                self.form.add_error(name, "Give this filter once.")
                valid = False
            elif values[0] == "":
                self.form.add_error(name, "This filter needs a value; leave it out instead.")
                valid = False
            elif isinstance(flt, django_filters.BooleanFilter) and values[0] not in (
                "true",
                "false",
            ):
                self.form.add_error(name, "Use true or false.")
                valid = False
        return valid


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 with any offset Python accepts, compared in UTC (``as_utc``: PostgreSQL
    refuses offsets beyond +-15:59)."""

    def filter(self, qs, value):
        return super().filter(qs, as_utc(value) if value is not None else None)


class UpdatedSince(StrictFilterSet):
    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only rows updated at or after this time (ISO 8601, with time zone).",
    )


class QuestionFilter(UpdatedSince):
    class Meta:
        model = Question
        fields = ["updated_since", "kind", "status"]


class KitFilter(UpdatedSince):
    class Meta:
        model = Kit
        fields = ["updated_since", "take_home"]


class PositionFilter(UpdatedSince):
    class Meta:
        model = Position
        fields = ["updated_since"]


class CandidateFilter(UpdatedSince):
    class Meta:
        model = Candidate
        fields = ["updated_since"]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id. Any whole number is accepted; one that matches nothing (never existed,
    another organization's, or beyond the database's integer range) filters to nothing."""

    field_class = forms.IntegerField
    LIMIT = 2**63

    def filter(self, qs, value):
        if value is not None and not -self.LIMIT < value < self.LIMIT:
            return qs.none()
        return super().filter(qs, value)


class SessionFilter(UpdatedSince):
    candidate = IdFilter(field_name="candidate_id")
    position = IdFilter(field_name="position_id")

    class Meta:
        model = CandidateSession
        fields = ["updated_since", "status", "mode", "candidate", "position"]
