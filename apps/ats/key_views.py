"""Org admins manage their organization's API keys: create (the full key is shown once),
list (prefix, name, expiry, last used), revoke. Keys are hashed at rest by
djangorestframework-api-key."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import role_required

from .models import OrganizationAPIKey

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


@role_required(ADMINS)
def key_list(request):
    form = KeyForm(request.POST or None)
    created_key = None
    if request.method == "POST" and form.is_valid():
        _, created_key = OrganizationAPIKey.objects.create_key(
            organization=request.organization, **form.cleaned_data
        )
        form = KeyForm()
    keys = OrganizationAPIKey.objects.filter(organization=request.organization).order_by("-created")
    response = render(
        request,
        "ats/api_keys.html",
        {"form": form, "keys": keys, "created_key": created_key},
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
@require_POST
def key_revoke(request, prefix: str):
    key = get_object_or_404(
        OrganizationAPIKey.objects.filter(organization=request.organization), prefix=prefix
    )
    key.revoked = True
    key.save(update_fields=["revoked"])
    messages.info(request, f"Key {key.prefix}… ({key.name}) is revoked.")
    return redirect("api_keys")
