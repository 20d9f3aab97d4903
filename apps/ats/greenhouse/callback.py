"""The PATCH that tells Greenhouse a test it ordered has news (the documented "PATCH - Mark Test
as Completed" call): no body, to the ``url`` Greenhouse sent with ``send_test``, with HTTP Basic
auth (the customer's API key as the user name, an empty password) as Greenhouse's example shows.
Greenhouse answers it by calling our ``test_status``.

The URL is one Greenhouse gave us, and it is judged by the same rule as webhook endpoints
(``webhooks.addresses``): resolved right before the request, every address public, plain http
only to a loopback receiver that ``WEBHOOKS_ALLOW_LOOPBACK`` allows, and the request pinned to
the address that was checked. No redirects: the answer must come from that URL.
"""

from __future__ import annotations

import base64
import http.client
import logging

from apps.accounts import crypto

from ..models import GreenhouseOrder, OrganizationAPIKey
from ..webhooks.addresses import UnresolvedHost, UnsafeURL, check_url, http_request

logger = logging.getLogger(__name__)
USER_AGENT = "InterviewBank-Greenhouse/1.0"


class CallbackFailed(Exception):
    """Greenhouse did not take the PATCH (network error or a non-2xx answer): retried."""


class CallbackRefused(Exception):
    """The stored URL is not one we may call (scheme or address): never retried."""


def _decrypted(key: OrganizationAPIKey) -> str | None:
    try:
        return crypto.decrypt(key.secret_encrypted)
    except crypto.InvalidToken:
        logger.warning("API key %s: the stored key no longer decrypts", key.prefix)
        return None


def _callback_key(order: GreenhouseOrder) -> str | None:
    """The raw key to authenticate with: the one Greenhouse ordered with, else the most recently
    used of the organization's live keys that Greenhouse has authenticated with."""
    keys = OrganizationAPIKey.objects.filter(
        organization_id=order.organization_id, revoked=False
    ).exclude(secret_encrypted="")
    key = None
    if order.api_key_id is not None:
        key = keys.filter(pk=order.api_key_id).first()
    if key is None:
        key = keys.order_by("-last_used_at", "-pk").first()
    if key is None or key.has_expired:
        return None
    return _decrypted(key)


def callback_headers(raw_key: str | None) -> dict[str, str]:
    headers = {"user-agent": USER_AGENT}
    if raw_key:
        headers["authorization"] = "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
    return headers


def greenhouse_callback(*, order_id: int, attempt: int = 1) -> int | None:
    """PATCH the order's callback URL once. Returns the HTTP status, or None when the order has
    no URL. Raises CallbackFailed (retry) or CallbackRefused (never call this URL). Safe to
    repeat: the PATCH only makes Greenhouse fetch test_status again."""
    order = GreenhouseOrder.objects.filter(pk=order_id).first()
    if order is None or not order.callback_url:
        return None
    try:
        target = check_url(order.callback_url, https_only=True)
    except UnresolvedHost as exc:  # DNS may be back on the next attempt
        raise CallbackFailed(str(exc)) from None
    except UnsafeURL as exc:
        logger.warning("Greenhouse order %s: not calling back: %s", order_id, exc)
        raise CallbackRefused(str(exc)) from None
    raw_key = _callback_key(order)
    if raw_key is None:
        logger.warning("Greenhouse order %s: no stored key, PATCH without auth", order_id)
    try:
        response = http_request(target, "PATCH", None, callback_headers(raw_key))
    except (OSError, http.client.HTTPException) as exc:
        raise CallbackFailed(f"PATCH failed: {exc!r}") from exc
    if not 200 <= response.status < 300:
        raise CallbackFailed(f"Greenhouse answered {response.status} (attempt {attempt})")
    logger.info("Greenhouse order %s: PATCH answered %s", order_id, response.status)
    return response.status
