from django import forms
from django.db.models import Q

from .models import Competency, Kit, Level, Question, Track
from .weight_fields import WeightFieldsMixin


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


class KitQuestionFilterForm(QuestionFilterForm):
    """The bank's question filters on the kit builder: only published questions can be added,
    so the status filter is left out (``filter`` then keeps published ones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["status"]


class KitForm(WeightFieldsMixin, forms.ModelForm):
    """A kit's settings, with its competency weights entered as percentages (as a position's
    are); the services check that they add up to 100%."""

    class Meta:
        model = Kit
        fields = ["name", "key", "track", "level", "take_home", "description"]
        labels = {"take_home": "Take-home kit (written and scenario questions)"}
        help_texts = {
            "key": "Letters, digits and hyphens; unique in the bank (e.g. plant-l2-panel-acme).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.all()
        self.fields["level"].queryset = Level.objects.all()
        self.fields["track"].empty_label = None
        self.fields["level"].empty_label = None
        self.add_weight_fields(self.instance.competency_weights if self.instance.pk else {})

    def settings_fields(self):
        return [f for f in self if not f.name.startswith("w_")]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        weights = self.entered_weights()
        return {
            **{name: data[name] for name in self.Meta.fields},
            "competency_weights": weights,
        }

    def validate_unique(self):
        # Key uniqueness is the service's rule (with a clearer message); the instance is saved
        # there, not by the form.
        pass


class KitCopyForm(forms.Form):
    name = forms.CharField(max_length=200)
    key = forms.SlugField(
        max_length=80, help_text="Letters, digits and hyphens; unique in the bank."
    )


class KitItemForm(forms.Form):
    """One action on one item of a kit: set its weight, move it, or remove it."""

    action = forms.ChoiceField(
        choices=[("weight", "Set weight"), ("up", "Up"), ("down", "Down"), ("remove", "Remove")]
    )
    weight = forms.DecimalField(
        required=False, min_value=0.1, max_value=10, decimal_places=2, label="Weight"
    )


class QuestionReportForm(forms.Form):
    text = forms.CharField(
        label="What is wrong",
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "A wrong or outdated fact (cite the standard or DOMAIN.md if you can), an anchor that "
            "does not separate the levels, a prompt candidates misread, or what the item "
            "statistics show."
        ),
    )
