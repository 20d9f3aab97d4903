"""What makes a link safe to be the key: response headers, a rate limit, and logs that never
carry the token."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

# Take-home links (/t/<token>/) and the shortlists app's share links (/s/<token>/).
# Take-home (/t/), share (/s/) and about-you (/a/: a signature, with ':' separators) links.
TOKEN_IN_PATH = re.compile(r"/([tsa])/[A-Za-z0-9_:-]{16,}")
REDACTED = r"/\1/[redacted]"


def no_store(view):
    """Candidate pages: never cached, never leak the URL through Referer, not indexed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def rate_limited(view):
    """At most TAKEHOME_RATE_LIMIT_PER_MINUTE requests a minute per client address: 429 after.

    Uses the cache (Redis in production via CACHE_URL), so the limit holds across processes.
    Behind a proxy, set the real client address into REMOTE_ADDR at the proxy or middleware.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        limit = settings.TAKEHOME_RATE_LIMIT_PER_MINUTE
        window = int(time.time() // 60)
        key = f"takehome:rate:{request.META.get('REMOTE_ADDR', '?')}:{window}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
        if count > limit:
            response = render(request, "takehome/too_many.html", status=429)
            response["Retry-After"] = str(60 - int(time.time()) % 60)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def redact_tokens(value):
    """``value`` with every link token in a /t/<token> or /s/<token> path replaced by a marker
    (used by the logging filter below and by gunicorn's access log,
    interviewbank/gunicorn_logging.py)."""
    return TOKEN_IN_PATH.sub(REDACTED, value) if isinstance(value, str) else value


_redact = redact_tokens


class RedactTokens(logging.Filter):
    """Replace link tokens in log lines (404 warnings, request logs) with a marker."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and ("/t/" in record.msg or "/s/" in record.msg):
            record.msg = TOKEN_IN_PATH.sub(REDACTED, record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _redact(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact(a) for a in record.args)
        # The request object attached to django.request records carries the path too.
        request = getattr(record, "request", None)
        if request is not None and TOKEN_IN_PATH.search(getattr(request, "path", "")):
            record.request = None
        return True


FORM_KEY = "takehome_form_key"


def issue_form_key(request) -> str:
    """A per-session secret that candidate forms and autosave requests must echo back."""
    key = secrets.token_urlsafe(24)
    request.session[FORM_KEY] = key
    return key


def candidate_csrf(view):
    """CSRF protection that survives ``Referrer-Policy: no-referrer``.

    With no-referrer, browsers send ``Origin: null`` and no Referer on POST, which Django's
    origin and referer checks reject. Candidate pages therefore check a per-session form key
    instead (sent as a form field or the ``X-Takehome-Key`` header), on top of the session
    cookie's SameSite=Lax, which already keeps cross-site POSTs from carrying the session.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # Without a take-home session the view answers 404 anyway; with one, the key must match.
        if request.method == "POST" and FORM_KEY in request.session:
            expected = request.session.get(FORM_KEY, "")
            sent = request.POST.get("form_key") or request.headers.get("X-Takehome-Key", "")
            if not expected or not hmac.compare_digest(expected, sent):
                return HttpResponseForbidden(
                    "This page expired. Reload it (your saved answers are kept) and try again."
                )
        return view(request, *args, **kwargs)

    return wrapped
