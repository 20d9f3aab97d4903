"""The form an org admin registers a webhook endpoint with (events explained in words)."""

from django import forms

from apps.interviews.events import EVENTS

EVENT_HELP = {
    "session.created": "a session is created (live or take-home)",
    "session.submitted": "a candidate submits a take-home",
    "session.scored": "every interviewer has submitted and the session has its score",
    "application.scored": "a candidate's verdict for a position changes (all stages pooled)",
    "candidate.updated": "a candidate is added or changed",
}


class EndpointForm(forms.Form):
    """Register a webhook endpoint. The address rules live in ``webhooks.endpoint_create``."""

    url = forms.URLField(
        label="Endpoint URL",
        max_length=1000,
        assume_scheme="https",
        help_text="A public http(s) address; private and internal addresses are refused.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(event, f"{event}: {EVENT_HELP[event]}") for event in EVENTS],
        initial=["session.scored"],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, help_text="Optional, for your team."
    )
