"""Competency weights typed as percentages, one field per competency: the one form helper that
kits (here) and positions (apps.interviews) share, so the two pages cannot drift apart. It
builds fields only; the rule the weights must meet lives in ``services.kit_weights_clean``."""

from __future__ import annotations

from django import forms

from .models import Competency


class WeightFieldsMixin:
    """Competency weights entered as percentages, one field per competency (kits and
    positions alike); the rule they must meet lives in ``services.kit_weights_clean``."""

    def add_weight_fields(self, initial: dict) -> None:
        self.competencies = list(Competency.objects.all())
        for comp in self.competencies:
            value = initial.get(comp.key)
            self.fields[f"w_{comp.key}"] = forms.DecimalField(
                label=comp.name,
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=1,
                initial=round(value * 100, 1) if value else None,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )

    def weight_fields(self):
        return [self[f"w_{c.key}"] for c in self.competencies]

    def entered_weights(self) -> dict[str, float]:
        """The weights typed in, as fractions (not yet checked against the rule)."""
        data = self.cleaned_data
        return {
            c.key: float(data[f"w_{c.key}"]) / 100
            for c in self.competencies
            if data.get(f"w_{c.key}")
        }
