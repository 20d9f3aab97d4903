"""Results out: when an application that came from Bullhorn is scored (a new result, so
perhaps a new label), a Note and the PDF report are written to the Bullhorn candidate.

Rules kept here:

- The Note (``PUT entity/Note``) carries the org's Note action, ``personReference`` = the
  candidate, ``jobOrder`` where known, and in ``comments`` the label, how likely above the bar,
  the band, track fit, level fit and the scoped report link (``partner_report_url``).
- The PDF (``PUT file/Candidate/{id}``, base64, ``fileType`` "SAMPLE" as the docs require) has
  an ``externalID`` fixed per application. A rescore updates that file in place: Bullhorn
  documents ``POST /file/{entity}/{id}/{fileId}`` as "updates a file attachment" (it also
  documents ``DELETE``, a soft delete, which we only meet as a 404 when a user deleted the
  file; then a new one is attached).
- What was written is remembered by a digest of the result (``note_digest``, ``file_digest``):
  a retried row or a rescore that changed nothing writes nothing twice.
- A connection that is not active fails the row (GiveUp); reconnecting queues every
  Bullhorn application's result again (``results_requeue``), and the digests skip what was
  already written.
"""

from __future__ import annotations

import base64
import hashlib
import json

from django.utils import timezone

from apps import outbox
from apps.interviews.models import Application
from apps.interviews.verdicts import FIT_TEXT, LABELS, ORIENTATION_TEXT, application_summary

from ..models import BullhornApplication, BullhornConnection
from .client import Client, NotFound
from .services import RESULT_KIND, as_id

Status = BullhornConnection.Status


def result_enqueue(application: Application) -> None:
    """Queue the write-back of the application's result (in the caller's transaction) when
    the application came from Bullhorn and the connection is active."""
    linked = BullhornApplication.objects.filter(
        application_id=application.pk,
        organization__bullhorn_connection__status=Status.ACTIVE,
    ).exists()
    if linked:
        outbox.enqueue(
            RESULT_KIND, {"application_id": application.pk}, organization=application.organization
        )


def results_requeue(organization_id: int) -> None:
    """After a (re)connect: queue the results not yet written, one row per application."""
    links = BullhornApplication.objects.filter(
        organization_id=organization_id, application__scored_at__isnull=False
    )
    for link in links.select_related("application__organization").iterator(chunk_size=500):
        summary = application_summary(link.application.result)
        if not summary or link.note_digest == link.file_digest == result_digest(summary):
            continue
        outbox.enqueue(
            RESULT_KIND,
            {"application_id": link.application_id},
            organization=link.application.organization,
        )


def result_digest(summary: dict) -> str:
    return hashlib.sha256(json.dumps(summary, sort_keys=True, default=str).encode()).hexdigest()


def note_comments(application: Application, summary: dict, report_url: str | None) -> str:
    """The Note's text: what a recruiter reads first, and where the full report is."""
    position = application.position
    lines = [f"InterviewBank result: {position.title} ({position.client_company})"]
    label = summary.get("label")
    lines.append(f"Label: {LABELS.get(label, label or 'not scored')}")
    p_above = summary.get("p_above")
    if isinstance(p_above, int | float):
        lines.append(f"How likely above the bar: {round(100 * p_above)}%")
    band = summary.get("band") or []
    if len(band) == 2:
        bar = summary.get("bar")
        low, high = (round(float(v)) for v in band)
        lines.append(f"Band: {low} to {high}" + (f" (bar {round(float(bar))})" if bar else ""))
    fit = summary.get("track_fit")
    if fit:
        orientation = ORIENTATION_TEXT.get(summary.get("track_orientation") or "", "")
        lines.append(
            f"Track fit: {FIT_TEXT.get(fit, fit)}" + (f" ({orientation})" if orientation else "")
        )
    if summary.get("level_fit"):
        lines.append(f"Level fit: {str(summary['level_fit']).replace('_', ' ')}")
    if report_url:
        lines.append(f"Report: {report_url}")
    return "\n".join(lines)


def result_write(*, application_id: int) -> str:
    """Write the application's current result to Bullhorn: a Note, then the PDF file. Each
    part is skipped when that result was already written. Returns what was done."""
    from apps.shortlists.pdf import report_pdf
    from apps.shortlists.reports import Redaction
    from apps.shortlists.services import partner_report_url

    link = (
        BullhornApplication.objects.select_related(
            "application__position", "application__organization", "organization"
        )
        .filter(application_id=application_id)
        .first()
    )
    if link is None:
        return "not a Bullhorn application"
    connection = BullhornConnection.objects.filter(organization_id=link.organization_id).first()
    if connection is None or connection.status != Status.ACTIVE:
        # Queued again by results_requeue once an admin reconnects.
        raise outbox.GiveUp("the Bullhorn connection is not active")
    application = link.application
    summary = application_summary(application.result)
    if not summary:
        return "no result"
    digest = result_digest(summary)
    client = Client(connection)
    done = []
    if link.note_digest != digest:
        body = {
            "action": connection.note_action,
            "comments": note_comments(application, summary, partner_report_url(application)),
            "personReference": {"id": link.candidate_id},
            "isDeleted": False,
        }
        if link.job_order_id:
            body["jobOrder"] = {"id": link.job_order_id}
        answer = client.put("entity/Note", json=body) or {}
        BullhornApplication.objects.filter(pk=link.pk).update(
            note_id=as_id(answer.get("changedEntityId")),
            note_digest=digest,
            written_at=timezone.now(),
        )
        done.append("note")
    if link.file_digest != digest:
        pdf = report_pdf([application], redaction=Redaction(), isa95_map=True)
        file_body = {
            "externalID": f"interviewbank-application-{application.pk}",
            "fileContent": base64.b64encode(pdf).decode(),
            "fileType": "SAMPLE",
            "name": f"interviewbank-report-{application.pk}.pdf",
            "contentType": "application/pdf",
            "description": "InterviewBank evidence report",
        }
        file_id = link.file_id
        if file_id:
            try:
                client.post(f"file/Candidate/{link.candidate_id}/{file_id}", json=file_body)
            except NotFound:
                file_id = None  # deleted in Bullhorn: attach a new one
        if not file_id:
            answer = client.put(f"file/Candidate/{link.candidate_id}", json=file_body) or {}
            file_id = as_id(answer.get("fileId"))
        BullhornApplication.objects.filter(pk=link.pk).update(
            file_id=file_id, file_digest=digest, written_at=timezone.now()
        )
        done.append("file")
    return ", ".join(done) or "already written"
