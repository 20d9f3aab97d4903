"""Forms of the shortlist pages and the client's share page (types and labels only: the rules
live in ``services``)."""

from __future__ import annotations

from django import forms

from .models import ClientDecision
from .services import DEFAULT_DAYS, MAX_DAYS, REDACTION_FIELDS


class ShortlistForm(forms.Form):
    title = forms.CharField(
        label="Shortlist title",
        max_length=200,
        required=False,
        help_text='What the client sees as the heading, e.g. "MES engineers, March".',
    )


class ShareForm(forms.Form):
    contact_name = forms.CharField(label="Client contact's name", max_length=200)
    contact_email = forms.EmailField(label="Client contact's e-mail", required=False)
    days = forms.IntegerField(
        label="Link works for (days)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
    access_code = forms.CharField(
        label="Access code (optional)",
        required=False,
        max_length=100,
        help_text="At least 6 characters; tell the contact by phone, not in the same e-mail.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    send_email = forms.BooleanField(
        label="E-mail the link to the contact", required=False, initial=True
    )
    attach_pdf = forms.BooleanField(label="Attach the PDF to the e-mail", required=False)
    show_summary = forms.BooleanField(label="Your summaries", required=False, initial=True)
    show_competencies = forms.BooleanField(
        label="Competency estimates", required=False, initial=True
    )
    show_track = forms.BooleanField(label="Track fit chart", required=False, initial=True)
    show_flags = forms.BooleanField(label="Critical red flags", required=False, initial=True)
    show_interviewer_names = forms.BooleanField(label="Interviewers' names", required=False)
    show_notes = forms.BooleanField(label="Interviewers' free-text notes", required=False)
    allow_decisions = forms.BooleanField(
        label="Let the contact record decisions", required=False, initial=True
    )

    REDACTION = REDACTION_FIELDS


class AccessCodeForm(forms.Form):
    access_code = forms.CharField(
        label="Access code",
        max_length=100,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class ClientDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=ClientDecision.Choice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you reject, so the recruiter can tell the candidate why.",
    )
