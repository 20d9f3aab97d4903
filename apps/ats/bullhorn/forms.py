"""Forms of the Bullhorn connection page: the credentials and one status mapping."""

from __future__ import annotations

from django import forms

from apps.interviews.models import Position


class ConnectionForm(forms.Form):
    client_id = forms.CharField(
        max_length=200, help_text="The OAuth client id Bullhorn support issued to your company."
    )
    client_secret = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again. Leave blank to keep the stored one.",
    )
    username = forms.CharField(max_length=200, label="API user name")
    password = forms.CharField(
        max_length=500,
        required=False,
        label="API user password",
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again. Leave blank to keep the stored one.",
    )
    note_action = forms.CharField(
        max_length=100,
        initial="Assessment",
        label="Note action",
        help_text="The Note action (Bullhorn's comment action list) our results are filed under.",
    )


class MappingForm(forms.Form):
    status = forms.CharField(
        max_length=100,
        label="Bullhorn submission status",
        help_text="As Bullhorn shows it, e.g. “Technical screen” (case does not matter).",
    )
    position = forms.ModelChoiceField(queryset=Position.objects.none())
    send_takehome = forms.BooleanField(
        required=False, label="Send the position's take-home to the candidate"
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organization's positions: another tenant's id is "not a valid choice".
        self.fields["position"].queryset = Position.objects.filter(
            organization=organization
        ).order_by("title", "pk")
