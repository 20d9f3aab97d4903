"""Greenhouse Assessment Partner API: the four endpoints Greenhouse calls on us, and the PATCH
we send back (through the outbox) when the candidate completes a test it ordered and when it is
scored.

Shapes and status codes follow Greenhouse's documentation, "Assessment API"
(https://developers.greenhouse.io/assessment.html, source in github.com/grnhse/greenhouse-api-docs,
change log up to 19 Oct 2023):

- Every call is HTTP Basic over HTTPS: the organization's API key as the username, an empty
  password. Failed authentication is 401, an unknown resource 404; success is 2xx.
- ``GET list_tests`` -> ``[{"partner_test_id": "12345", "partner_test_name": "My First Test"}]``.
  A test here is a position whose take-home kit has written or scenario questions.
- ``POST send_test`` with ``{"partner_test_id", "candidate": {"first_name", "last_name",
  "resume_url", "phone_number", "email", "greenhouse_profile_url"}, "url"}`` (required:
  partner_test_id, first_name, last_name, email, greenhouse_profile_url, url) ->
  ``{"partner_interview_id": "98765"}`` (a string). We e-mail the test to ``email``.
  ``preferred_name`` and ``sent_by`` are not in the documented payload; they are used when sent.
- PATCH to that ``url`` with no parameters, Basic auth with the customer's key, when the
  candidate completes the test and when it is scored (callback.py, tasks.py).
- ``GET test_status?partner_interview_id=...`` -> ``{"partner_status", "partner_profile_url",
  "partner_score", "metadata"}``: status ``"complete"`` once results are available (Greenhouse
  stops asking then), other values are ours; the profile URL is required when complete; the
  metadata is a flat object of JavaScript primitives shown in Greenhouse's test results.
- ``POST request_errors`` (the documented example URL; "response_error" in the docs' prose)
  with ``{"api_call", "errors", "partner_test_id", "partner_test_name", "partner_interview_id",
  "candidate_email"}`` -> 200 ``{"status": 200}``.

The docs give no body for errors; ours use DRF's ``{"detail": "..."}`` (plus ``"errors"`` by
field on a 400). Everything is scoped to the API key's organization: another tenant's test or
interview id is a 404, as is a session Greenhouse did not order.
"""

from __future__ import annotations

from apps import outbox

from ..models import GreenhouseOrder
from ..orders import orders_to_report
from .callback import CallbackFailed, CallbackRefused, greenhouse_callback
from .tasks import greenhouse_notify  # noqa: F401 - registers the legacy task name
from .views import ListTests, RequestErrors, SendTest, TestStatus

__all__ = [
    "CALLBACK_KIND",
    "ListTests",
    "RequestErrors",
    "SendTest",
    "TestStatus",
    "callback_send",
    "on_event",
]

# The outbox kind of the PATCH to Greenhouse (payload: {"order_id": ...}).
CALLBACK_KIND = "greenhouse.callback"


def callback_send(message) -> None:
    """The outbox handler: one PATCH per attempt. A refused URL fails the row for good; a
    failed PATCH is retried with the outbox's backoff."""
    try:
        greenhouse_callback(order_id=message.payload["order_id"], attempt=message.attempts)
    except CallbackRefused as exc:
        raise outbox.GiveUp(str(exc)) from None
    except CallbackFailed as exc:
        raise outbox.RetryLater(str(exc)) from None


def on_event(event: str, obj) -> None:
    """Write the outbox row of the PATCH to Greenhouse, in the transaction of the change:

    - ``session.submitted`` of a take-home Greenhouse ordered: the candidate completed the test
      (once per order);
    - ``application.scored`` of an application whose Greenhouse-ordered take-home is scored: the
      report carries the candidate's verdict for the role, so a later live stage updates
      Greenhouse too.

    The row is sent after commit (or by the outbox sweep, if the broker is down then)."""
    found = orders_to_report(GreenhouseOrder.objects.all(), event, obj)
    if found is None:
        return
    orders, dedupe = found
    for order in orders.exclude(callback_url="").select_related("organization"):
        outbox.enqueue(
            CALLBACK_KIND,
            {"order_id": order.pk},
            organization=order.organization,
            dedupe_key=f"greenhouse:{order.pk}:{dedupe}" if dedupe else None,
        )
