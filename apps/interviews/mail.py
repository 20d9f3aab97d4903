"""Composing e-mail: the one place header values are made safe.

Header values come from people's input (a candidate's name, a position's title). Django refuses
a header with a line break (``BadHeaderError``), which is right against header injection, but
it made such an e-mail fail on every retry: the candidate's name never changes, so the message
was lost for good. Here line breaks and other control characters become spaces instead, so the
e-mail goes out and nothing can be injected.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMessage

# Every character that ends a line or is a control character (Unicode category Cc), plus the
# Unicode line and paragraph separators that some mail software also breaks on.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_safe(value: str) -> str:
    """``value`` on one line: control characters and line breaks become single spaces."""
    return " ".join(_UNSAFE.sub(" ", str(value)).split())


def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send a plain-text e-mail with its subject made header-safe; the number sent (0 or 1)."""
    message = EmailMessage(
        subject=header_safe(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[header_safe(address) for address in to],
    )
    return message.send()
