"""Kombo's webhook (``POST /integrations/kombo/webhook/<token>``) and the org admin's page.

The webhook answers fast: signature, shape, store the order row, 200; the work is an outbox row.
Unknown token: 404. Missing or wrong ``X-Kombo-Signature``: 401, nothing stored. A body that is
not the documented shape: 400 with the reasons by field, nothing stored. Another type of Kombo
webhook, correctly signed: 200 and ignored.

The admin page (org admins only; others 404) connects the organization with its Kombo API key,
integration id and webhook secret, shows the webhook URL to enter in Kombo, the packages
published and the latest orders. Disconnecting asks first and deletes the key and secret; a
disconnected connection's webhook URL is a 404 like an unknown one.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from apps.accounts import confirm, once
from apps.accounts.models import Role
from apps.accounts.tenancy import role_required, tenant_filter

from ..models import KomboConnection, KomboOrder
from ..parsers import without_nul
from . import packages
from .forms import ConnectionForm
from .schemas import ORDER_RECEIVED, Envelope, OrderReceived, errors_by_field
from .services import (
    SIGNATURE_HEADER,
    connection_disconnect,
    connection_save,
    order_receive,
    signature_valid,
)

ADMINS = (Role.ADMIN,)
ORDERS_SHOWN = 50


def _json(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


@csrf_exempt
@require_POST
def webhook(request, token: str):
    connection = (
        KomboConnection.objects.filter(webhook_token=token).select_related("organization").first()
    )
    if connection is None or not connection.has_credentials:
        raise Http404("No such Kombo connection.")  # unknown, or disconnected by an admin
    body = request.body
    if not signature_valid(connection, body, request.headers.get(SIGNATURE_HEADER)):
        return _json(401, f"Missing or invalid {SIGNATURE_HEADER}.")
    try:
        parsed = without_nul(json.loads(body))  # PostgreSQL's jsonb cannot hold NUL
        envelope = Envelope.model_validate(parsed)
    except ValueError as exc:
        if isinstance(exc, SchemaError):
            return _json(400, "Not a Kombo webhook.", errors=errors_by_field(exc))
        return _json(400, f"Malformed JSON: {exc}.")
    if envelope.type != ORDER_RECEIVED:
        return JsonResponse({"status": "ignored", "type": envelope.type})
    try:
        event = OrderReceived.model_validate(parsed)
    except SchemaError as exc:
        return _json(400, "Not a valid assessment order.", errors=errors_by_field(exc))
    if event.data.integration_id and event.data.integration_id != connection.integration_id:
        return _json(
            400,
            "The order's integration_id is not this connection's.",
            errors={"data.integration_id": ["Does not match the connected integration."]},
        )
    received = order_receive(connection=connection, event=event)
    return JsonResponse(
        {"status": "stored" if received.created else "known", "order_id": event.data.id}
    )


@role_required(ADMINS)
def settings_page(request):
    connection = tenant_filter(request, KomboConnection).first()
    form = ConnectionForm(request.POST or None, connection=connection)
    if request.method == "POST" and form.is_valid():

        def save() -> once.Done:
            connection_save(
                organization=request.organization,
                user=request.user,
                request=request,
                **form.cleaned_data,
            )
            return once.Done(reverse("kombo:settings"))

        try:
            response = once.submit_once(request, save)
        except ValidationError as exc:
            once.form_errors_from(exc, form)
        else:
            if response is not None:
                messages.success(request, "Kombo is connected; the packages are being published.")
                return response
            form.add_error(None, once.EXPIRED)
    orders = (
        tenant_filter(request, KomboOrder)
        .select_related("session__application__candidate", "stage__position")
        .order_by("-received_at", "-pk")[:ORDERS_SHOWN]
    )
    webhook_url = (
        request.build_absolute_uri(reverse("kombo:webhook", args=[connection.webhook_token]))
        if connection
        else ""
    )
    response = render(
        request,
        "ats/kombo/settings.html",
        {
            "connection": connection,
            "form": form,
            "form_key": once.form_key(request),
            "webhook_url": webhook_url,
            "orders": orders,
            "stages": packages.takehome_stages(request.organization.pk) if connection else [],
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _connected_or_404(request) -> KomboConnection:
    """The organization's connection, while it holds its key (not disconnected)."""
    connection = tenant_filter(request, KomboConnection).first()
    if connection is None or not connection.has_credentials:
        raise Http404("Kombo is not connected.")
    return connection


@role_required(ADMINS)
@require_POST
def publish(request):
    connection = _connected_or_404(request)
    packages.publish_now(connection)
    messages.info(request, "The packages are being published to Kombo.")
    return redirect("kombo:settings")


@role_required(ADMINS)
def disconnect(request):
    """Ask, then delete the stored key and secret (``services.connection_disconnect``)."""
    connection = _connected_or_404(request)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Disconnect Kombo?",
            question=(
                "InterviewBank removes your packages from the ATS, deletes the Kombo API key "
                "and webhook secret it holds and stops calling Kombo: no order is received (the "
                "webhook URL answers 404) and no result is sent. Orders, candidates and "
                "applications already here stay. Entering the key and secret again reconnects, "
                "with the same webhook URL, and sends the results of take-homes finished "
                "meanwhile."
            ),
            action="Disconnect Kombo",
            back_url=reverse("kombo:settings"),
        )
    connection_disconnect(connection=connection, user=request.user, request=request)
    messages.info(request, "Kombo is disconnected; its key and secret are deleted.")
    return redirect("kombo:settings")
