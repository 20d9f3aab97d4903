"""Standard Webhooks secrets, message ids and signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32
USER_AGENT = "InterviewBank-Webhooks/1.0"


# -- signing ----------------------------------------------------------------------------------


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the
    base64-decoded part of the secret after ``whsec_`` (Standard Webhooks, "Signature scheme")."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(
    *, secret: str | Sequence[str], msg_id: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The Standard Webhooks headers. With several secrets (during a rotation) the signature
    header carries one ``v1,...`` per secret, space-separated, as the spec allows: a receiver
    that knows either secret verifies the request."""
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes: the HMAC key, shown to the admin once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)
