"""The calls we make to Kombo, each from an outbox handler (never from a request):

- ``PUT {api}/assessment/packages`` with ``{"packages": [...]}`` (replaces the whole list);
- ``PUT {api}/assessment/orders/{assessment_order_id}/result``;
- ``GET {api}/assessment/orders?ids=..&statuses=CANCELLED,REJECTED`` (``sync.py``: Kombo pushes
  no cancellation, so open orders are looked up).

Both authenticate as Kombo documents: ``Authorization: Bearer <API key>`` and
``X-Integration-Id: <integration id>``; Kombo answers 2xx with ``{"status": "success", "data":
{}, "warnings": [{"message"}]}`` (warnings are logged, as Kombo recommends).

The host is Kombo's documented server for the connection's region (or ``KOMBO_API_URL``), never
an address someone else gave us, so the webhook address check does not apply. httpx with short
timeouts and no redirects. Outcomes map onto the outbox: a network error, 408, 429 or 5xx is
``RetryLater`` (with Kombo's Retry-After when it sends one); any other 4xx is ``GiveUp`` (a
wrong key, an unknown order: repeating cannot help).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from apps import outbox
from apps.accounts import crypto

from ..models import KomboConnection
from ..webhooks.delivery import parse_retry_after

logger = logging.getLogger(__name__)
USER_AGENT = "InterviewBank-Kombo/1.0"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRYABLE = {408, 425, 429}


def _headers(connection: KomboConnection, key_encrypted: str | None = None) -> dict[str, str]:
    """``key_encrypted``: the key to use instead of the connection's (the disconnect's last
    call, made with the key it took off the connection)."""
    if key_encrypted is None:
        if not connection.has_credentials:
            raise outbox.GiveUp("Kombo is disconnected (an admin deleted the key)")
        key_encrypted = connection.api_key_encrypted
    try:
        key = crypto.decrypt(key_encrypted)
    except crypto.InvalidToken:
        raise outbox.GiveUp("the stored Kombo API key no longer decrypts") from None
    return {
        "authorization": f"Bearer {key}",
        "x-integration-id": connection.integration_id,
        "user-agent": USER_AGENT,
        "accept": "application/json",
    }


def put(
    connection: KomboConnection, path: str, body: dict, *, key_encrypted: str | None = None
) -> dict:
    """PUT ``body`` as JSON to Kombo; the decoded answer, or RetryLater/GiveUp."""
    return _call(connection, "PUT", path, json=body, key_encrypted=key_encrypted)


def get(connection: KomboConnection, path: str, params: dict) -> dict:
    """GET with query ``params``; the decoded answer, or RetryLater/GiveUp."""
    return _call(connection, "GET", path, params=params)


def _call(
    connection: KomboConnection,
    method: str,
    path: str,
    *,
    key_encrypted: str | None = None,
    **kwargs,
) -> dict:
    url = f"{connection.api_url}{path}"
    headers = _headers(connection, key_encrypted)
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as http:
            response = http.request(method, url, headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        raise outbox.RetryLater(f"{method} {path} failed: {exc!r}") from None
    status = response.status_code
    if 200 <= status < 300:
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        for warning in (answer.get("warnings") or []) if isinstance(answer, dict) else []:
            logger.warning("Kombo warning on %s %s: %s", method, path, warning)
        return answer if isinstance(answer, dict) else {}
    snippet = response.text[:300]
    if status in RETRYABLE or status >= 500:
        raise outbox.RetryLater(
            f"Kombo answered {status} to {method} {path}: {snippet}",
            after_seconds=parse_retry_after(response.headers.get("retry-after")),
        )
    raise outbox.GiveUp(f"Kombo refused {method} {path} ({status}): {snippet}")


def put_packages(
    connection: KomboConnection, body: dict, *, key_encrypted: str | None = None
) -> dict:
    return put(connection, "/assessment/packages", body, key_encrypted=key_encrypted)


def put_result(connection: KomboConnection, kombo_order_id: str, body: dict) -> dict:
    return put(connection, f"/assessment/orders/{quote(kombo_order_id, safe='')}/result", body)
