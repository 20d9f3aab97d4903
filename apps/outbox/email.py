"""The outbox's e-mail sender: the one place messages are built and header values made safe.

Header values come from people's input (a candidate's name, a position's title). Django refuses
a header with a line break (``BadHeaderError``), which is right against header injection, but
it made such an e-mail fail on every retry: the candidate's name never changes, so the message
was lost for good. Here line breaks and other control characters become spaces instead, so the
e-mail goes out and nothing can be injected.

Every message carries a Message-ID derived from its outbox row, the same on every attempt, so
a receiving mail system can recognise a repeat if a worker died between sending and recording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from . import GiveUp
from .models import OutboxMessage

KIND = "email"

# Every character that ends a line or is a control character (Unicode category Cc), plus the
# Unicode line and paragraph separators that some mail software also breaks on.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_safe(value: str) -> str:
    """``value`` on one line: control characters and line breaks become single spaces."""
    return " ".join(_UNSAFE.sub(" ", str(value)).split())


@dataclass(frozen=True)
class PreparedEmail:
    """A composed plain-text e-mail; ``payload()`` is what an outbox row of kind "email" holds."""

    to: list[str]
    subject: str
    body: str

    def payload(self) -> dict:
        return {"to": list(self.to), "subject": self.subject, "body": self.body}


def message_id(message: OutboxMessage) -> str:
    """``<outbox.<row id>.<created, epoch seconds>@<site host>>``: stable for the row."""
    host = urlsplit(getattr(settings, "SITE_URL", "")).hostname or "localhost"
    return f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@{host}>"


def send(
    prepared: PreparedEmail,
    *,
    message: OutboxMessage,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> None:
    """Send ``prepared`` for the outbox row ``message`` (raises on failure: retried).
    ``attachments``: (file name, content, MIME type), made at send time (never stored)."""
    recipients = [header_safe(address) for address in prepared.to if address]
    if not recipients:
        raise GiveUp("no recipients")
    email = EmailMessage(
        subject=header_safe(prepared.subject),
        body=prepared.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Message-ID": message_id(message)},
    )
    for name, content, mimetype in attachments:
        email.attach(header_safe(name), content, mimetype)
    email.send()


def send_prepared(message: OutboxMessage) -> None:
    """Handler of kind "email": the payload is a prepared message (to, subject, body)."""
    payload = message.payload or {}
    send(
        PreparedEmail(
            to=list(payload.get("to") or []),
            subject=str(payload.get("subject", "")),
            body=str(payload.get("body", "")),
        ),
        message=message,
    )
