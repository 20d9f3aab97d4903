"""Org admins manage their organization's API keys: create (the full key is shown once),
list (prefix, name, expiry, last used), revoke. Keys are hashed at rest by
djangorestframework-api-key."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.accounts import confirm, once
from apps.accounts.models import Role
from apps.accounts.tenancy import role_required

from ..models import OrganizationAPIKey

ADMINS = (Role.ADMIN,)


class KeyForm(forms.Form):
    name = forms.CharField(max_length=50, help_text="Which client uses it, e.g. 'Greenhouse'.")
    expiry_date = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Optional: the key stops working after this time.",
    )
    allow_ratings = forms.BooleanField(
        required=False, help_text="Let this key read each interviewer's ratings."
    )

    def clean_expiry_date(self):
        expiry = self.cleaned_data["expiry_date"]
        if expiry is not None and expiry <= timezone.now():
            raise forms.ValidationError(
                "The expiry must be in the future: a key that has already expired cannot be used."
            )
        return expiry


@role_required(ADMINS)
def key_list(request):
    """List and create. Creating is safe to repeat (``apps.accounts.once``): the POST redirects
    here, and the new key is shown once, from the admin's session."""
    form = KeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> once.Done:
            _, raw = OrganizationAPIKey.objects.create_key(
                organization=request.organization, **form.cleaned_data
            )
            return once.Done(reverse("api_keys"), shown=raw)

        if response := once.submit_form(request, form, create):
            return response
    keys = OrganizationAPIKey.objects.filter(organization=request.organization).order_by("-created")
    response = render(
        request,
        "ats/api_keys.html",
        {
            "form": form,
            "keys": keys,
            "created_key": once.pop_shown(request),
            "form_key": once.form_key(request),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
def key_revoke(request, prefix: str):
    key = get_object_or_404(
        OrganizationAPIKey.objects.filter(organization=request.organization), prefix=prefix
    )
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Revoke this API key?",
            question=(
                f"The key {key.prefix}… ({key.name}) stops working at once; the client that "
                "uses it needs a new key."
            ),
            action="Revoke the key",
            back_url=reverse("api_keys"),
        )
    key.revoked = True
    key.save(update_fields=["revoked"])
    messages.info(request, f"Key {key.prefix}… ({key.name}) is revoked.")
    return redirect("api_keys")
