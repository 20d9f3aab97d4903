import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from apps.bank.models import Kit, Question
from apps.interviews.models import Application, Candidate, CandidateSession, Position

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
            elif "\x00" in values[0]:
                # Python's date parsing ignores a trailing NUL; no filter value holds one.
                self.form.add_error(name, "NUL characters are not allowed.")
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


ID_MAX = 2**63 - 1  # the database's bigint


class IdField(forms.CharField):
    """A row id as ids are written: ASCII digits, from 1 to the largest bigint. Anything else
    (negative, beyond the database's range, "1.0", other scripts' digits) is a 400 naming the
    parameter rather than a silent empty list: a client that sends it has a bug to see."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= ID_MAX:
            raise ValidationError(f"An id: a whole number from 1 to {ID_MAX}.", code="invalid")
        return int(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.Filter):
    """A row id; one that matches nothing (never existed, another organization's) filters to
    nothing."""

    field_class = IdField


class SessionFilter(UpdatedSince):
    candidate = IdFilter(field_name="candidate_id")
    position = IdFilter(field_name="position_id")

    class Meta:
        model = CandidateSession
        fields = ["updated_since", "status", "mode", "candidate", "position"]


class ApplicationFilter(UpdatedSince):
    candidate = IdFilter(field_name="candidate_id")
    position = IdFilter(field_name="position_id")

    class Meta:
        model = Application
        fields = ["updated_since", "state", "candidate", "position"]
