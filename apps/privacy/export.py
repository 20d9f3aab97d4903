"""Data access (GDPR art. 15, CCPA "right to know"): everything held about one candidate.

``candidate_export`` answers a zip:

- ``candidate.json``: the document below (``FORMAT``), dates ISO 8601 in UTC;
- ``report.pdf``: the evidence report of every application (apps.shortlists' WeasyPrint
  report, with the interviewers' notes, without their names), when there is an application;
- ``files/<answer id>-<name>``: the files the candidate attached to take-home answers.

Shape of ``candidate.json`` (every list may be empty)::

    {"format": "interviewbank.candidate-export/1", "generated_at",
     "organization": {"name", "privacy_contact"},
     "candidate": {"id", "name", "email", "phone", "external_ids", "created_at", "erased_at"},
     "applications": [{"id", "position": {"id", "title", "client_company"}, "state",
        "state_reason", "state_changed_at", "role": {"track", "level", "bar"}, "result",
        "legal_hold": {"on", "reason", "since"}, "created_at",
        "decisions": [{"state", "reason", "decided_at"}],
        "client_decisions": [{"decision", "comment", "contact_name", "decided_at"}],
        "shortlists": [{"title", "summary", "added_at"}],
        "share_links": [{"id", "subject", "audience", "contact_name", "created_at",
                         "expires_at", "revoked_at", "accesses": [{"kind", "at"}]}],
        "sessions": [{"id", "mode", "status", "stage", "scheduled_at", "location",
            "created_at", "scored_at", "result",
            "items": [{"order", "question_key", "competency", "prompt",
                       "answer": {"text", "saved_at", "discussed_live_at",
                                  "attachment": {"name", "type", "size", "file"}} | null}],
            "scorecards": [{"interviewer", "status", "recommendation", "notes", "submitted_at",
                "ratings": [{"item", "criterion", "value"}],
                "item_notes": [{"item", "notes", "red_flags", "not_asked"}],
                "corrections": [{"field", "old_value", "new_value", "reason", "corrected_at"}]}],
            "invitation": {"email", "instructions", "expires_at", "sent_at", "opened_at",
                           "started_at", "submitted_at", "revoked_at"} | null,
            "ats": {"greenhouse": {"partner_test_id", "created_at", "request"}} | {}}]}]}

Rules it keeps: interviewers are named "Interviewer 1", "Interviewer 2", ... per session (other
people's data is not the candidate's to receive: GDPR art. 15(4)); an interviewer's private
scratch pad (ItemNote.scratch) is never exported, as its model promises. A constant number of
queries whatever the number of applications, sessions and answers (the PDF's own aside).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from apps.ats.models import GreenhouseOrder
from apps.interviews.models import (
    Answer,
    Application,
    ApplicationDecision,
    Candidate,
    CandidateSession,
    Invitation,
    ItemNote,
    Rating,
    Scorecard,
    ScorecardCorrection,
    SessionItem,
)
from apps.shortlists.models import ClientDecision, ShareAccess, ShareLink, ShortlistEntry

FORMAT = "interviewbank.candidate-export/1"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _group(rows, key: str) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _attachment_path(answer: Answer) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in answer.attachment_name)
    return f"files/{answer.pk}-{safe or 'attachment'}"


def candidate_document(candidate: Candidate) -> dict[str, Any]:
    """The ``candidate.json`` document (the module docstring gives its shape)."""
    applications = list(
        Application.objects.filter(candidate=candidate)
        .select_related("position")
        .order_by("created_at", "pk")
    )
    app_ids = [a.pk for a in applications]
    sessions = list(
        CandidateSession.objects.filter(candidate=candidate)
        .select_related("stage")
        .order_by("created_at", "pk")
    )
    session_ids = [s.pk for s in sessions]
    items = _group(
        SessionItem.objects.filter(session_id__in=session_ids).order_by("order"), "session_id"
    )
    answers = {a.item_id: a for a in Answer.objects.filter(item__session_id__in=session_ids)}
    cards = _group(
        Scorecard.objects.filter(session_id__in=session_ids).order_by("created_at", "pk"),
        "session_id",
    )
    card_ids = [c.pk for cs in cards.values() for c in cs]
    ratings = _group(
        Rating.objects.filter(scorecard_id__in=card_ids).order_by("item_id", "criterion_key"),
        "scorecard_id",
    )
    notes = _group(
        ItemNote.objects.filter(scorecard_id__in=card_ids).order_by("item_id"), "scorecard_id"
    )
    corrections = _group(
        ScorecardCorrection.objects.filter(scorecard_id__in=card_ids), "scorecard_id"
    )
    invitations = {i.session_id: i for i in Invitation.objects.filter(session_id__in=session_ids)}
    orders = {o.session_id: o for o in GreenhouseOrder.objects.filter(session_id__in=session_ids)}
    decisions = _group(
        ApplicationDecision.objects.filter(application_id__in=app_ids), "application_id"
    )
    client = _group(ClientDecision.objects.filter(application_id__in=app_ids), "application_id")
    entries = _group(
        ShortlistEntry.objects.filter(application_id__in=app_ids).select_related("shortlist"),
        "application_id",
    )
    shortlist_ids = {e.shortlist_id for es in entries.values() for e in es}
    links = list(
        ShareLink.objects.filter(application_id__in=app_ids)
        | ShareLink.objects.filter(shortlist_id__in=shortlist_ids)
    )
    accesses = _group(ShareAccess.objects.filter(link__in=links).order_by("at", "pk"), "link_id")
    item_order = {i.pk: i.order + 1 for its in items.values() for i in its}

    def item_data(item: SessionItem) -> dict:
        answer = answers.get(item.pk)
        return {
            "order": item.order + 1,
            "question_key": item.question_key,
            "competency": item.competency_name,
            "prompt": item.prompt,
            "answer": None
            if answer is None
            else {
                "text": answer.text,
                "saved_at": iso(answer.saved_at),
                "discussed_live_at": iso(answer.discussed_live_at),
                "attachment": {
                    "name": answer.attachment_name,
                    "type": answer.attachment_type,
                    "size": answer.attachment_size,
                    "file": _attachment_path(answer),
                }
                if answer.attachment
                else None,
            },
        }

    def card_data(card: Scorecard, number: int, red_flags: dict[int, list]) -> dict:
        return {
            "interviewer": f"Interviewer {number}",
            "status": card.status,
            "recommendation": card.recommendation,
            "notes": card.notes,
            "submitted_at": iso(card.submitted_at),
            "ratings": [
                {"item": item_order.get(r.item_id), "criterion": r.criterion_key, "value": r.value}
                for r in ratings[card.pk]
            ],
            "item_notes": [
                {
                    "item": item_order.get(n.item_id),
                    "notes": n.notes,
                    "red_flags": [
                        red_flags[n.item_id][i]
                        for i in n.red_flags
                        if isinstance(i, int) and 0 <= i < len(red_flags[n.item_id])
                    ],
                    "not_asked": n.not_asked,
                }
                for n in notes[card.pk]
            ],
            "corrections": [
                {
                    "field": c.field,
                    "old_value": c.old_value,
                    "new_value": c.new_value,
                    "reason": c.reason,
                    "corrected_at": iso(c.corrected_at),
                }
                for c in corrections[card.pk]
            ],
        }

    def session_data(session: CandidateSession) -> dict:
        session_items = items[session.pk]
        red_flags = {
            i.pk: [f.get("text", "") if isinstance(f, dict) else str(f) for f in i.red_flags]
            for i in session_items
        }
        invitation = invitations.get(session.pk)
        order = orders.get(session.pk)
        return {
            "id": session.pk,
            "mode": session.mode,
            "status": session.status,
            "stage": session.stage.name if session.stage else None,
            "scheduled_at": iso(session.scheduled_at),
            "location": session.location,
            "created_at": iso(session.created_at),
            "scored_at": iso(session.scored_at),
            "result": session.result,
            "items": [item_data(i) for i in session_items],
            "scorecards": [
                card_data(c, n, red_flags) for n, c in enumerate(cards[session.pk], start=1)
            ],
            "invitation": None
            if invitation is None
            else {
                "email": invitation.email,
                "instructions": invitation.instructions,
                **{
                    f: iso(getattr(invitation, f))
                    for f in (
                        "expires_at",
                        "sent_at",
                        "opened_at",
                        "started_at",
                        "submitted_at",
                        "revoked_at",
                    )
                },
            },
            "ats": {}
            if order is None
            else {
                "greenhouse": {
                    "partner_test_id": order.partner_test_id,
                    "created_at": iso(order.created_at),
                    "request": order.request_payload,
                }
            },
        }

    by_application = _group(sessions, "application_id")

    def link_data(link: ShareLink) -> dict:
        return {
            "id": link.pk,
            "subject": "report" if link.application_id else "shortlist",
            "audience": link.audience,
            "contact_name": link.contact_name,
            "created_at": iso(link.created_at),
            "expires_at": iso(link.expires_at),
            "revoked_at": iso(link.revoked_at),
            "accesses": [{"kind": a.kind, "at": iso(a.at)} for a in accesses[link.pk]],
        }

    def application_data(application: Application) -> dict:
        own_shortlists = {e.shortlist_id for e in entries[application.pk]}
        return {
            "id": application.pk,
            "position": {
                "id": application.position_id,
                "title": application.position.title,
                "client_company": application.position.client_company,
            },
            "state": application.state,
            "state_reason": application.state_reason,
            "state_changed_at": iso(application.state_changed_at),
            "role": {
                "track": application.role_track,
                "level": application.role_level,
                "bar": application.role_bar,
            },
            "result": application.result,
            "legal_hold": {
                "on": application.legal_hold,
                "reason": application.legal_hold_reason,
                "since": iso(application.legal_hold_at) if application.legal_hold else None,
            },
            "created_at": iso(application.created_at),
            "decisions": [
                {"state": d.state, "reason": d.reason, "decided_at": iso(d.decided_at)}
                for d in decisions[application.pk]
            ],
            "client_decisions": [
                {
                    "decision": d.decision,
                    "comment": d.comment,
                    "contact_name": d.contact_name,
                    "decided_at": iso(d.decided_at),
                }
                for d in client[application.pk]
            ],
            "shortlists": [
                {"title": e.shortlist.title, "summary": e.summary, "added_at": iso(e.added_at)}
                for e in entries[application.pk]
            ],
            "share_links": [
                link_data(link)
                for link in links
                if link.application_id == application.pk or link.shortlist_id in own_shortlists
            ],
            "sessions": [session_data(s) for s in by_application[application.pk]],
        }

    organization = candidate.organization
    return {
        "format": FORMAT,
        "generated_at": iso(timezone.now()),
        "organization": {
            "name": organization.name,
            "privacy_contact": organization.privacy_contact,
        },
        "candidate": {
            "id": candidate.pk,
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "external_ids": candidate.external_ids or {},
            "created_at": iso(candidate.created_at),
            "erased_at": iso(candidate.erased_at),
        },
        "applications": [application_data(a) for a in applications],
        "_attachments": [a for a in answers.values() if a.attachment],
        "_applications": applications,
    }


def candidate_export(candidate: Candidate) -> bytes:
    """The zip of ``candidate.json``, ``report.pdf`` and the attached files."""
    from apps.shortlists import pdf
    from apps.shortlists.reports import Redaction

    document = candidate_document(candidate)
    attachments: list[Answer] = document.pop("_attachments")
    applications: list[Application] = document.pop("_applications")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "candidate.json", json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)
        )
        if applications:
            archive.writestr(
                "report.pdf",
                pdf.report_pdf(applications, redaction=Redaction(show_notes=True), isa95_map=True),
            )
        for answer in attachments:
            with answer.attachment.open("rb") as handle:
                archive.writestr(_attachment_path(answer), handle.read())
    return buffer.getvalue()


def export_filename(candidate: Candidate) -> str:
    return f"candidate-{candidate.pk}-data.zip"
