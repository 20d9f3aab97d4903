"""Legal holds, and the erasure of a candidate's personal data (GDPR art. 17, CCPA deletion).

Rules it keeps:
- ``erase_candidate`` runs in one transaction: everything named below is erased, or nothing is.
  Attachment files are deleted once it commits (a rollback keeps them).
- A candidate with any application on legal hold is never erased: ``ErasureRefused`` names the
  application and the hold's reason, and nothing changes.
- Erasing twice is a no-op that says so (``Erasure.already``).
- The anonymous inputs of item statistics, calibration and the pooled score stay: Rating rows,
  the frozen SessionItems, scorecard recommendations, red-flag indexes and "not asked" marks,
  session and application results, pipeline states and their dates. The candidate row stays as
  "Erased candidate #<id>" with ``erased_at`` so those rows keep their place.
- A hold and an erasure lock the candidate row first, so one of two racing requests waits for
  the other and sees its outcome.

Where personal data lives, and what happens to it (grep the models when adding one):
- Candidate: name, e-mail, phone, ATS ids -> placeholders.
- Application.state_reason, legal_hold_reason; ApplicationDecision.reason -> blank.
- CandidateSession.location; Scorecard.notes; ItemNote.notes and scratch -> blank;
  ScorecardCorrection.reason -> "[erased]" (the corrected rating values stay).
- Invitation e-mail -> the placeholder address; instructions -> blank; the link revoked.
- Answer text, paste log, attachment (file deleted) -> blank.
- ShortlistEntry rows (the recruiter's summary) deleted; ClientDecision.comment -> blank; the
  candidate's own report links revoked (the access log holds no personal data and stays).
- GreenhouseOrder.request_payload and KomboOrder.payload/error -> empty; GreenhouseErrorReport
  naming the candidate -> scrubbed. (Bullhorn keeps ids and digests only.)
- OutboxMessage: pending rows about the candidate (by id, or naming them) are cancelled; every
  row of the organization naming them is scrubbed. WebhookDelivery likewise (the body) and
  their attempts' error text.
- The audit log (``apps.audit.events.scrub``, called last: it also logged this erasure's own
  saves) and the Django admin's LogEntry texts.
- Scheduled sessions (nothing rated yet) are cancelled, and interviewers whose calendar invite
  went out get a cancellation naming the placeholder; stored results are not recomputed.
- SelfReport (self-reported groups, apps.fairness) deleted (``fairness.forget``).
- FormSubmission holds a user, a random key and a result URL: no candidate data.
- Search indexes: there are none beyond the database's own indexes, which follow the rows.
- The NDJSON export (apps/ats/export.py) joins the candidate's name and e-mail when it reads
  (never from a stored copy, export parts included): every export started after the erasure
  committed streams the placeholders. One already streaming reads one database snapshot (a
  single COPY on PostgreSQL), so it may still carry the values it started with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from apps import outbox
from apps.ats.models import (
    GreenhouseErrorReport,
    GreenhouseOrder,
    KomboOrder,
    WebhookDelivery,
    WebhookDeliveryAttempt,
)
from apps.audit import events
from apps.fairness import services as fairness
from apps.fairness.models import SelfReport
from apps.interviews.models import (
    Answer,
    Application,
    ApplicationDecision,
    Candidate,
    CandidateSession,
    Invitation,
    ItemNote,
    Scorecard,
    ScorecardCorrection,
)
from apps.interviews.services import session_cancel
from apps.outbox.models import OutboxMessage
from apps.shortlists.models import ClientDecision, ShareLink, ShortlistEntry

ERASED = events.ERASED
CANCELLED = "cancelled: the candidate's personal data was erased"
# Identifiers shorter than this (a two-letter ATS id) are not searched for in free text: they
# would match unrelated words. The rows that hold them by structure are erased anyway.
MIN_SCRUB_LENGTH = 4


class ErasureRefused(Exception):
    """The candidate has an application on legal hold; nothing was changed."""

    def __init__(self, application: Application):
        self.application = application
        super().__init__(
            f"Application #{application.pk} ({application.position.title}) is on legal hold: "
            f"{application.legal_hold_reason or 'no reason given'}. Clear the hold first."
        )


@dataclass
class Erasure:
    candidate: Candidate
    already: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def erased_name(candidate_id: int) -> str:
    return f"Erased candidate #{candidate_id}"


def erased_email(candidate_id: int) -> str:
    # Unique per candidate: the organization's one-candidate-per-e-mail constraint still holds.
    return f"erased-{candidate_id}@erased.invalid"


# -- legal hold ------------------------------------------------------------------------------


def _locked_application(application: Application) -> Application:
    # The candidate row is the lock every hold and erasure of that candidate takes first.
    Candidate.objects.select_for_update().filter(pk=application.candidate_id).first()
    return Application.objects.select_related("candidate", "position").get(pk=application.pk)


@transaction.atomic
def legal_hold_set(*, application: Application, by, reason: str) -> Application:
    """Put ``application`` on legal hold: its candidate cannot be erased until it is cleared."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the application is on hold (e.g. the claim)."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1000 characters."})
    locked = _locked_application(application)
    if locked.candidate.erased_at is not None:
        raise ValidationError("This candidate's data has already been erased.")
    locked.legal_hold = True
    locked.legal_hold_reason = reason
    locked.legal_hold_by = by
    locked.legal_hold_at = timezone.now()
    locked.save(
        update_fields=[
            "legal_hold",
            "legal_hold_reason",
            "legal_hold_by",
            "legal_hold_at",
            "updated_at",
        ]
    )
    events.record(
        organization=locked.organization,
        actor=by,
        action="application.legal_hold_set",
        target=locked,
        detail={"application": locked.pk},
    )
    return locked


@transaction.atomic
def legal_hold_clear(*, application: Application, by) -> Application:
    """Lift the hold; the retention grace period starts again from the next run."""
    locked = _locked_application(application)
    if not locked.legal_hold:
        return locked
    locked.legal_hold = False
    locked.legal_hold_by = by
    locked.legal_hold_at = timezone.now()
    locked.save(update_fields=["legal_hold", "legal_hold_by", "legal_hold_at", "updated_at"])
    events.record(
        organization=locked.organization,
        actor=by,
        action="application.legal_hold_cleared",
        target=locked,
        detail={"application": locked.pk},
    )
    return locked


def held_application(candidate: Candidate) -> Application | None:
    """The candidate's first application on legal hold, or None."""
    return (
        Application.objects.filter(candidate=candidate, legal_hold=True)
        .select_related("position")
        .order_by("pk")
        .first()
    )


# -- scrubbing free text ---------------------------------------------------------------------


def identifiers(candidate: Candidate, answer_texts: list[str] = ()) -> list[str]:
    """The strings that identify the candidate in free text: name, e-mail, phone, ATS ids and
    their answers' texts. Longest first, so a name inside an e-mail goes with the e-mail."""
    values = [candidate.name, candidate.email, candidate.email_normalized, candidate.phone]
    values += [str(v) for v in (candidate.external_ids or {}).values()]
    values += list(answer_texts)
    found = {v.strip() for v in values if v and len(v.strip()) >= MIN_SCRUB_LENGTH}
    return sorted(found, key=lambda v: (-len(v), v))


def scrub_text(text: str, strings: list[str]) -> str:
    return events.scrub_value(text, events.erasing_pattern(strings))


def scrub_json(value: Any, strings: list[str]) -> Any:
    return events.scrub_value(value, events.erasing_pattern(strings))


def _search_forms(strings: list[str]) -> list[str]:
    """Each string as stored: as is, and as JSON writes it with ``ensure_ascii`` (SQLite's
    JSONField and the webhook bodies escape non-ASCII characters)."""
    forms = set(strings)
    forms.update(json.dumps(s)[1:-1] for s in strings)
    return sorted(forms)


def mentioning(queryset: QuerySet, field_name: str, strings: list[str], *, json_field=False):
    """Rows whose ``field_name`` contains any of ``strings`` (JSON is searched as its text)."""
    if not strings:
        return queryset.none()
    target = field_name
    if json_field:
        target = f"_{field_name}_text"
        queryset = queryset.annotate(**{target: Cast(field_name, TextField())})
    query = Q()
    for value in _search_forms(strings):
        query |= Q(**{f"{target}__icontains": value})
    return queryset.filter(query)


# -- erasure ---------------------------------------------------------------------------------


def erase_candidate(*, candidate: Candidate, actor, reason: str) -> Erasure:
    """Remove or anonymise ``candidate``'s personal data everywhere (see the module docstring).

    Raises ``ErasureRefused`` when an application is on legal hold (nothing changes). A second
    call returns ``Erasure(already=True)`` and changes nothing."""
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.erased_at is not None:
            return Erasure(candidate=locked, already=True)
        held = held_application(locked)
        if held is not None:
            raise ErasureRefused(held)
        result = _erase(locked, actor=actor, reason=reason)
    return result


def _erase(candidate: Candidate, *, actor, reason: str) -> Erasure:
    org = candidate.organization
    now = timezone.now()
    applications = list(Application.objects.filter(candidate=candidate))
    app_ids = [a.pk for a in applications]
    sessions = list(CandidateSession.objects.filter(candidate=candidate))
    session_ids = [s.pk for s in sessions]
    answers = list(Answer.objects.filter(item__session_id__in=session_ids))
    strings = identifiers(candidate, [a.text for a in answers])
    counts: dict[str, int] = {"applications": len(app_ids), "sessions": len(session_ids)}

    # Files go once the erasure has committed: a rollback must leave them in place.
    files = [(a.attachment.storage, a.attachment.name) for a in answers if a.attachment]
    for storage, name in files:
        transaction.on_commit(lambda s=storage, n=name: s.delete(n))
    counts["answers"] = Answer.objects.filter(pk__in=[a.pk for a in answers]).update(
        text="",
        paste_events=[],
        attachment="",
        attachment_name="",
        attachment_type="",
        attachment_size=0,
    )
    counts["files"] = len(files)

    Application.objects.filter(pk__in=app_ids).update(state_reason="", legal_hold_reason="")
    counts["decisions"] = ApplicationDecision.objects.filter(application_id__in=app_ids).update(
        reason=""
    )
    CandidateSession.objects.filter(pk__in=session_ids).update(location="")
    scorecards = Scorecard.objects.filter(session_id__in=session_ids)
    counts["notes"] = scorecards.exclude(notes="").update(notes="")
    counts["notes"] += (
        ItemNote.objects.filter(scorecard__session_id__in=session_ids)
        .filter(~Q(notes="") | ~Q(scratch=""))
        .update(notes="", scratch="")
    )
    ScorecardCorrection.objects.filter(scorecard__session_id__in=session_ids).update(reason=ERASED)
    invitations = Invitation.objects.filter(session_id__in=session_ids)
    invitation_ids = list(invitations.values_list("pk", flat=True))
    counts["invitations"] = invitations.update(email=erased_email(candidate.pk), instructions="")
    # A take-home link of an erased candidate stops working (nothing of theirs is kept to use).
    invitations.filter(revoked_at__isnull=True).update(revoked_at=now)

    # Rows whose every recorded value in the audit log is the candidate's (kept before the
    # deletes below, so their log entries can still be found).
    audited: list[Any] = [candidate, *applications, *sessions, *answers]
    audited += list(scorecards) + list(invitations)
    audited += list(ItemNote.objects.filter(scorecard__session_id__in=session_ids))
    audited += list(ApplicationDecision.objects.filter(application_id__in=app_ids))
    audited += list(ClientDecision.objects.filter(application_id__in=app_ids))
    audited += list(ShortlistEntry.objects.filter(application_id__in=app_ids))
    audited += list(SelfReport.objects.filter(candidate=candidate))
    # Self-reported group data (apps.fairness) goes altogether: its own rule.
    counts["self_reports"] = fairness.forget(candidate)

    counts["shortlist_entries"] = ShortlistEntry.objects.filter(
        application_id__in=app_ids
    ).delete()[0]
    client_decisions = ClientDecision.objects.filter(application_id__in=app_ids)
    decision_ids = list(client_decisions.values_list("pk", flat=True))
    counts["client_decisions"] = client_decisions.update(comment="")
    own_links = ShareLink.objects.filter(application_id__in=app_ids)
    link_ids = list(own_links.values_list("pk", flat=True))
    counts["share_links_revoked"] = own_links.filter(revoked_at__isnull=True).update(revoked_at=now)

    orders = GreenhouseOrder.objects.filter(session_id__in=session_ids)
    order_ids = list(orders.values_list("pk", flat=True))
    counts["greenhouse_orders"] = orders.update(request_payload={})
    kombo = KomboOrder.objects.filter(session_id__in=session_ids)
    counts["kombo_orders"] = kombo.update(payload={}, error="")
    reports = GreenhouseErrorReport.objects.filter(organization=org)
    report_ids = set(mentioning(reports, "errors", strings, json_field=True).values_list("pk"))
    report_ids |= set(reports.filter(candidate_email__iexact=candidate.email).values_list("pk"))
    for report in reports.filter(pk__in=[pk for (pk,) in report_ids]):
        report.errors = scrub_json(report.errors, strings)
        report.candidate_email = scrub_text(report.candidate_email, strings)
        report.save(update_fields=["errors", "candidate_email"])

    references = {
        "candidate_id": [candidate.pk],
        "invitation_id": invitation_ids,
        "session_id": session_ids,
        "decision_id": decision_ids,
        "order_id": order_ids,
        "link_id": link_ids,
    }
    counts.update(_outbox_erase(org, strings, references))
    counts.update(_webhooks_erase(org, strings))
    _admin_log_erase(candidate, applications, sessions, strings)

    candidate.name = erased_name(candidate.pk)
    candidate.email = erased_email(candidate.pk)
    candidate.phone = ""
    candidate.external_ids = {}
    candidate.erased_at = now
    candidate.save()  # save() derives email_normalized from the placeholder

    # Interviews that have not happened will not: cancelled, and the interviewers' calendars
    # told (composed at send time, after the placeholders above). The stored results stay as
    # they are (no rescore: nothing new is reported about an erased candidate).
    scheduled = CandidateSession.Status.SCHEDULED
    upcoming = list(CandidateSession.objects.filter(pk__in=session_ids, status=scheduled))
    for session in upcoming:
        session_cancel(session=session, rescore=False)
    counts["sessions_cancelled"] = len(upcoming)

    # Last: the audit log also recorded the saves and deletes above, with their old values.
    counts["audit_entries"] = events.scrub(organization=org, strings=strings, objects=audited)

    events.record(
        organization=org,
        actor=actor,
        action="candidate.erased",
        target=candidate,
        detail={"candidate": candidate.pk, "reason": scrub_text(reason, strings), **counts},
    )
    return Erasure(candidate=candidate, counts=counts)


def _outbox_erase(org, strings: list[str], references: dict[str, list[int]]) -> dict[str, int]:
    """Cancel what has not been sent about the candidate; scrub what names them."""
    rows = OutboxMessage.objects.filter(organization=org)
    about = Q()
    for key, ids in references.items():
        if ids:
            about |= Q(**{f"payload__{key}__in": ids})
    named = set(mentioning(rows, "payload", strings, json_field=True).values_list("pk", flat=True))
    by_id = set(rows.filter(about).values_list("pk", flat=True)) if about else set()
    cancelled = scrubbed = 0
    for message in OutboxMessage.objects.filter(pk__in=named | by_id):
        fields: dict[str, Any] = {"payload": scrub_json(message.payload, strings)}
        if message.status == OutboxMessage.Status.PENDING:
            registered = outbox.kind(message.kind)
            secret_keys = registered.secret_keys if registered else ()
            fields["payload"] = {
                k: ("" if k in secret_keys else v) for k, v in fields["payload"].items()
            }
            fields.update(status=OutboxMessage.Status.FAILED, last_error=CANCELLED)
            fields["claimed_until"] = None
            cancelled += OutboxMessage.objects.filter(
                pk=message.pk, status=OutboxMessage.Status.PENDING
            ).update(**fields)
        elif message.pk in named:
            scrubbed += OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return {"outbox_cancelled": cancelled, "outbox_scrubbed": scrubbed}


def _scrub_body(body: str, strings: list[str]) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return scrub_text(body, _search_forms(strings))
    # The same serialisation as apps.ats.webhooks.outbox.serialize.
    return json.dumps(
        scrub_json(data, strings), separators=(",", ":"), ensure_ascii=True, sort_keys=True
    )


def _webhooks_erase(org, strings: list[str]) -> dict[str, int]:
    """Webhook deliveries whose body names the candidate: unsent ones are cancelled, every one
    is scrubbed (ids-only events such as ``session.scored`` carry no personal data)."""
    cancelled = scrubbed = 0
    deliveries = mentioning(WebhookDelivery.objects.filter(organization=org), "body", strings)
    for delivery in deliveries.only("pk", "status", "body"):
        fields: dict[str, Any] = {"body": _scrub_body(delivery.body, strings)}
        if delivery.status == WebhookDelivery.Status.PENDING:
            cancelled += WebhookDelivery.objects.filter(
                pk=delivery.pk, status=WebhookDelivery.Status.PENDING
            ).update(status=WebhookDelivery.Status.FAILED, last_error=CANCELLED, **fields)
        else:
            scrubbed += WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    forms = _search_forms(strings)
    attempts = WebhookDeliveryAttempt.objects.filter(delivery__organization=org)
    for attempt in mentioning(attempts, "error", strings).only("pk", "error"):
        WebhookDeliveryAttempt.objects.filter(pk=attempt.pk).update(
            error=scrub_text(attempt.error, forms)
        )
    deliveries = mentioning(WebhookDelivery.objects.filter(organization=org), "last_error", strings)
    for delivery in deliveries.only("pk", "last_error"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            last_error=scrub_text(delivery.last_error, forms)
        )
    return {"webhooks_cancelled": cancelled, "webhooks_scrubbed": scrubbed}


def _admin_log_erase(candidate, applications, sessions, strings: list[str]) -> None:
    """The Django admin's history names objects by their ``str()``, which holds the name."""
    targets = [(Candidate, [candidate.pk]), (Application, [a.pk for a in applications])]
    targets.append((CandidateSession, [s.pk for s in sessions]))
    for model, pks in targets:
        if not pks:
            continue
        ct = ContentType.objects.get_for_model(model)
        entries = LogEntry.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in pks])
        for entry in entries.only("pk", "object_repr", "change_message"):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=scrub_text(entry.object_repr, strings)[:200],
                change_message=scrub_text(entry.change_message, strings),
            )
