"""The HTTP client for one organization's Bullhorn: OAuth, REST session, and every call logged.

The flow is the one Bullhorn's REST documentation describes ("Getting Started with REST",
bullhorn.github.io/rest-api-docs):

1. ``GET https://rest.bullhornstaffing.com/rest-services/loginInfo?username=...`` names the
   data centre: ``{"oauthUrl": ..., "restUrl": ...}``.
2. ``GET {oauthUrl}/authorize?client_id&response_type=code&action=Login&username&password``
   answers with a redirect whose Location carries ``code`` (the redirect is read, not followed).
3. ``POST {oauthUrl}/token?grant_type=authorization_code&code&client_id&client_secret`` gives
   ``access_token`` (valid ten minutes: ``expires_in``) and ``refresh_token``;
   ``grant_type=refresh_token`` later gives a new pair (the old refresh token then dies).
4. ``POST {restUrl}/login?version=2.0&access_token=...`` gives ``BhRestToken`` and the
   corporation's ``restUrl``; every later call sends the ``BhRestToken`` header.

Rules kept here:

- Every URL we call passes ``webhooks.addresses.check_url`` (https, public addresses; plain
  http only to loopback when ``WEBHOOKS_ALLOW_LOOPBACK``), redirects included: Bullhorn answers
  307 to the right data centre, and each hop is checked before it is followed (at most 5).
- Short timeouts (5 s to connect, 15 s to read).
- Every request is one ``BullhornCall`` row of the organization: method, path without the
  query's values (they hold the password, tokens and codes), status, duration, error.
- The access token is refreshed before it expires; a 401 from a REST call logs in again
  (refresh, then the full flow); a 401 that a fresh login cannot cure is ``AuthDead``.
- 429 and 5xx are ``RetryAfter`` with the answer's ``Retry-After`` (seconds or an HTTP date),
  and the connection is paused until then so no call of the organization goes out earlier.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

from apps.accounts import crypto

from ..models import BullhornCall, BullhornConnection
from ..webhooks.addresses import UnsafeURL, check_url
from ..webhooks.delivery import parse_retry_after

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_REDIRECTS = 5
USER_AGENT = "InterviewBank-Bullhorn/1.0"
# Refresh the access token this long before Bullhorn says it expires.
EXPIRY_MARGIN = timedelta(seconds=60)


def login_info_url() -> str:
    return getattr(
        settings,
        "BULLHORN_LOGIN_INFO_URL",
        "https://rest.bullhornstaffing.com/rest-services/loginInfo",
    )


def session_minutes() -> int:
    """How long we use a BhRestToken before logging in again without waiting for a 401."""
    return int(getattr(settings, "BULLHORN_SESSION_MINUTES", 9))


class _NoQueryValues(logging.Filter):
    """httpx logs every request's full URL at INFO; Bullhorn's documented flow puts the API
    user's password, the client secret, codes and tokens in query strings. This filter keeps
    httpx's log lines but shows only the parameter names (for every httpx client)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                f"{a.scheme}://{a.netloc.decode()}{_loggable_path(str(a))}"
                if isinstance(a, httpx.URL) and a.query
                else a
                for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_NoQueryValues())


class BullhornError(Exception):
    """A call to Bullhorn failed; the message says which and why (for the admin's page)."""


class RetryAfter(BullhornError):
    """Try again later: 429, 5xx, a network error. ``after_seconds``: not before then."""

    def __init__(self, message: str, after_seconds: float | None = None):
        super().__init__(message)
        self.after_seconds = after_seconds


class AuthDead(BullhornError):
    """Bullhorn refuses the organization's credentials even after a fresh login."""


class Refused(BullhornError):
    """A 4xx other than 401/429: retrying the same request cannot help."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class NotFound(Refused):
    """404: the entity (candidate, submission, file) is not there."""


def _loggable_path(url: str) -> str:
    """The URL's path and its query parameter names, never their values."""
    parts = urlsplit(url)
    names = sorted(parse_qs(parts.query, keep_blank_values=True))
    return (parts.path + (f"?{'&'.join(names)}" if names else ""))[:500]


def _secret(value: str) -> str:
    if not value:
        return ""
    try:
        return crypto.decrypt(value)
    except crypto.InvalidToken:
        return ""


class Client:
    """Calls for one connection. Not thread-safe; make one per task."""

    def __init__(self, connection: BullhornConnection, *, http: httpx.Client | None = None):
        self.connection = connection
        self.http = http or httpx.Client(
            timeout=TIMEOUT, follow_redirects=False, headers={"user-agent": USER_AGENT}
        )

    # -- transport ---------------------------------------------------------------------------

    def _log(self, method: str, url: str, status: int | None, began: float, error: str = ""):
        BullhornCall.objects.create(
            organization_id=self.connection.organization_id,
            method=method,
            path=_loggable_path(url),
            status=status,
            duration_ms=int((time.monotonic() - began) * 1000),
            error=error[:500],
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        json: Any = None,
        headers: dict | None = None,
        follow: bool = True,
    ) -> httpx.Response:
        """One request (and the redirects it answers with, each checked and logged)."""
        request = self.http.build_request(method, url, params=params, json=json, headers=headers)
        for _ in range(MAX_REDIRECTS + 1):
            target = str(request.url)
            began = time.monotonic()
            try:
                check_url(target, https_only=True)
            except UnsafeURL as exc:
                self._log(method, target, None, began, f"refused: {exc}")
                raise Refused(f"Not calling {urlsplit(target).hostname}: {exc}", 0) from None
            try:
                response = self.http.send(request)
                response.read()
            except httpx.HTTPError as exc:
                self._log(method, target, None, began, f"{type(exc).__name__}: {exc}")
                raise RetryAfter(f"{method} {urlsplit(target).path}: {exc!r}") from None
            self._log(method, target, response.status_code, began)
            if not (follow and response.status_code in (301, 302, 303, 307, 308)):
                return response
            location = response.headers.get("location")
            if not location:
                return response
            # 307/308 repeat the method and body; the older codes become a GET.
            next_method = method if response.status_code in (307, 308) else "GET"
            request = self.http.build_request(
                next_method,
                urljoin(target, location),
                json=json if next_method == method else None,
                headers=headers,
            )
            method = next_method
        raise RetryAfter(f"more than {MAX_REDIRECTS} redirects from {urlsplit(url).hostname}")

    # -- the OAuth flow ----------------------------------------------------------------------

    def _save(self, **fields) -> None:
        for name, value in fields.items():
            setattr(self.connection, name, value)
        # Never onto a connection disconnected meanwhile (its tokens were deleted on purpose).
        BullhornConnection.objects.filter(pk=self.connection.pk).exclude(
            client_secret_encrypted=""
        ).update(updated_at=timezone.now(), **fields)

    def discover(self) -> None:
        response = self.send("GET", login_info_url(), params={"username": self.connection.username})
        data = self._json(response, "loginInfo")
        if not data.get("oauthUrl") or not data.get("restUrl"):
            raise BullhornError("loginInfo did not name the data centre (oauthUrl, restUrl).")
        self._save(oauth_url=data["oauthUrl"].rstrip("/"), login_rest_url=data["restUrl"])

    def authorize(self) -> str:
        """The authorization code for the API user (the redirect's ``code``)."""
        if not self.connection.oauth_url:
            self.discover()
        response = self.send(
            "GET",
            f"{self.connection.oauth_url}/authorize",
            params={
                "client_id": self.connection.client_id,
                "response_type": "code",
                "action": "Login",
                "username": self.connection.username,
                "password": _secret(self.connection.password_encrypted),
            },
            follow=False,
        )
        code = ""
        for _ in range(MAX_REDIRECTS):
            if not response.headers.get("location"):
                break  # the login page again: Bullhorn did not take the credentials
            location = urljoin(str(response.url), response.headers["location"])
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code or not urlsplit(location).path.endswith("/authorize"):
                break
            # Another data centre's authorize (a 307, as for every Bullhorn URL): follow it,
            # checked; the redirect that carries the code is read, never followed.
            response = self.send("GET", location, follow=False)
        if response.status_code == 429 or response.status_code >= 500:
            self._raise_for(response, "authorize")
        if not code:
            raise AuthDead(
                "Bullhorn did not accept the client id, API user name or password "
                f"(authorize answered {response.status_code} without a code)."
            )
        return code

    def _token(self, params: dict) -> bool:
        """Ask for tokens; False when Bullhorn refuses the grant (4xx), raising for the rest."""
        response = self.send(
            "POST",
            f"{self.connection.oauth_url}/token",
            params={
                **params,
                "client_id": self.connection.client_id,
                "client_secret": _secret(self.connection.client_secret_encrypted),
            },
        )
        if response.status_code in (400, 401, 403):
            return False
        data = self._json(response, "token")
        if not data.get("access_token"):
            raise BullhornError("The token answer carried no access_token.")
        expires_in = int(data.get("expires_in") or 600)
        self._save(
            access_token_encrypted=crypto.encrypt(data["access_token"]),
            access_expires_at=timezone.now() + timedelta(seconds=expires_in),
            refresh_token_encrypted=crypto.encrypt(data["refresh_token"])
            if data.get("refresh_token")
            else "",
        )
        return True

    def _access_token_fresh(self) -> bool:
        expires = self.connection.access_expires_at
        return bool(
            self.connection.access_token_encrypted
            and expires is not None
            and expires - EXPIRY_MARGIN > timezone.now()
        )

    def _login(self) -> bool:
        """Exchange the access token for a BhRestToken; False when it is refused (401)."""
        if not self.connection.login_rest_url:
            self.discover()
        response = self.send(
            "POST",
            f"{self.connection.login_rest_url.rstrip('/')}/login",
            params={
                "version": "2.0",
                "access_token": _secret(self.connection.access_token_encrypted),
            },
        )
        if response.status_code in (400, 401, 403):
            return False
        data = self._json(response, "login")
        if not data.get("BhRestToken") or not data.get("restUrl"):
            raise BullhornError("The login answer carried no BhRestToken or restUrl.")
        self._save(
            rest_token_encrypted=crypto.encrypt(data["BhRestToken"]),
            rest_url=data["restUrl"],
            rest_token_expires_at=timezone.now() + timedelta(minutes=session_minutes()),
        )
        return True

    def log_in(self, *, full: bool = False) -> None:
        """A new REST session: with the access token while it is fresh, else a refreshed one,
        else (or with ``full``) the whole flow with the API user's password. AuthDead when
        Bullhorn refuses even that."""
        if not full:
            if self._access_token_fresh() and self._login():
                return
            refresh = _secret(self.connection.refresh_token_encrypted)
            if (
                refresh
                and self.connection.oauth_url
                and self._token({"grant_type": "refresh_token", "refresh_token": refresh})
                and self._login()
            ):
                return
        code = self.authorize()
        if not self._token({"grant_type": "authorization_code", "code": code}):
            raise AuthDead("Bullhorn refused the authorization code: check the client secret.")
        if not self._login():
            raise AuthDead("Bullhorn refused a fresh access token at login.")

    def _session_token(self) -> str:
        token = _secret(self.connection.rest_token_encrypted)
        expires = self.connection.rest_token_expires_at
        if token and self.connection.rest_url and expires and expires > timezone.now():
            return token
        self._relogin(stale=self.connection.rest_token_encrypted)
        return _secret(self.connection.rest_token_encrypted)

    def _relogin(self, *, stale: str, full: bool = False) -> None:
        """Log in again, unless another worker already replaced the stale session meanwhile.
        No row lock is held over the HTTP calls (their log rows must commit even when the
        login fails): two workers refreshing at once cost one refused refresh token, after
        which the loser runs the full flow and wins a session of its own."""
        current = BullhornConnection.objects.get(pk=self.connection.pk)
        fresh = current.rest_token_expires_at and current.rest_token_expires_at > timezone.now()
        self.connection = current
        if not full and current.rest_token_encrypted != stale and fresh:
            return
        self.log_in(full=full)

    # -- REST calls --------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params: dict | None = None, json: Any = None):
        """A REST call on the corporation's ``restUrl``: the answer's JSON (None when empty)."""
        self._honour_pause()
        token = self._session_token()
        for attempt in ("session", "relogin", "full"):
            response = self.send(
                method,
                urljoin(self.connection.rest_url, path),
                params=params,
                json=json,
                headers={"BhRestToken": token},
            )
            if response.status_code != 401:
                break
            if attempt == "full":
                raise AuthDead(
                    f"Bullhorn still answers 401 to {method} {path} after a fresh login."
                )
            self._relogin(stale=self.connection.rest_token_encrypted, full=(attempt == "relogin"))
            token = _secret(self.connection.rest_token_encrypted)
        if response.status_code >= 400:
            self._raise_for(response, f"{method} {path}")
        if not response.content.strip():
            return None
        return self._json(response, f"{method} {path}")

    def get(self, path: str, **params):
        return self.call("GET", path, params=params or None)

    def put(self, path: str, json: Any = None, **params):
        return self.call("PUT", path, params=params or None, json=json)

    def post(self, path: str, json: Any = None, **params):
        return self.call("POST", path, params=params or None, json=json)

    def delete(self, path: str):
        return self.call("DELETE", path)

    # -- answers -----------------------------------------------------------------------------

    def _honour_pause(self) -> None:
        until = BullhornConnection.objects.filter(pk=self.connection.pk).values_list(
            "paused_until", flat=True
        )
        until = next(iter(until), None)
        now = timezone.now()
        if until and until > now:
            raise RetryAfter(
                f"Bullhorn asked us to wait until {until:%H:%M:%S} UTC",
                (until - now).total_seconds(),
            )

    def _raise_for(self, response: httpx.Response, what: str):
        status = response.status_code
        detail = _error_text(response)
        if status == 429 or status >= 500:
            after = parse_retry_after(response.headers.get("retry-after"))
            if after:
                self._save(paused_until=timezone.now() + timedelta(seconds=after))
            raise RetryAfter(f"{what}: Bullhorn answered {status} {detail}".strip(), after)
        if status == 404:
            raise NotFound(f"{what}: not found {detail}".strip(), status)
        raise Refused(f"{what}: Bullhorn answered {status} {detail}".strip(), status)

    def _json(self, response: httpx.Response, what: str) -> dict:
        if response.status_code >= 400 or response.status_code in (301, 302, 303, 307, 308):
            self._raise_for(response, what)
        try:
            data = response.json()
        except ValueError:
            raise BullhornError(f"{what}: the answer is not JSON.") from None
        if not isinstance(data, dict):
            raise BullhornError(f"{what}: the answer is not a JSON object.")
        return data


def _error_text(response: httpx.Response) -> str:
    """Bullhorn's ``errorMessage`` (its error shape), else a short snippet of the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        return str(data.get("errorMessage") or data.get("error") or "")[:200]
    return ""
