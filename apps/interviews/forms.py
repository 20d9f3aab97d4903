from django import forms
from django.contrib.auth import get_user_model

from apps.accounts.models import Role
from apps.bank.models import Competency, Kit, Level, Track

from .models import Candidate, CandidateSession, Position


class PositionForm(forms.ModelForm):
    """A role brief. The kit is suggested from track and level when left empty; the weights
    start from the kit's and must add up to 100%."""

    kit = forms.ModelChoiceField(
        Kit.objects.none(),
        required=False,
        empty_label="Suggest from track and level",
        help_text="Leave empty to use the live kit for this track and level.",
    )

    class Meta:
        model = Position
        fields = ["client_company", "title", "track", "level", "job_description", "kit"]
        widgets = {"job_description": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "job_description": "Paste the ad: the check below tells whether it reads as plant "
            "MES, enterprise MOM or mixed."
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["kit"].queryset = Kit.objects.visible_to(organization).select_related(
            "track", "level"
        )
        self.fields["track"].queryset = Track.objects.all()
        self.fields["level"].queryset = Level.objects.all()
        self.competencies = list(Competency.objects.all())
        initial = self.instance.competency_weights if self.instance.pk else {}
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

    def clean(self):
        data = super().clean()
        weights = {
            c.key: float(data[f"w_{c.key}"]) / 100
            for c in self.competencies
            if data.get(f"w_{c.key}")
        }
        if weights:
            total = sum(weights.values())
            if abs(total - 1.0) > 1e-3:
                raise forms.ValidationError(
                    f"Competency weights must add up to 100%; they add up to {total * 100:.1f}%."
                )
        data["competency_weights"] = weights
        return data


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["name", "email", "phone"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization


class SessionForm(forms.Form):
    candidate = forms.ModelChoiceField(Candidate.objects.none())
    mode = forms.ChoiceField(choices=CandidateSession.Mode.choices, initial="live")
    interviewers = forms.ModelMultipleChoiceField(
        get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Each interviewer scores independently and cannot see the others' scorecards "
        "before submitting their own.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Candidate.objects.filter(organization=organization)
        self.fields["interviewers"].queryset = (
            get_user_model()
            # One filter() call, so both conditions hold for the same membership row: a user's
            # role in another organization says nothing about this one.
            .objects.filter(
                memberships__organization=organization,
                memberships__role__in=[Role.ADMIN, Role.INTERVIEWER],
            )
            .order_by("username")
            .distinct()
        )
        self.fields["interviewers"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )


class CorrectionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class InvitationForm(forms.Form):
    """Invite a candidate to a take-home made of the kit's written and scenario questions."""

    candidate = forms.ModelChoiceField(Candidate.objects.none())
    email = forms.EmailField(
        required=False, help_text="Leave empty to use the candidate's e-mail address."
    )
    expires_at = forms.DateTimeField(
        label="Deadline",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    time_limit_minutes = forms.IntegerField(
        label="Time limit once started (minutes)", required=False, min_value=1, max_value=24 * 60
    )
    extra_time_percent = forms.IntegerField(
        label="Extra time (%) for accommodations", required=False, min_value=0, max_value=200
    )
    extra_time_minutes = forms.IntegerField(
        label="Extra time (minutes) for accommodations", required=False, min_value=0,
        max_value=24 * 60,
    )  # fmt: skip
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    questions = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    interviewers = forms.ModelMultipleChoiceField(
        get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, organization, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Candidate.objects.filter(organization=organization)
        self.fields["questions"].choices = [
            (q.key, f"{q.prompt[:110]}… ({q.get_kind_display()}, L{q.level_id})") for q in questions
        ]
        self.fields["questions"].initial = [q.key for q in questions]
        session_form = SessionForm(organization=organization)
        self.fields["interviewers"].queryset = session_form.fields["interviewers"].queryset
        self.fields["interviewers"].label_from_instance = session_form.fields[
            "interviewers"
        ].label_from_instance
