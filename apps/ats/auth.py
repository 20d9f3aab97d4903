"""Authentication for machine clients: organization-scoped API keys.

- REST API: ``Authorization: Api-Key <key>`` (djangorestframework-api-key's scheme).
- Greenhouse: HTTP Basic with the key as the username and an empty password (their spec).
  The key is then kept encrypted (``key_remember``): Greenhouse wants it back on our PATCH.

Both put the key on ``request.auth`` and its organization on ``request.organization``; every
query in apps.ats is scoped by that organization, so another tenant's row is a 404.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling

from apps.accounts import crypto

from .models import OrganizationAPIKey

LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_from_string(raw: str) -> OrganizationAPIKey:
    prefix, _, _ = raw.partition(".")
    key = OrganizationAPIKey.objects.select_related("organization").filter(prefix=prefix).first()
    if key is None or not key.is_valid(raw):  # is_valid compares hashes (SHA-512)
        raise exceptions.AuthenticationFailed("Invalid API key.")
    if key.revoked:
        raise exceptions.AuthenticationFailed("This API key has been revoked.")
    if key.has_expired:
        raise exceptions.AuthenticationFailed("This API key has expired.")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # At most one write a minute per key: last-used is for humans, not an audit log.
        OrganizationAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def key_remember(*, key: OrganizationAPIKey, raw: str) -> None:
    """Keep the key Greenhouse authenticated with, encrypted at rest (apps.accounts.crypto), the
    first time it does: Greenhouse expects it back on our PATCH to its callback URL, and only its
    hash is stored otherwise. Stored again if the copy no longer decrypts (a dropped key)."""
    if key.secret_encrypted:
        try:
            if crypto.decrypt(key.secret_encrypted) == raw:
                return
        except crypto.InvalidToken:
            pass
    key.secret_encrypted = crypto.encrypt(raw)
    OrganizationAPIKey.objects.filter(pk=key.pk).update(secret_encrypted=key.secret_encrypted)


def _attach(request, key: OrganizationAPIKey):
    request._request.organization = key.organization
    request._request.api_key = key
    return (AnonymousUser(), key)


class APIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme != self.keyword:
            return None
        if not raw.strip():
            raise exceptions.AuthenticationFailed("No API key after 'Api-Key'.")
        return _attach(request, key_from_string(raw.strip()))

    def authenticate_header(self, request) -> str:
        return self.keyword


class BasicAPIKeyAuthentication(authentication.BaseAuthentication):
    """Greenhouse's scheme: Basic base64("<api key>:")."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header.lower().startswith(b"basic "):
            return None
        try:
            decoded = base64.b64decode(header.split(b" ", 1)[1].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed("Malformed Basic credentials.") from None
        username, _, _password = decoded.partition(":")
        if not username:
            raise exceptions.AuthenticationFailed("The API key goes in the username.")
        key = key_from_string(username)
        key_remember(key=key, raw=username)
        return _attach(request, key)

    def authenticate_header(self, request) -> str:
        return 'Basic realm="InterviewBank"'


class HasOrganizationAPIKey(permissions.BasePermission):
    message = "An organization API key is required (Authorization: Api-Key <key>)."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, OrganizationAPIKey)


class APIKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (not per address): each ATS client gets its own budget."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, OrganizationAPIKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
