from django import forms
from django.db.models import Q

from .models import Competency, Level, Question, Track


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    track = forms.ChoiceField(label="Track", required=False)
    level = forms.ModelChoiceField(
        Level.objects.all(), label="Level", required=False, empty_label="Any level"
    )
    competency = forms.ModelChoiceField(
        Competency.objects.all(), label="Competency", required=False, to_field_name="key",
        empty_label="Any competency",
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Question.Kind.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Published"), *Question.Status.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [
            ("", "Any track"),
            *[(t.key, f"{t.name} (incl. core)") for t in Track.objects.all()],
            ("core", "Core only"),
        ]

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(Q(prompt__icontains=data["q"]) | Q(key__icontains=data["q"]))
        track = data.get("track")
        if track == "core":
            qs = qs.filter(track__isnull=True)
        elif track:
            qs = qs.for_track(track)
        if data.get("level"):
            qs = qs.filter(level=data["level"])
        if data.get("competency"):
            qs = qs.filter(competency=data["competency"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        qs = qs.filter(status=data.get("status") or Question.Status.PUBLISHED)
        return qs
