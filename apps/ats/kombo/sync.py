"""Cancellations from Kombo: Kombo documents no cancel webhook, but its orders carry a status
(OPEN, COMPLETED, CANCELLED, REJECTED) and ``GET /assessment/orders`` filters by ``ids`` and
``statuses``. So the beat (``kombo-sync-orders``) writes one ``kombo.sync`` outbox row per
connection with open orders and period (dedupe key), and the row asks Kombo which of them are
cancelled or rejected; each one found is cancelled here (``services.order_closed``: once).

Answer shape (documented): ``{"status": "success", "data": {"next": <cursor or null>,
"results": [{"id", "package_id", "status", ...}]}}``; ``page_size`` at most 250.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from apps import outbox

from ..models import KomboConnection, KomboOrder
from . import client
from .services import CLOSED, order_closed

KIND = "kombo.sync"
IDS_PER_CALL = 100
MAX_PAGES = 20
OPEN = (KomboOrder.Status.RECEIVED, KomboOrder.Status.CREATED)


def period_seconds() -> int:
    return int(getattr(settings, "KOMBO_SYNC_SECONDS", 300))


def sync_enqueue() -> int:
    """One sync row per connection that has open orders, per period; returns how many."""
    bucket = int(timezone.now().timestamp() // period_seconds())
    connections = (
        KomboConnection.objects.filter(orders__status__in=OPEN)
        .exclude(api_key_encrypted="")  # disconnected: nothing calls Kombo
        .select_related("organization")
    )
    count = 0
    for connection in connections.distinct():
        outbox.enqueue(
            KIND,
            {"connection_id": connection.pk},
            organization=connection.organization,
            dedupe_key=f"kombo-sync:{connection.pk}:{bucket}",
        )
        count += 1
    return count


def send(message) -> None:
    """The outbox handler: ask Kombo about our open orders, cancel those it closed."""
    connection = KomboConnection.objects.filter(pk=message.payload["connection_id"]).first()
    if connection is None:
        raise outbox.GiveUp("the Kombo connection was removed")
    open_orders = {
        o.kombo_order_id: o
        for o in KomboOrder.objects.filter(connection=connection, status__in=OPEN).select_related(
            "organization"
        )
    }
    ids = sorted(open_orders)
    for start in range(0, len(ids), IDS_PER_CALL):
        params = {
            "ids": ",".join(ids[start : start + IDS_PER_CALL]),
            "statuses": ",".join(CLOSED),
            "page_size": 250,
        }
        for _ in range(MAX_PAGES):
            answer = client.get(connection, "/assessment/orders", params)
            data = answer.get("data") or {}
            for found in data.get("results") or []:
                order = open_orders.get(str(found.get("id")))
                if order is not None and found.get("status") in CLOSED:
                    order_closed(order=order, kombo_status=found["status"])
            if not data.get("next"):
                break
            params = {**params, "cursor": data["next"]}
