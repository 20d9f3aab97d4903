"""Secrets at rest: partner API keys and other values we must send back later are stored
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``).

``FIELD_ENCRYPTION_KEY`` (environment) is a comma-separated list of Fernet keys. The first
encrypts; every key decrypts, so a key is rotated by putting the new one first, running
``manage.py rotate_field_key`` (re-encrypts with the first key), then dropping the old one.
Without the setting, one key is derived from ``SECRET_KEY`` (fine for development; set a real
key in production so that rotating SECRET_KEY does not make stored secrets unreadable).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "new_key", "reencrypt"]


def new_key() -> str:
    """A fresh key for FIELD_ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"interviewbank-field-encryption:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEY", []) if k.strip())
    return _fernet(keys, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypt ``value``; the result is ASCII text safe to store in a CharField/TextField."""
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what ``encrypt`` returned. Raises InvalidToken when no configured key fits."""
    return _current().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same value encrypted with the first (newest) key."""
    return _current().rotate(token.encode()).decode()
