"""The order result we PUT to Kombo (``PUT /assessment/orders/{id}/result``), built from the
state at send time, so a retried or late row never sends stale figures:

- the candidate submitted the take-home: ``status`` COMPLETED, ``completed_at`` and the
  ``result_url`` (Kombo requires it), nothing else: no number while no one has scored;
- scored: also the candidate's verdict for the role (the application, every stage pooled):
  ``attributes`` (TEXT) for the label, how likely above the bar, the band and bar, track fit
  and level fit; ``score`` and ``max_score`` (0-100) only once the label is decided (not
  "incomplete": ATS users filter on that number); and the evidence report as a PDF
  ``attachment`` (base64 ``data``, as Kombo documents).

``result_url`` is the application's scoped partner report link
(``apps.shortlists.services.partner_report_url``), or the login-only debrief once a recruiter
revoked it.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from apps import outbox
from apps.interviews.models import CandidateSession
from apps.interviews.verdicts import LABELS, Verdict, application_summary
from apps.shortlists.models import ShareLink
from apps.shortlists.services import partner_report_url

from ..models import KomboOrder
from ..orders import orders_to_report
from . import client
from .schemas import ResultBody

KIND = "kombo.result"
MAX_SCORE = 100.0


def kombo_time(value: datetime) -> str:
    """Kombo's documented timestamp format, ``YYYY-MM-DDTHH:mm:ss.sssZ`` (UTC, milliseconds)."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def attach_pdf() -> bool:
    return bool(getattr(settings, "KOMBO_ATTACH_PDF", True))


def _report_pdf(application) -> dict | None:
    from apps.shortlists import pdf

    link = (
        ShareLink.objects.filter(
            application=application,
            audience=ShareLink.Audience.PARTNER,
            revoked_at__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    if link is None:
        return None
    content = pdf.link_pdf(link)
    return {
        "name": pdf.filename(f"{application.candidate.name} evidence report"),
        "content_type": "application/pdf",
        "data": base64.b64encode(content).decode(),
    }


def attributes(result: dict | None) -> list[dict[str, str]]:
    verdict = Verdict.from_result(result)
    summary = application_summary(result)
    if verdict is None or summary is None:
        return []
    rows = [("Label", LABELS.get(verdict.label, verdict.label))]
    if verdict.p_above is not None:
        rows.append(("Likely above the bar", f"{round(100 * verdict.p_above)}%"))
    low, high = verdict.band
    rows.append(("Band", f"{low:.0f}-{high:.0f} of 100"))
    rows.append(("Bar", f"{verdict.bar:g} of 100"))
    if summary.get("track_fit"):
        fit = str(summary["track_fit"]).capitalize()
        rows.append(("Track fit", f"{fit} (answers lean {verdict.orientation_text})"))
    rows.append(("Level fit", verdict.level_fit_text))
    return [{"type": "TEXT", "label": label, "value": value} for label, value in rows]


def result_body(order: KomboOrder) -> dict[str, Any] | None:
    """The body for the order as it is now, or None when there is nothing to report."""
    session = order.session
    if session is None:
        return None
    Status = CandidateSession.Status
    if session.status not in (Status.SUBMITTED, Status.SCORED):
        return None
    invitation = getattr(session, "invitation", None)
    application = session.application
    url = partner_report_url(application) or settings.SITE_URL + reverse(
        "interviews:application_detail", args=[application.pk]
    )
    body: dict[str, Any] = {
        "status": "COMPLETED",
        "result_url": url,
        "completed_at": kombo_time(
            (invitation.submitted_at if invitation else None) or session.updated_at
        ),
    }
    if session.status == Status.SCORED:
        result = application.result or session.result
        summary = application_summary(result) or {}
        body["attributes"] = attributes(result)
        if summary.get("label") not in (None, "incomplete") and summary.get("score") is not None:
            body["score"] = round(float(summary["score"]), 1)
            body["max_score"] = MAX_SCORE
        if attach_pdf() and (attachment := _report_pdf(application)):
            body["attachments"] = [attachment]
    return ResultBody.model_validate(body).model_dump(mode="json", exclude_none=True)


def send(message) -> None:
    """The outbox handler: one PUT of the order's result as it is now."""
    order = (
        KomboOrder.objects.filter(pk=message.payload["order_id"])
        .select_related(
            "connection",
            "session__application__candidate",
            "session__application__organization",
            "session__invitation",
        )
        .first()
    )
    if order is None:
        raise outbox.GiveUp("the Kombo order was removed")
    if order.status == KomboOrder.Status.CANCELLED:
        raise outbox.GiveUp("the order was cancelled in the ATS")
    body = result_body(order)
    if body is None:
        raise outbox.GiveUp("nothing to report for this order")
    client.put_result(order.connection, order.kombo_order_id, body)


def on_event(event: str, obj) -> None:
    """Write the outbox row of the result PUT, in the transaction of the change:
    ``session.submitted`` of a take-home Kombo ordered (once per order), and
    ``application.scored`` of an application whose Kombo-ordered take-home is scored (the
    verdict for the role: a later live stage updates Kombo too)."""
    found = orders_to_report(KomboOrder.objects.all(), event, obj)
    if found is None:
        return
    orders, dedupe = found
    for order in orders.exclude(status=KomboOrder.Status.CANCELLED).select_related("organization"):
        outbox.enqueue(
            KIND,
            {"order_id": order.pk},
            organization=order.organization,
            dedupe_key=f"kombo-result:{order.pk}:{dedupe}" if dedupe else None,
        )
