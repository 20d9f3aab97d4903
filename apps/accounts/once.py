"""Create forms that are safe to repeat: POST/redirect/GET with a one-time form key.

A create page (take-home invitation, API key, webhook endpoint) puts a fresh random key in a
hidden field (``form_key``). :func:`submit_once` claims that key by inserting a
:class:`~apps.accounts.models.FormSubmission` row in the same transaction as the work, then
redirects to the result page. A second POST with the same key (a double click, a reload, a
browser re-sending the form) waits for the first to commit, finds its row and is redirected to
the same result: nothing is created, e-mailed or queued twice.

A secret the result page must show once (the candidate's link, the API key, the signing
secret) travels in the user's session, written in the same transaction, and is popped by
:func:`pop_shown` when the result page renders it: a reload of that page no longer shows it.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone

from .models import FormSubmission

FIELD = "form_key"
SHOWN_ONCE = "shown_once"
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
EXPIRED = "This form expired: reload the page and submit it again."
LOCK_ATTEMPTS = 20  # under 10 s in all, and only on SQLite (see submit_once)
# A claimed key is kept this long: a form re-sent later than that (a tab left open for a week)
# would run again. The daily beat job ``accounts-prune-form-submissions`` deletes older rows.
KEEP = timedelta(days=7)


@dataclass(frozen=True)
class Done:
    """What a create form's work returns: the page to show, and what it shows once there."""

    url: str
    shown: str = ""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def form_key(request: HttpRequest) -> str:
    """The key to render into the form: the one just posted when the form is shown again
    with errors (that POST claimed nothing), else a fresh one."""
    sent = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return sent if _VALID.fullmatch(sent) else new_key()


def submit_once(request: HttpRequest, work: Callable[[], Done]) -> HttpResponseRedirect | None:
    """Run ``work`` once per form key and redirect to its result.

    Returns None when the POST carries a malformed key (the caller shows the form again with
    :data:`EXPIRED`); a POST with no key at all is run once, unprotected. A
    ``ValidationError`` raised by ``work`` rolls back the claim too, so the corrected form can
    be sent again with the same key.
    """
    key = request.POST.get(FIELD, "")
    if not key:
        # No key at all: a client that never showed the form (a script, an older page). Run
        # it once per POST, as before; every form page renders a key.
        with transaction.atomic():
            done = work()
            _remember_shown(request, done)
        return HttpResponseRedirect(done.url)
    if not _VALID.fullmatch(key):
        return None
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return _claim_and_run(request, key, work)
        except OperationalError as exc:
            # PostgreSQL makes the second insert wait for the first transaction. SQLite (the
            # embedded default and the tests' shared in-memory database) may instead refuse at
            # once with "database table is locked": the whole transaction was rolled back, so
            # trying it again after a short pause is safe and gives the same answer.
            if "locked" not in str(exc) or attempt == LOCK_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def submit_form(
    request: HttpRequest, form, work: Callable[[], Done]
) -> HttpResponseRedirect | None:
    """:func:`submit_once` for a create page's bound, valid ``form``: the redirect, or None
    with the reason added to ``form`` (the ``ValidationError`` that ``work`` raised, or
    :data:`EXPIRED`), so the caller renders the form again."""
    try:
        response = submit_once(request, work)
    except ValidationError as exc:
        form_errors_from(exc, form)
        return None
    if response is None:
        form.add_error(None, EXPIRED)
    return response


def form_errors_from(exc: ValidationError, form) -> None:
    """Put a service's ValidationError on ``form``: per field where the form has it, else on
    the form as a whole (a plain ValidationError has no fields)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _claim_and_run(request: HttpRequest, key: str, work: Callable[[], Done]):
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(user=request.user, key=key)
        except IntegrityError:
            # The same form again: the first POST committed (the insert waited for it).
            earlier = FormSubmission.objects.get(user=request.user, key=key)
            return HttpResponseRedirect(earlier.result_url)
        done = work()
        claim.result_url = done.url
        claim.save(update_fields=["result_url"])
        _remember_shown(request, done)
    return HttpResponseRedirect(done.url)


def _remember_shown(request: HttpRequest, done: Done) -> None:
    if done.shown:
        shown = dict(request.session.get(SHOWN_ONCE, {}))
        shown[done.url.split("?", 1)[0]] = done.shown
        request.session[SHOWN_ONCE] = shown
        # Saved with the claim, so the redirect of a repeated POST finds the secret too.
        request.session.save()


def pop_shown(request: HttpRequest) -> str:
    """The secret waiting to be shown on this page (once), or ""."""
    shown = dict(request.session.get(SHOWN_ONCE, {}))
    secret = shown.pop(request.path, "")
    if secret:
        request.session[SHOWN_ONCE] = shown
    return secret


def form_submissions_prune(*, now=None) -> int:
    """Delete claimed form keys older than :data:`KEEP`; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
