"""Organization admins' pages for outgoing webhooks: endpoints, secrets, the delivery log.

Thin views: every write goes through ``webhooks`` services, every read through the tenant
helpers, so another organization's endpoint or delivery is a 404. Create and rotate are safe to
repeat (``apps.accounts.once``): the POST redirects to the endpoint's page, which shows the new
secret once, with ``Cache-Control: no-store``; a reload or a second click changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import once
from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, role_required, tenant_filter

from .. import webhooks
from ..models import WebhookDelivery, WebhookEndpoint
from .forms import EndpointForm

ADMINS = (Role.ADMIN,)
DELIVERIES_PER_PAGE = 50
# What the endpoint's page shows once after a create or a rotate (the secret stays on the row).
SHOWN_NEW, SHOWN_ROTATED = "new", "rotated"
Status = WebhookDelivery.Status


def _endpoint(request, pk: int) -> WebhookEndpoint:
    return get_for_tenant_or_404(request, WebhookEndpoint, pk=pk)


def _secret_shown_once(request, endpoint: WebhookEndpoint, *, rotated: bool = False):
    response = render(
        request, "ats/webhooks/secret.html", {"endpoint": endpoint, "rotated": rotated}
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
def endpoint_list(request):
    endpoints = tenant_filter(request, WebhookEndpoint).annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
    )
    return render(request, "ats/webhooks/list.html", {"endpoints": endpoints})


@role_required(ADMINS)
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> once.Done:
            endpoint = webhooks.endpoint_create(
                organization=request.organization, **form.cleaned_data
            )
            return once.Done(reverse("webhooks:detail", args=[endpoint.pk]), shown=SHOWN_NEW)

        if response := once.submit_form(request, form, create):
            return response
    return render(
        request,
        "ats/webhooks/form.html",
        {"form": form, "form_key": once.form_key(request)},
        status=400 if form.errors else 200,
    )


@role_required(ADMINS)
def endpoint_detail(request, pk: int):
    endpoint = _endpoint(request, pk)
    if shown := once.pop_shown(request):
        return _secret_shown_once(request, endpoint, rotated=shown == SHOWN_ROTATED)
    deliveries = endpoint.deliveries.prefetch_related("attempt_log")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ats/webhooks/detail.html",
        {"endpoint": endpoint, "page": page, "statuses": Status, "form_key": once.new_key()},
    )


@role_required(ADMINS)
@require_POST
def endpoint_disable(request, pk: int):
    endpoint = _endpoint(request, pk)
    webhooks.endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user}.")
    messages.success(request, "The endpoint is disabled; its pending deliveries were stopped.")
    return redirect("webhooks:detail", endpoint.pk)


@role_required(ADMINS)
@require_POST
def endpoint_enable(request, pk: int):
    endpoint = webhooks.endpoint_enable(endpoint=_endpoint(request, pk))
    messages.success(request, "The endpoint is enabled: new events are sent to it again.")
    return redirect("webhooks:detail", endpoint.pk)


@role_required(ADMINS)
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint(request, pk)

    def rotate() -> once.Done:
        webhooks.endpoint_rotate_secret(endpoint=endpoint)
        return once.Done(reverse("webhooks:detail", args=[endpoint.pk]), shown=SHOWN_ROTATED)

    response = once.submit_once(request, rotate)
    if response is None:
        messages.error(request, once.EXPIRED)
        return redirect("webhooks:detail", endpoint.pk)
    return response


@role_required(ADMINS)
def endpoint_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        webhooks.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"Deleted the endpoint {endpoint.url} and its delivery log.")
        return redirect("webhooks:list")
    return render(request, "ats/webhooks/delete.html", {"endpoint": endpoint})


@role_required(ADMINS)
@require_POST
def delivery_retry(request, pk: int):
    delivery = get_for_tenant_or_404(request, WebhookDelivery, pk=pk)
    try:
        webhooks.delivery_retry(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Delivery {delivery.message_id} is queued to be sent now.")
    return redirect("webhooks:detail", delivery.endpoint_id)
