"""The org admin's Kombo connection form. The key and the secret are write-only: the inputs
are password fields that never carry the stored value back, and a blank one keeps it."""

from __future__ import annotations

from django import forms

from ..models import KomboConnection


class ConnectionForm(forms.Form):
    integration_id = forms.CharField(
        max_length=200,
        help_text="From Kombo's dashboard, e.g. workday:HWUTwvyx2wLoSUHphiWVrp28.",
    )
    region = forms.ChoiceField(
        choices=KomboConnection.Region.choices,
        initial=KomboConnection.Region.EU,
        help_text="The Kombo data region of your account.",
    )
    api_key = forms.CharField(
        max_length=500,
        required=False,
        strip=True,
        label="Kombo API key",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    webhook_secret = forms.CharField(
        max_length=500,
        required=False,
        strip=True,
        label="Kombo webhook secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, connection: KomboConnection | None = None, **kwargs):
        if connection is not None:
            kwargs.setdefault(
                "initial",
                {"integration_id": connection.integration_id, "region": connection.region},
            )
        super().__init__(*args, **kwargs)
        stored = connection is not None and connection.has_credentials  # not after a disconnect
        keep = "Leave blank to keep the stored one." if stored else "Required."
        self.fields["api_key"].help_text = f"Kombo dashboard, Secrets page. {keep}"
        self.fields["webhook_secret"].help_text = f"Kombo dashboard, Webhooks tab. {keep}"
        if not stored:
            self.fields["api_key"].required = True
            self.fields["webhook_secret"].required = True

    def clean_integration_id(self) -> str:
        value = self.cleaned_data["integration_id"].strip()
        if any(ch.isspace() for ch in value):
            raise forms.ValidationError("An integration id has no spaces.")
        return value
