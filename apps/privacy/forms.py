"""The data-rights forms: the erasure request (reason and a required confirmation tick, as in
apps/accounts/confirm.py) and the legal hold's reason."""

from __future__ import annotations

from django import forms


class EraseForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Why, e.g. "Candidate\'s request by e-mail, 1 Dec". Kept in the audit log '
        "(without the candidate's name).",
        error_messages={"required": "Say why the candidate's data is erased."},
    )
    confirm = forms.BooleanField(
        label="Yes, erase this candidate's personal data for good",
        error_messages={"required": "Confirm: tick the box to go ahead."},
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the legal hold",
        help_text="E.g. the claim or request that requires keeping the data.",
        error_messages={"required": "Say why the application is on hold (e.g. the claim)."},
    )
