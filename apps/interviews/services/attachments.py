"""Take-home attachments: one file per answer (an architecture sketch, a diagram).

Only PDF, PNG and JPEG, at most 10 MB, and the type is decided by the file's first bytes
(its "magic number"), never by its name or the browser's content type: a renamed executable
is refused. A refused file stores nothing. Files go through Django's storage API (local files
by default, object storage in production) under a random name; the candidate's file name is
kept only as text for display. An attachment is information for the interviewers and counts
towards nothing automatic.

Whether the candidate may still change an answer is the invitation's rule
(``invitations.invitation_lock_for_answers``: the link's rule and the deadline), checked under
the same row lock as a text save, so an upload never lands after a submit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ..models import Answer, Invitation
from .invitations import SaveRefused, invitation_lock_for_answers

MAX_BYTES = 10 * 1024 * 1024
ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


@dataclass(frozen=True)
class FileType:
    magic: bytes
    content_type: str
    extension: str
    label: str


TYPES = (
    FileType(b"%PDF-", "application/pdf", "pdf", "PDF"),
    FileType(b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG image"),
    FileType(b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG image"),
)


def sniff(upload: UploadedFile) -> FileType | None:
    """The file's type by its first bytes, or None when it is none of the allowed ones."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((t for t in TYPES if head.startswith(t.magic)), None)


def attachment_check(upload: UploadedFile) -> FileType:
    """Refuse (400) a file that is empty, too large or not a PDF, PNG or JPEG by content."""
    if upload.size == 0:
        raise SaveRefused("The file is empty.", SaveRefused.Reason.INVALID)
    if upload.size > MAX_BYTES:
        raise SaveRefused(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; files can be at most 10 MB.",
            SaveRefused.Reason.INVALID,
        )
    kind = sniff(upload)
    if kind is None:
        raise SaveRefused(
            "The file is not a PDF, PNG or JPEG (checked by its content, not its name).",
            SaveRefused.Reason.INVALID,
        )
    return kind


def _display_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "file"


def _writable_answer(
    *, invitation: Invitation | None, token_hash: str | None, item_id: int, now: datetime
) -> Answer:
    """Lock the invitation, apply its rule for changing answers, return the answer (locked)."""
    fresh = invitation_lock_for_answers(
        invitation=invitation,
        token_hash=token_hash,
        now=now,
        time_up="Time is up: the file was not saved.",
    )
    answer = (
        Answer.objects.select_for_update()
        .select_related("item__session")
        .filter(item_id=item_id, item__session_id=fresh.session_id)
        .first()
    )
    if answer is None:
        raise SaveRefused("No such question in this assignment.", SaveRefused.Reason.NOT_FOUND)
    return answer


def _delete_after_commit(name: str, storage) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def attachment_save(
    *,
    item_id: int,
    upload: UploadedFile,
    invitation: Invitation | None = None,
    token_hash: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Attach ``upload`` to the answer, replacing any earlier file. Raises ``SaveRefused``
    (nothing stored) for a bad file or an answer that can no longer change."""
    kind = attachment_check(upload)
    now = now or timezone.now()
    with transaction.atomic():
        answer = _writable_answer(
            invitation=invitation, token_hash=token_hash, item_id=item_id, now=now
        )
        old = answer.attachment.name
        storage = answer.attachment.storage
        answer.attachment.save(f"answer.{kind.extension}", upload, save=False)
        answer.attachment_name = _display_name(upload.name or "")
        answer.attachment_type = kind.content_type
        answer.attachment_size = upload.size
        answer.save(
            update_fields=["attachment", "attachment_name", "attachment_type", "attachment_size"]
        )
        # The replaced file goes once the new one is committed (a rollback keeps it).
        _delete_after_commit(old, storage)
    return answer


def attachment_remove(
    *,
    item_id: int,
    invitation: Invitation | None = None,
    token_hash: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Remove the answer's file (while the answer can still change)."""
    now = now or timezone.now()
    with transaction.atomic():
        answer = _writable_answer(
            invitation=invitation, token_hash=token_hash, item_id=item_id, now=now
        )
        old = answer.attachment.name
        storage = answer.attachment.storage
        answer.attachment = ""
        answer.attachment_name = ""
        answer.attachment_type = ""
        answer.attachment_size = 0
        answer.save(
            update_fields=["attachment", "attachment_name", "attachment_type", "attachment_size"]
        )
        _delete_after_commit(old, storage)
    return answer
