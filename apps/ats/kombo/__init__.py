"""Kombo's unified assessment API: one integration that reaches Workday, SAP SuccessFactors,
iCIMS, Oracle, SmartRecruiters and the other ATSs Kombo connects.

Kombo calls us, and we call Kombo (shapes in ``schemas.py``, from docs.kombo.dev and Kombo's
generated SDK):

- **Packages** (``packages.py``): one package per take-home stage of the organization's
  positions, ``PUT /assessment/packages`` (the whole list each time), re-published through the
  outbox when a position or stage changes (one row per minute window: many edits, one PUT).
- **Orders in** (``views.webhook``, ``services``): Kombo POSTs ``assessment:order-received``
  signed with ``X-Kombo-Signature`` (base64url HMAC-SHA256 of the raw body with the webhook
  secret). We store the order once per order id and answer 200; the outbox task makes the
  candidate, the application and the take-home invitation of the ordered stage. Kombo documents
  no cancel webhook: an order received again with status CANCELLED or REJECTED, or found so by
  the periodic ``GET /assessment/orders`` (``sync.py``), cancels ours (invitation revoked).
- **Results out** (``results.py``): ``PUT /assessment/orders/{id}/result`` when the take-home
  is submitted (status only) and when the application is scored (score, attributes, report
  link, PDF attachment).

Rules: the API key and the webhook secret are encrypted at rest (``apps.accounts.crypto``);
every outbound call is an outbox row (``kombo.packages``, ``kombo.order``, ``kombo.result``);
a Retry-After from Kombo delays the retry (``outbox.RetryLater(after_seconds=...)``); every
query is scoped to the connection's organization.
"""

from __future__ import annotations

from . import packages, results, services, sync
from .tasks import sync_orders  # noqa: F401 - registers the beat's task

ORDER_KIND = services.ORDER_KIND
PACKAGES_KIND = packages.KIND
UNPUBLISH_KIND = packages.UNPUBLISH_KIND
RESULT_KIND = results.KIND
SYNC_KIND = sync.KIND

on_event = results.on_event
order_send = services.order_send
packages_send = packages.send
packages_unpublish = packages.unpublish
result_send = results.send
sync_send = sync.send
watch_plans = packages.watch_plans

__all__ = [
    "ORDER_KIND",
    "PACKAGES_KIND",
    "RESULT_KIND",
    "SYNC_KIND",
    "on_event",
    "order_send",
    "packages_send",
    "result_send",
    "sync_send",
    "watch_plans",
]
