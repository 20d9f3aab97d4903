"""Greenhouse Assessment Partner API: the four endpoints Greenhouse calls on us, and the PATCH
we send back when a test it ordered is scored.

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
- PATCH to that ``url`` with no parameters when the test is completed (greenhouse_tasks.py).
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

from django.db import transaction

from apps.interviews.models import CandidateSession

from ..greenhouse_tasks import greenhouse_notify
from ..models import GreenhouseOrder
from .views import ListTests, RequestErrors, SendTest, TestStatus

__all__ = ["ListTests", "RequestErrors", "SendTest", "TestStatus", "on_event"]


def on_event(event: str, obj) -> None:
    """On ``application.scored`` of an application whose take-home stage Greenhouse ordered
    and that stage is scored, PATCH its URL after commit: the report carries the candidate's
    verdict for the role, so a later live stage updates Greenhouse too.

    Runs inside the scoring transaction; ``robust`` keeps a failure to queue (or, with eager
    Celery, to deliver) from turning a committed scorecard submit into an error page."""
    if event != "application.scored":
        return
    order_ids = list(
        GreenhouseOrder.objects.filter(
            session__application_id=obj.pk, session__status=CandidateSession.Status.SCORED
        )
        .exclude(callback_url="")
        .values_list("pk", flat=True)
    )
    for order_id in order_ids:

        def notify(order_id: int = order_id) -> None:
            greenhouse_notify.delay(order_id)

        transaction.on_commit(notify, robust=True)
