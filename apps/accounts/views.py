"""The organization page: an admin's settings and the way into every organization-wide report.

Settings live on :class:`apps.accounts.models.Organization` (calibration's aggregate-only mode,
data retention, the privacy contact, voluntary self-reported groups). The reports (audit trail,
calibration, item statistics, fairness, data rights) and integrations each own their pages and
are linked from ``templates/accounts/organization.html``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from .models import Organization, Role
from .tenancy import role_required


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "calibration_aggregate_only",
            "retention_months",
            "privacy_contact",
            "collects_self_reported_groups",
        ]


@role_required([Role.ADMIN])
def organization(request):
    org = request.organization
    form = OrganizationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("organization")
        return render(request, "accounts/organization.html", {"form": form}, status=400)
    return render(request, "accounts/organization.html", {"form": form})
