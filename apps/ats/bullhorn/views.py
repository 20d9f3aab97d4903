"""The org admin's Bullhorn page: connect (credentials), status mappings, the call log.

Org admins only (everyone else, and another organization's mapping, is a 404). Disconnecting
asks first and deletes the stored credentials. Writes go
through ``services``; the add forms are safe to repeat (``apps.accounts.once``). The page costs
a constant number of queries however many mappings, events and calls there are.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import confirm, once
from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, role_required, tenant_filter

from ..models import BullhornCall, BullhornConnection, BullhornEvent, BullhornStatusMapping
from . import services
from .forms import ConnectionForm, MappingForm

ADMINS = (Role.ADMIN,)
CALLS_SHOWN = 50
EVENTS_SHOWN = 20


def _page(request, *, connection_form=None, mapping_form=None, status=200):
    organization = request.organization
    connection = tenant_filter(request, BullhornConnection).first()
    if connection_form is None:
        initial = (
            {
                "client_id": connection.client_id,
                "username": connection.username,
                "note_action": connection.note_action,
            }
            if connection
            else None
        )
        connection_form = ConnectionForm(initial=initial)
    mapping_form = mapping_form or MappingForm(organization=organization)
    response = render(
        request,
        "ats/bullhorn/connection.html",
        {
            "connection": connection,
            "connection_form": connection_form,
            "mapping_form": mapping_form,
            "mappings": tenant_filter(request, BullhornStatusMapping).select_related("position"),
            "events": tenant_filter(request, BullhornEvent)[:EVENTS_SHOWN],
            "calls": tenant_filter(request, BullhornCall)[:CALLS_SHOWN],
            "form_key": once.form_key(request),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
def connection(request):
    """GET: the page. POST: save the credentials and queue the login that checks them."""
    if request.method != "POST":
        return _page(request)
    form = ConnectionForm(request.POST)
    if form.is_valid():

        def save() -> once.Done:
            services.connection_save(
                organization=request.organization,
                user=request.user,
                request=request,
                **form.cleaned_data,
            )
            return once.Done(reverse("bullhorn:connection"))

        if response := once.submit_form(request, form, save):
            messages.info(request, "Saved. InterviewBank is logging in to Bullhorn.")
            return response
    return _page(request, connection_form=form, status=400)


@role_required(ADMINS)
@require_POST
def mapping_add(request):
    form = MappingForm(request.POST, organization=request.organization)
    if form.is_valid():

        def add() -> once.Done:
            services.mapping_create(organization=request.organization, **form.cleaned_data)
            return once.Done(reverse("bullhorn:connection"))

        if response := once.submit_form(request, form, add):
            return response
    return _page(request, mapping_form=form, status=400)


@role_required(ADMINS)
def mapping_delete(request, pk: int):
    mapping = get_for_tenant_or_404(request, BullhornStatusMapping, pk=pk)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Remove this mapping?",
            question=(
                f"Submissions reaching “{mapping.status}” in Bullhorn will no longer bring "
                "candidates in. Candidates already brought in stay."
            ),
            action="Remove the mapping",
            back_url=reverse("bullhorn:connection"),
        )
    mapping.delete()
    messages.info(request, f"The mapping of “{mapping.status}” is removed.")
    return redirect("bullhorn:connection")


@role_required(ADMINS)
def disconnect(request):
    """Ask, then delete the stored credentials and tokens (``services.connection_disconnect``)."""
    connection = tenant_filter(request, BullhornConnection).first()
    if connection is None or not connection.has_credentials:
        raise Http404("Bullhorn is not connected.")
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Disconnect Bullhorn?",
            question=(
                "InterviewBank deletes the Bullhorn credentials and tokens it holds and stops "
                "calling Bullhorn: no candidate is brought in and no result is written back. "
                "Candidates, applications and mappings already here stay. Entering the "
                "credentials again reconnects and writes the results missed meanwhile."
            ),
            action="Disconnect Bullhorn",
            back_url=reverse("bullhorn:connection"),
        )
    services.connection_disconnect(connection=connection, user=request.user, request=request)
    messages.info(request, "Bullhorn is disconnected; its credentials are deleted.")
    return redirect("bullhorn:connection")
