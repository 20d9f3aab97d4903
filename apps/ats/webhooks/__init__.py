"""Outgoing webhooks, signed per Standard Webhooks (https://www.standardwebhooks.com/).

The flow, and the rule each step keeps:

1. ``on_event`` (a listener of ``apps.interviews.events``) runs inside the transaction of the
   change it describes. It serialises the payload once and writes one outbox row
   (``WebhookDelivery``) per active endpoint subscribed to the event: the rows commit or roll
   back with the change. The task is queued only after the commit.
2. ``delivery_attempt`` (the ``deliver_webhook`` task) *claims* a due row in a short
   transaction: it counts the attempt, opens an attempt log row and moves ``next_attempt_at``
   one lease ahead. No transaction stays open during the HTTP call.
3. The POST carries the stored body bytes, ``webhook-id`` (the row's ``message_id``, the same on
   every attempt), ``webhook-timestamp`` and ``webhook-signature``. Then the outcome is recorded:
   2xx delivered, 410 the endpoint is disabled, anything else the next step of the schedule.
4. A worker that dies mid-request leaves the row pending with its lease: once the lease runs
   out, the periodic sweep (``deliveries_due``) queues it again, and the receiver gets the same
   ``webhook-id``. Delivery is at least once; receivers de-duplicate by ``webhook-id``.

Addresses are checked twice: when an endpoint is registered and before every request (the
request then goes to the address that was checked, so DNS cannot swap it in between).
``addresses`` is the one check for every outbound call, Greenhouse's callback included.

Module map: ``addresses`` (where we may send, the pinned request), ``signing``, ``outbox``
(endpoints, events -> rows), ``delivery`` (claim, send, record, sweep), ``tasks`` (Celery, on
the ``webhooks`` queue), and the admins' pages: ``forms``, ``views``, ``urls``.
"""

from .addresses import (
    CONNECT_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
    TIMEOUT_SECONDS,
    Target,
    UnsafeURL,
    address_problem,
    check_url,
    http_post,
    http_request,
    url_problem,
)
from .delivery import (
    INTERRUPTED,
    LEASE,
    SCHEDULE_SECONDS,
    _claim,
    _record,
    deliveries_due,
    delivery_attempt,
    delivery_in_flight,
    delivery_retry,
    parse_retry_after,
    retry_delay,
)
from .outbox import (
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_rotate_secret,
    event_payload,
    on_event,
    queue_delivery,
    serialize,
)
from .signing import SECRET_PREFIX, new_message_id, new_secret, sign, signed_headers

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "INTERRUPTED",
    "LEASE",
    "READ_TIMEOUT_SECONDS",
    "SCHEDULE_SECONDS",
    "SECRET_PREFIX",
    "TIMEOUT_SECONDS",
    "Target",
    "UnsafeURL",
    "_claim",
    "_record",
    "address_problem",
    "check_url",
    "deliveries_due",
    "delivery_attempt",
    "delivery_in_flight",
    "delivery_retry",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_enable",
    "endpoint_rotate_secret",
    "event_payload",
    "http_post",
    "http_request",
    "new_message_id",
    "new_secret",
    "on_event",
    "parse_retry_after",
    "queue_delivery",
    "retry_delay",
    "serialize",
    "sign",
    "signed_headers",
    "url_problem",
]
