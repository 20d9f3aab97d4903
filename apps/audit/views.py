"""The audit trail's pages, for organization admins only (other roles and other tenants: 404).

- ``/audit/``: the organization's history, filtered (django-filter) and paginated, newest first;
- ``/audit/<model>/<key>/``: one object's history (with its parts': a kit's items...).

Rules they keep: read-only (there is no view that edits or deletes an entry); every query is
scoped through ``selectors.entries_for(request.organization)``; bad filter input answers 400 with
the form's messages; a page costs the same number of queries for 1 entry or 50.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from apps.accounts.models import Role
from apps.accounts.tenancy import role_required

from . import selectors
from .filters import AuditFilter
from .registry import model_for_slug

PER_PAGE = 50


@role_required([Role.ADMIN])
def organization_history(request):
    org = request.organization
    filterset = AuditFilter(
        request.GET or None, queryset=selectors.entries_for(org), organization=org
    )
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        status, entries = 400, selectors.entries_for(org).none()
    else:
        entries = filterset.qs
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/history.html",
        {"filter": filterset, "page": page, "rows": selectors.rows(list(page.object_list))},
        status=status,
    )


@role_required([Role.ADMIN])
def object_history(request, model: str, key: str):
    org = request.organization
    model_class = model_for_slug(model)
    if model_class is None:
        raise Http404("Nothing of that kind has a history.")
    obj = selectors.object_in_organization(org, model_class, key)
    entries = selectors.history_of(org, model_class, key)
    # A deleted object keeps its history; another tenant's object has none here: 404.
    if obj is None and not entries.exists():
        raise Http404("No such object.")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/object_history.html",
        {
            "object": obj,
            "kind": str(model_class._meta.verbose_name).capitalize(),
            "page": page,
            "rows": selectors.rows(list(page.object_list)),
        },
    )
