"""The organization history's filters (django-filter): kind of thing, person, action, dates and
the object's name. Every choice offered comes from the requesting organization (its members),
and the queryset it narrows is already scoped to it (``selectors.entries_for``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .models import AuditEntry
from .registry import model_for_slug, tracked_models

EVENTS = "event"


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def kind_choices() -> list[tuple[str, str]]:
    kinds = sorted(
        (m._meta.model_name, str(m._meta.verbose_name).capitalize()) for m in tracked_models()
    )
    return [*kinds, (EVENTS, "Events (exports, erasures...)")]


class AuditFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=kind_choices, method="filter_kind", empty_label="Everything"
    )
    actor = django_filters.ModelChoiceFilter(
        label="Person", queryset=get_user_model().objects.none(), empty_label="Anyone"
    )
    action = django_filters.ChoiceFilter(
        label="Action", choices=AuditEntry.Action.choices, empty_label="Any action"
    )
    since = django_filters.DateFilter(
        label="From (date)", method="filter_since", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label="Until (date, included)",
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    object = django_filters.CharFilter(
        label="Object name contains",
        field_name="object_repr",
        lookup_expr="icontains",
        max_length=200,
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = (
            get_user_model()
            .objects.filter(memberships__organization=organization)
            .order_by("username")
        )
        self.form.fields["actor"].label_from_instance = lambda u: u.get_username()

    # Dates become a range of instants (midnight in the site's time zone), so the
    # (organization, timestamp) index serves the query.
    def filter_since(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(timestamp__lt=_midnight(value + timedelta(days=1)))

    def filter_kind(self, queryset, name, value):
        if value == EVENTS:
            return queryset.filter(action=AuditEntry.Action.EVENT)
        model = model_for_slug(value)
        if model is None:  # the choice field has already refused it; belt and braces
            return queryset.none()
        return queryset.filter(content_type=ContentType.objects.get_for_model(model))
