"""Candidates: creation with duplicate detection by e-mail, contact details kept up to date
from an ATS, ATS ids."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Organization
from apps.audit import events as audit

from .. import events
from ..models import (
    Candidate,
)


def candidate_duplicate(*, organization: Organization, email: str) -> Candidate | None:
    return Candidate.objects.filter(
        organization=organization, email_normalized=Candidate.normalize_email(email)
    ).first()


@transaction.atomic
def candidate_create(
    *, organization: Organization, name: str, email: str, phone: str = "", external_ids=None
) -> Candidate:
    existing = candidate_duplicate(organization=organization, email=email)
    if existing is not None:
        raise ValidationError(
            {"email": f"A candidate with this e-mail already exists: {existing.name}."},
            code="duplicate",
        )
    candidate = Candidate(
        organization=organization,
        name=name,
        email=email.strip(),
        phone=phone,
        external_ids=external_ids or {},
    )
    candidate.full_clean(exclude=["email_normalized"])
    candidate.save()
    events.emit("candidate.updated", candidate)
    return candidate


@transaction.atomic
def candidate_link_external(*, candidate: Candidate, ats: str, external_id: str) -> Candidate:
    """Remember an ATS's id for a candidate (idempotent); a different id already stored for
    that ATS is a conflict, not something to overwrite silently."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    current = candidate.external_ids.get(ats)
    if current == external_id:
        return candidate
    if current is not None:
        raise ValidationError(
            {"external_id": f"This candidate already has {ats} id {current}; not replacing it."}
        )
    candidate.external_ids = {**candidate.external_ids, ats: external_id}
    candidate.save(update_fields=["external_ids", "updated_at"])
    events.emit("candidate.updated", candidate)
    return candidate


@transaction.atomic
def candidate_update_contact(
    *,
    candidate: Candidate,
    name: str = "",
    email: str = "",
    phone: str | None = None,
    actor=None,
    request=None,
) -> list[str]:
    """Correct a candidate's name, e-mail and phone (a recruiter's edit, or their ATS's): a
    blank name or e-mail keeps ours; ``phone=None`` keeps it, "" clears it. Returns the fields
    changed, audited as ``candidate.contact_updated`` by ``actor`` (None: an ATS) with the
    fields' names only (the values are personal data).

    An e-mail that another candidate of the organization already has is refused
    (ValidationError naming them; nothing changes): merging people is a person's decision.
    An erased candidate is never given personal data again (ValidationError)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise ValidationError("This candidate's personal data was erased.")
    wanted = {"name": name.strip(), "email": email.strip(), "phone": phone}
    changed = []
    for field, value in wanted.items():
        if value is None or (field != "phone" and not value):
            continue
        if field == "email" and Candidate.normalize_email(value) == candidate.email_normalized:
            continue
        if getattr(candidate, field) != value:
            setattr(candidate, field, value)
            changed.append(field)
    if "email" in changed:
        other = candidate_duplicate(organization=candidate.organization, email=candidate.email)
        if other is not None and other.pk != candidate.pk:
            raise ValidationError(
                {"email": f"{candidate.email} already belongs to another candidate, {other.name}."}
            )
    if changed:
        candidate.full_clean(exclude=["email_normalized"])
        candidate.save()
        events.emit("candidate.updated", candidate)
        audit.record(
            organization=candidate.organization,
            actor=actor,
            action="candidate.contact_updated",
            target=candidate,
            detail={"fields": changed},
            request=request,
        )
    return changed
