"""Tell Greenhouse that a test it ordered has a new status (the documented "PATCH - Mark Test as
Completed" call): an HTTP PATCH without a body to the ``url`` Greenhouse sent with ``send_test``.
Greenhouse answers it by calling our ``test_status``.

The task takes an order id and PATCHes only the URL stored on that order, i.e. a URL Greenhouse
gave us. Like outgoing webhooks it refuses private, loopback and link-local addresses and plain
HTTP unless ``WEBHOOKS_ALLOW_LOOPBACK`` is on (development, and tests with a local receiver).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

import httpx
from celery import shared_task
from django.conf import settings

from .models import GreenhouseOrder

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15


class CallbackFailed(Exception):
    """Greenhouse did not take the PATCH (network error or a non-2xx answer): retried."""


class CallbackRefused(Exception):
    """The stored URL is not one we may call (scheme or address): never retried."""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def url_problem(url: str, *, resolve: bool) -> str | None:
    """Why we must not call ``url``, or None. ``resolve`` also checks where the name points
    (at send time; a DNS failure then is a retryable CallbackFailed, not a refusal)."""
    parts = urlsplit(url)
    allow_local = loopback_allowed()
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        return "The callback url must use https."
    host = parts.hostname or ""
    if not host:
        return "The callback url has no host."
    if allow_local:
        return None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return None if _public(host) else "The callback url points to a private address."
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return "The callback url points to a private host."
    if resolve:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise CallbackFailed(f"cannot resolve {host}: {exc}") from exc
        if not all(_public(info[4][0]) for info in infos):
            return "The callback url resolves to a private address."
    return None


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(CallbackFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def greenhouse_notify(self, order_id: int) -> int | None:
    """PATCH the order's callback URL with no body; a non-2xx answer or a network error raises
    CallbackFailed and Celery retries with exponential backoff (30 s doubling, at most an hour
    apart, 8 retries). Safe to repeat: the PATCH only makes Greenhouse fetch test_status again.
    Returns the HTTP status, or None when there is nothing (or nothing allowed) to call."""
    url = GreenhouseOrder.objects.filter(pk=order_id).values_list("callback_url", flat=True).first()
    if not url:
        return None
    problem = url_problem(url, resolve=True)
    if problem:
        logger.warning("Greenhouse order %s: not calling back: %s", order_id, problem)
        raise CallbackRefused(problem)
    try:
        # No redirects: the answer must come from the URL Greenhouse gave us.
        response = httpx.patch(url, timeout=TIMEOUT_SECONDS, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise CallbackFailed(f"PATCH failed: {exc!r}") from exc
    if not response.is_success:
        raise CallbackFailed(
            f"Greenhouse answered {response.status_code} (attempt {self.request.retries + 1})"
        )
    logger.info("Greenhouse order %s: PATCH answered %s", order_id, response.status_code)
    return response.status_code
