"""Candidates in: poll the organization's Bullhorn event subscription and act on the
JobSubmissions that reach a status the organization maps.

Rules kept here:

- One poll per connection at a time (a lease on the row); the beat queues one ``bullhorn.poll``
  outbox row per connection and poll period, never for a disabled or paused connection.
- The batch's ``requestId`` is kept as ``pending_request_id`` until every event of it is
  recorded, so a poll that failed half-way fetches the same batch again with Bullhorn's
  ``requestId`` parameter; ``last_request_id`` is the last batch done.
- An event is recorded (``BullhornEvent``, unique per organization) in the same transaction as
  what it caused: a repeated event creates nothing.
- A Candidate UPDATED event of a candidate we brought in takes its name, e-mail and phone
  (an e-mail another of our candidates has is refused, and said so in the event's outcome);
  erased candidates are never given data again.
- The candidate is found by the Bullhorn id (``Candidate.external_ids["bullhorn"]``), then by
  e-mail (and linked), else created; the application for the mapped position is created once;
  the take-home is sent (``invitations.invitation_create``, e-mailed through the outbox) only
  when the mapping says so and the application has no live take-home yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps import outbox
from apps.accounts.models import Organization
from apps.interviews import services as interview_services
from apps.interviews.models import Candidate, CandidateSession
from apps.interviews.services import invitations

from ..models import BullhornApplication, BullhornConnection, BullhornEvent, BullhornStatusMapping
from .client import Client, NotFound
from .services import (
    BATCHES_PER_POLL,
    CANDIDATE_FIELDS,
    MAX_EVENTS,
    POLL_KIND,
    POLL_LEASE,
    SUBMISSION_FIELDS,
    as_id,
    mapping_for,
    poll_seconds,
    subscribe,
    subscription_id_for,
    takehome_days,
)

logger = logging.getLogger(__name__)
Status = BullhornConnection.Status


def poll_enqueue_due(*, now=None) -> int:
    """Queue one poll per active, unpaused connection for this poll period (the dedupe key
    makes a repeated beat tick a no-op). Returns how many were queued."""
    now = now or timezone.now()
    slot = int(now.timestamp()) // poll_seconds()
    connections = BullhornConnection.objects.filter(status=Status.ACTIVE).filter(
        Q(paused_until__isnull=True) | Q(paused_until__lte=now)
    )
    queued = 0
    for connection in connections.select_related("organization"):
        outbox.enqueue(
            POLL_KIND,
            {"connection_id": connection.pk},
            organization=connection.organization,
            dedupe_key=f"bullhorn-poll:{connection.pk}:{slot}",
        )
        queued += 1
    return queued


def _take_poll_lease(connection_id: int) -> bool:
    now = timezone.now()
    return bool(
        BullhornConnection.objects.filter(pk=connection_id, status=Status.ACTIVE)
        .filter(Q(polling_until__isnull=True) | Q(polling_until__lte=now))
        .update(polling_until=now + POLL_LEASE)
    )


def connection_poll(*, connection_id: int) -> int:
    """Fetch and process the subscription's events (up to BATCHES_PER_POLL batches); returns
    how many events were processed. Raises the client's errors (RetryAfter, AuthDead, ...):
    the batch being processed stays pending and is fetched again next time."""
    if not _take_poll_lease(connection_id):
        return 0
    processed = 0
    try:
        connection = BullhornConnection.objects.select_related("organization").get(pk=connection_id)
        client = Client(connection)
        if not connection.subscribed_at:
            subscribe(client)
        for _ in range(BATCHES_PER_POLL):
            count, full = _poll_batch(client)
            processed += count
            if not full:
                break
        BullhornConnection.objects.filter(pk=connection_id).update(last_polled_at=timezone.now())
    finally:
        BullhornConnection.objects.filter(pk=connection_id).update(polling_until=None)
    return processed


def _poll_batch(client: Client) -> tuple[int, bool]:
    """One batch: the pending one again (``requestId``) or the next. (processed, was full)."""
    connection = client.connection
    sub_id = subscription_id_for(connection)
    params = {"maxEvents": MAX_EVENTS}
    pending = connection.pending_request_id
    if pending is not None:
        params["requestId"] = pending
    try:
        data = client.get(f"event/subscription/{sub_id}", **params) or {}
    except NotFound:
        # The subscription is gone (deleted in Bullhorn, or expired unused): subscribe again;
        # events from before that are lost to us, which the page's event list shows.
        logger.warning("Bullhorn subscription %s not found; subscribing again", sub_id)
        subscribe(client)
        return 0, False
    events = [e for e in (data.get("events") or []) if isinstance(e, dict)]
    request_id = data.get("requestId")
    if isinstance(request_id, int) and events:
        BullhornConnection.objects.filter(pk=connection.pk).update(pending_request_id=request_id)
    for event in events:
        event_process(client=client, event=event, request_id=request_id)
    last = request_id if isinstance(request_id, int) else connection.last_request_id
    BullhornConnection.objects.filter(pk=connection.pk).update(
        pending_request_id=None, last_request_id=last
    )
    connection.pending_request_id, connection.last_request_id = None, last
    # A re-fetched batch is done; a new batch that was full may have more behind it.
    return len(events), pending is None and len(events) >= MAX_EVENTS


def event_process(*, client: Client, event: dict, request_id: int | None = None) -> str:
    """Act on one event once; returns its outcome (also recorded on the BullhornEvent)."""
    connection = client.connection
    org_id = connection.organization_id
    event_id = str(event.get("eventId") or "")[:200]
    entity = str(event.get("entityName") or "")[:50]
    entity_id = as_id(event.get("entityId"))
    event_type = str(event.get("entityEventType") or "")[:20]
    if not event_id or BullhornEvent.objects.filter(organization_id=org_id, event_id=event_id):
        return "already processed"

    def record(outcome: str, work=None) -> str:
        try:
            with transaction.atomic():
                BullhornEvent.objects.create(
                    organization_id=org_id,
                    event_id=event_id,
                    request_id=request_id if isinstance(request_id, int) else None,
                    entity_name=entity,
                    entity_id=entity_id,
                    event_type=event_type,
                    outcome=outcome[:300],
                )
                if work is not None:
                    outcome = work()
                    BullhornEvent.objects.filter(organization_id=org_id, event_id=event_id).update(
                        outcome=outcome[:300]
                    )
        except IntegrityError:
            return "already processed"  # a concurrent poll recorded it first
        return outcome

    if entity == "Candidate" and event_type == "UPDATED" and entity_id:
        return _candidate_updated(client, org_id, entity_id, record)
    if entity != "JobSubmission" or event_type not in ("INSERTED", "UPDATED") or not entity_id:
        return record(f"{entity} {event_type}: nothing to do")
    try:
        submission = (client.get(f"entity/JobSubmission/{entity_id}", fields=SUBMISSION_FIELDS)
                      or {}).get("data") or {}  # fmt: skip
    except NotFound:
        return record("the submission is gone")
    status = submission.get("status")
    mapping = mapping_for(org_id, status)
    if mapping is None:
        return record(f"status “{status}” is not mapped")
    candidate_id = as_id(submission.get("candidate"))
    if candidate_id is None:
        return record("the submission has no candidate")
    try:
        person = (client.get(f"entity/Candidate/{candidate_id}", fields=CANDIDATE_FIELDS)
                  or {}).get("data") or {}  # fmt: skip
    except NotFound:
        return record("the candidate is gone")
    incoming = Incoming(
        candidate_id=candidate_id,
        submission_id=entity_id,
        job_order_id=as_id(submission.get("jobOrder")),
        **_contact(person),
    )
    return record("", lambda: submission_apply(mapping=mapping, incoming=incoming))


def _contact(person: dict) -> dict[str, str]:
    """A Bullhorn Candidate's name, e-mail and phone, as we store them."""
    return {
        "name": " ".join(
            p for p in (person.get("firstName"), person.get("lastName")) if isinstance(p, str)
        ).strip(),
        "email": str(person.get("email") or "").strip(),
        "phone": str(person.get("phone") or "")[:50],
    }


def _candidate_updated(client: Client, org_id: int, bullhorn_id: int, record) -> str:
    """A Bullhorn Candidate we brought in changed: take its name, e-mail and phone (the
    recruiter corrects them in Bullhorn, the system of record). Candidates we never brought
    in, and erased ones (their Bullhorn id is gone with their data), are left alone."""
    candidate = Candidate.objects.filter(
        organization_id=org_id, external_ids__bullhorn=str(bullhorn_id), erased_at__isnull=True
    ).first()
    if candidate is None:
        return record("Candidate UPDATED: not a candidate of ours")
    try:
        person = (client.get(f"entity/Candidate/{bullhorn_id}", fields=CANDIDATE_FIELDS)
                  or {}).get("data") or {}  # fmt: skip
    except NotFound:
        return record("the candidate is gone")

    def update() -> str:
        try:
            changed = interview_services.candidate_update_contact(
                candidate=candidate, **_contact(person)
            )
        except ValidationError as exc:
            return f"candidate {candidate.pk} not updated: " + "; ".join(exc.messages)
        if not changed:
            return f"candidate {candidate.pk}: nothing changed"
        return f"candidate {candidate.pk}: {', '.join(changed)} updated"

    return record("", update)


@dataclass(frozen=True)
class Incoming:
    """What Bullhorn told us about a submission that reached a mapped status."""

    candidate_id: int
    submission_id: int
    job_order_id: int | None
    name: str
    email: str
    phone: str


def _candidate_for(organization: Organization, incoming: Incoming) -> Candidate | str:
    """Our candidate for the Bullhorn one (by Bullhorn id, then e-mail, else a new one), or
    the reason there is none."""
    bullhorn_id = str(incoming.candidate_id)
    candidate = Candidate.objects.filter(
        organization=organization, external_ids__bullhorn=bullhorn_id
    ).first()
    if candidate is not None:
        return candidate
    if not incoming.email:
        return "the Bullhorn candidate has no e-mail address"
    candidate = interview_services.candidate_duplicate(
        organization=organization, email=incoming.email
    )
    if candidate is not None:
        try:
            return interview_services.candidate_link_external(
                candidate=candidate, ats="bullhorn", external_id=bullhorn_id
            )
        except ValidationError:
            return f"{incoming.email} already belongs to another Bullhorn candidate"
    try:
        return interview_services.candidate_create(
            organization=organization,
            name=incoming.name or incoming.email,
            email=incoming.email,
            phone=incoming.phone,
            external_ids={"bullhorn": bullhorn_id},
        )
    except ValidationError as exc:
        return "the candidate could not be created: " + "; ".join(exc.messages)


def submission_apply(*, mapping: BullhornStatusMapping, incoming: Incoming) -> str:
    """Do what the mapping says for a submission (in the caller's transaction); idempotent:
    the application is found again, and a live take-home is not sent twice."""
    position = mapping.position
    organization = position.organization
    candidate = _candidate_for(organization, incoming)
    if isinstance(candidate, str):
        return candidate
    application = interview_services.application_for(candidate=candidate, position=position)
    outcome = f"application {application.pk} for {position.title}"
    if mapping.send_takehome:
        live = CandidateSession.objects.filter(
            application=application, mode=CandidateSession.Mode.TAKE_HOME
        ).exclude(status=CandidateSession.Status.CANCELLED)
        if live.exists():
            outcome += "; take-home already sent"
        else:
            try:
                invitations.invitation_create(
                    position=position,
                    candidate=candidate,
                    expires_at=timezone.now() + timedelta(days=takehome_days()),
                    email=candidate.email,
                )
                outcome += "; take-home sent"
            except ValidationError as exc:
                outcome += "; take-home not sent: " + "; ".join(exc.messages)
    BullhornApplication.objects.update_or_create(
        application=application,
        defaults={
            "organization": organization,
            "candidate_id": incoming.candidate_id,
            "submission_id": incoming.submission_id,
            "job_order_id": incoming.job_order_id,
        },
    )
    return outcome
