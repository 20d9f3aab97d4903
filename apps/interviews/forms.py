from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.accounts.models import Role
from apps.bank.models import Kit, KitItem, Level, Track
from apps.bank.weight_fields import WeightFieldsMixin

from .models import (
    BAR_DEFAULT,
    Application,
    Candidate,
    Position,
    PositionStage,
    Scorecard,
)
from .services.scorecards import ScorecardData


class PositionForm(WeightFieldsMixin, forms.ModelForm):
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
        fields = [
            "client_company", "title", "track", "level", "job_description", "kit", "bar",
            "panel_size",
        ]  # fmt: skip
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
        # Optional on the form: left empty, the defaults apply (62.5, a panel of two).
        self.fields["bar"].required = False
        self.fields["panel_size"].required = False
        self.fields["track"].queryset = Track.objects.all()
        self.fields["level"].queryset = Level.objects.all()
        self.add_weight_fields(self.instance.competency_weights if self.instance.pk else {})

    def clean_job_description(self):
        from .services.briefs import job_ad_validate  # the one size cap

        try:
            return job_ad_validate(self.cleaned_data.get("job_description", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["job_description"]) from None

    def clean(self):
        data = super().clean()
        weights = self.entered_weights()
        if weights:
            # The one weights rule (tolerance and normalisation) lives in the service.
            from .services import weights_validate

            try:
                weights = weights_validate(weights)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["competency_weights"]) from None
        data["competency_weights"] = weights
        if data.get("bar") is None:
            data["bar"] = BAR_DEFAULT
        if data.get("panel_size") is None:
            data["panel_size"] = 2
        return data


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["name", "email", "phone"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization


class SessionForm(forms.Form):
    """A live session for a candidate, for one stage of the position's plan (take-homes are
    sent as invitations, so a take-home never starts here without its link)."""

    candidate = forms.ModelChoiceField(Candidate.objects.none())
    stage = forms.ModelChoiceField(
        PositionStage.objects.none(),
        required=False,
        empty_label="The position's kit (no plan stage)",
        help_text="The plan stage this interview runs: its kit and panel.",
    )
    interviewers = forms.ModelMultipleChoiceField(
        get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Each interviewer scores independently and cannot see the others' scorecards "
        "before submitting their own.",
    )

    def __init__(self, *args, organization, position=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Candidate.objects.filter(organization=organization)
        if position is not None:
            self.fields["stage"].queryset = position.stages.filter(
                mode=PositionStage.Mode.LIVE
            ).select_related("kit")
        self.fields["stage"].label_from_instance = lambda s: (
            f"{s.order + 1}. {s.name} ({s.kit.name}, panel of {s.panel_size})"
        )
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
        self.position = position

    def clean(self):
        """The questions this interview asks: ``questions-<stage id>`` (``questions-0`` for
        the position's kit), checked against that kit. A post without the question list
        (``questions-present``) asks the whole kit."""
        data = super().clean()
        data["questions"] = None
        if self.position is None or "questions-present" not in self.data or "stage" not in data:
            return data
        stage = data["stage"]
        chosen = self.data.getlist(f"questions-{stage.pk if stage else 0}")
        kit_id = stage.kit_id if stage else self.position.kit_id
        keys = set(KitItem.objects.filter(kit_id=kit_id).values_list("question__key", flat=True))
        if not chosen:
            self.add_error(None, "Questions: choose at least one question for this interview.")
        elif not set(chosen) <= keys:
            self.add_error(None, "Questions: choose questions of the stage's kit.")
        else:
            data["questions"] = chosen
        return data


class ScorecardForm(forms.Form):
    """One save of a scorecard, whole (the page's "Save draft") or one field (autosave).

    Only the fields present in the post become form fields, so a save changes nothing it did
    not carry. Field names: ``r-<item>-<criterion>`` a rating (0-4, empty clears it),
    ``n-<item>`` notes, ``f-<item>`` red flags (with ``f-<item>-present`` so "none" is sent),
    ``na-<item>`` "not asked" (0/1), ``s-<item>`` private scratch notes, ``recommendation`` and
    ``notes``. ``scorecard_data()`` hands the service what was sent.
    """

    RATING_CHOICES = [("", "Not rated")] + [(str(v), str(v)) for v in range(5)]

    def __init__(self, data, *, items):
        super().__init__(data)
        self.items = list(items)
        for item in self.items:
            for crit in item.rubric:
                name = f"r-{item.pk}-{crit['key']}"
                if name in data:
                    self.fields[name] = forms.TypedChoiceField(
                        label=crit["label"],
                        choices=self.RATING_CHOICES,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        error_messages={"invalid_choice": "Choose one of the anchors (0-4)."},
                    )
            if f"n-{item.pk}" in data:
                self.fields[f"n-{item.pk}"] = forms.CharField(required=False, strip=False)
            if f"s-{item.pk}" in data:
                self.fields[f"s-{item.pk}"] = forms.CharField(required=False, strip=False)
            if f"na-{item.pk}" in data:
                self.fields[f"na-{item.pk}"] = forms.TypedChoiceField(
                    choices=[("0", "Asked"), ("1", "Not asked")],
                    coerce=lambda v: v == "1",
                    error_messages={"invalid_choice": "Send 1 (not asked) or 0 (asked)."},
                )
            if f"f-{item.pk}-present" in data:
                self.fields[f"f-{item.pk}"] = forms.MultipleChoiceField(
                    choices=[(str(i), f["text"]) for i, f in enumerate(item.red_flags)],
                    required=False,
                    error_messages={"invalid_choice": "Unknown red flag."},
                )
        if "recommendation" in data:
            self.fields["recommendation"] = forms.ChoiceField(
                choices=[("", "Choose..."), *Scorecard.Recommendation.choices],
                required=False,
                error_messages={"invalid_choice": "Choose a recommendation from the list."},
            )
        if "notes" in data:
            self.fields["notes"] = forms.CharField(required=False, strip=False)

    def scorecard_data(self) -> ScorecardData:
        """The validated save; call after ``is_valid()``."""
        data = ScorecardData()
        got = self.cleaned_data
        for item in self.items:
            pk = item.pk
            for crit in item.rubric:
                name = f"r-{pk}-{crit['key']}"
                if name in got:
                    data.ratings[(pk, crit["key"])] = got[name]
            if f"n-{pk}" in got:
                data.notes[pk] = got[f"n-{pk}"]
            if f"s-{pk}" in got:
                data.scratch[pk] = got[f"s-{pk}"]
            if f"na-{pk}" in got:
                data.not_asked[pk] = got[f"na-{pk}"]
            if f"f-{pk}" in got:
                data.red_flags[pk] = sorted({int(v) for v in got[f"f-{pk}"]})
        if "recommendation" in got:
            data.recommendation = got["recommendation"]
        if "notes" in got:
            data.overall_notes = got["notes"]
        return data

    def error_dict(self) -> dict[str, list[str]]:
        return {name: list(errors) for name, errors in self.errors.items()}


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


class DecisionForm(forms.Form):
    """The recruiter's pipeline decision on an application; the rules live in
    ``services.application_decide``."""

    state = forms.ChoiceField(label="Pipeline state", choices=Application.State.choices)
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for rejected and withdrawn; kept with who decided and when.",
    )


class StageForm(forms.ModelForm):
    """One stage of a position's plan; the stage list is edited as a formset (add, remove,
    reorder, swap kits)."""

    class Meta:
        model = PositionStage
        fields = ["name", "mode", "kit", "expected_minutes", "panel_size"]

    def __init__(self, *args, organization, kit_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kit"].queryset = Kit.objects.visible_to(organization)
        if kit_choices is not None:
            # Rendered choices read once per page, not once per stage (the formset passes them).
            self.fields["kit"].choices = kit_choices
        self.fields["expected_minutes"].help_text = "Empty: the kit's questions' minutes."


class BaseStageFormSet(forms.BaseModelFormSet):
    """Every stage form shares one list of kit choices: a plan of 50 stages costs the same
    queries as a plan of one."""

    def __init__(self, *args, form_kwargs=None, **kwargs):
        form_kwargs = dict(form_kwargs or {})
        field = forms.ModelChoiceField(Kit.objects.visible_to(form_kwargs.get("organization")))
        form_kwargs["kit_choices"] = list(field.choices)
        super().__init__(*args, form_kwargs=form_kwargs, **kwargs)


StageFormSet = forms.modelformset_factory(
    PositionStage,
    form=StageForm,
    formset=BaseStageFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
)


class ScheduleForm(forms.Form):
    """When and where a live interview happens (``services.scheduling.session_schedule``)."""

    scheduled_at = forms.DateTimeField(
        label="Date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone. Each interviewer gets an e-mail with a calendar invite.",
    )
    location = forms.CharField(
        label="Place or video link",
        required=False,
        max_length=500,
        help_text="A room or address, or the video-call link.",
    )

    @property
    def wanted(self) -> bool:
        """Whether the person filled in either field (scheduling is optional at creation)."""
        return bool(self.cleaned_data.get("scheduled_at") or self.cleaned_data.get("location"))
