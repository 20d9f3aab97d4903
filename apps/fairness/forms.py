from django import forms

from .dimensions import DIMENSIONS, choices


class SelfReportForm(forms.Form):
    """Every question optional: leaving one empty is the same as not being asked."""

    def __init__(self, *args, initial_answers: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, spec in DIMENSIONS.items():
            self.fields[key] = forms.ChoiceField(
                label=spec["question"],
                choices=[("", "No answer"), *choices(key)],
                required=False,
                widget=forms.RadioSelect,
                initial=(initial_answers or {}).get(key, ""),
            )
