"""A fake Bullhorn: a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a thread) with
the calls the connector makes, shaped as Bullhorn's REST documentation shows them
(bullhorn.github.io/rest-api-docs; "Getting Started with REST"):

- ``GET /rest-services/loginInfo?username=`` -> ``{"oauthUrl", "restUrl", ...}``
- ``GET /oauth/authorize?client_id&response_type=code&action=Login&username&password`` -> 302,
  the code in the Location's query; wrong credentials -> 200 with a login page (no redirect)
- ``POST /oauth/token`` (``grant_type=authorization_code|refresh_token``, parameters in the
  query string as the docs show, or a form body) -> ``{"access_token", "token_type",
  "expires_in", "refresh_token"}``; a refresh token works once (a new one comes back)
- ``POST /rest-services/login?version=2.0&access_token=`` -> ``{"BhRestToken", "restUrl"}``
- under ``restUrl`` (``/rest-services/{corpToken}/``), with the ``BhRestToken`` header or query
  parameter (missing, unknown or expired: 401 in Bullhorn's error shape):
  ``PUT|GET event/subscription/{id}``, ``GET entity/Candidate/{id}``,
  ``GET entity/JobSubmission/{id}``, ``PUT entity/Note``, ``PUT file/Candidate/{id}``,
  ``POST|DELETE file/Candidate/{id}/{fileId}``. Unknown entities: 404 in the error shape.

Several accounts (corporations) share one server, as they share a Bullhorn data centre.
``throttle_once()`` makes the next REST call answer 429 with ``Retry-After``; ``redirect_login``
makes ``/oauth/authorize`` and ``/rest-services/login`` answer 307 to another data centre's
path first.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

_ids = itertools.count(1000)


def error_body(status: int, message: str, key: str = "") -> dict:
    """Bullhorn's error shape, as its API answers (``errorMessage``, ``errorMessageKey``,
    ``errorCode``); observed in client libraries, not in the reference itself."""
    return {"errorMessage": message, "errorMessageKey": key, "errorCode": status}


@dataclass
class Account:
    corp: str
    username: str
    password: str
    client_id: str
    client_secret: str
    candidates: dict[int, dict] = field(default_factory=dict)
    submissions: dict[int, dict] = field(default_factory=dict)
    pending_events: list[dict] = field(default_factory=list)
    batches: dict[int, list[dict]] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)
    files: dict[int, dict] = field(default_factory=dict)  # fileId -> file (with candidate id)

    def add_candidate(self, *, first="Grace", last="Hopper", email="grace@example.com", phone=""):
        cid = next(_ids)
        self.candidates[cid] = {
            "id": cid,
            "firstName": first,
            "lastName": last,
            "email": email,
            "phone": phone,
        }
        return cid

    def add_submission(self, candidate_id: int, *, status="Submitted", job_order_id=None) -> int:
        sid = next(_ids)
        self.submissions[sid] = {
            "id": sid,
            "status": status,
            "candidate": {"id": candidate_id},
            "jobOrder": {"id": job_order_id or next(_ids)},
        }
        return sid

    def event(self, entity: str, entity_id: int, kind: str = "UPDATED", fields=()) -> str:
        event_id = f"ID:JBM-{next(_ids)}"
        self.pending_events.append(
            {
                "eventId": event_id,
                "eventType": "ENTITY",
                "entityName": entity,
                "eventMetadata": {},
                "updatedProperties": list(fields),
                "entityEventType": kind,
                "eventTimestamp": int(time.time() * 1000),
                "entityId": entity_id,
            }
        )
        return event_id

    def set_status(self, submission_id: int, status: str) -> str:
        """The recruiter moves the submission in Bullhorn: an UPDATED event follows."""
        self.submissions[submission_id]["status"] = status
        return self.event("JobSubmission", submission_id, "UPDATED", ["status"])

    def live_files(self, candidate_id: int) -> list[dict]:
        return [
            f for f in self.files.values() if f["candidate"] == candidate_id and not f["deleted"]
        ]


class FakeBullhorn:
    def __init__(self, *, access_seconds: int = 600):
        self.accounts: dict[str, Account] = {}
        self.codes: dict[str, Account] = {}
        self.access: dict[str, tuple[Account, float]] = {}
        self.refresh: dict[str, Account] = {}
        self.sessions: dict[str, tuple[Account, float]] = {}
        self.access_seconds = access_seconds
        self.session_seconds = 600
        self.requests: list[dict] = []
        self.throttles: list[tuple[int, str | None]] = []
        self.redirect_login = False
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.login_info_url = f"{self.base}/rest-services/loginInfo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- set-up and knobs ------------------------------------------------------------------

    def add_account(self, corp="corp1", username="api.user", password="s3cret-pw") -> Account:  # noqa: S107
        account = Account(
            corp=corp,
            username=username,
            password=password,
            client_id=f"client-{corp}",
            client_secret=f"client-secret-{corp}-{secrets.token_hex(4)}",
        )
        self.accounts[username] = account
        return account

    def throttle_once(self, status: int = 429, retry_after: str | None = "120") -> None:
        self.throttles.append((status, retry_after))

    def expire_sessions(self) -> None:
        """Every BhRestToken times out (Bullhorn's session ttl)."""
        self.sessions.clear()

    def expire_access_tokens(self) -> None:
        self.access.clear()

    def revoke_refresh_tokens(self) -> None:
        self.refresh.clear()

    def calls(self, method: str | None = None, path_part: str = "") -> list[dict]:
        return [
            r
            for r in self.requests
            if (method is None or r["method"] == method) and path_part in r["path"]
        ]

    # -- the server --------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body=None, headers=None):
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = None
                params = dict(query)
                if raw and "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw)
                elif raw:  # a form body (the OAuth token call may send one)
                    body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                    params.update(body)
                with fake.lock:
                    fake.requests.append(
                        {
                            "method": method,
                            "path": parts.path,
                            "query": query,
                            "body": body,
                            "headers": dict(self.headers),
                            "at": time.time(),
                        }
                    )
                    status, answer, headers = fake.route(
                        method, parts.path, params, body, self.headers
                    )
                self._answer(status, answer, headers)

            def do_GET(self):
                self._handle("GET")

            def do_PUT(self):
                self._handle("PUT")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        return Handler

    def route(self, method, path, query, body, headers):
        if path == "/rest-services/loginInfo" and method == "GET":
            return (
                200,
                {
                    "atsUrl": f"{self.base}/ats",
                    "oauthUrl": f"{self.base}/oauth",
                    "restUrl": f"{self.base}/rest-services",
                },
                None,
            )
        if path in ("/oauth/authorize", "/dc2/oauth/authorize") and method == "GET":
            if self.redirect_login and path == "/oauth/authorize":
                location = f"{self.base}/dc2/oauth/authorize?" + urlencode(query)
                return 307, None, {"Location": location}
            account = self.accounts.get(query.get("username", ""))
            if (
                account is None
                or account.password != query.get("password")
                or account.client_id != query.get("client_id")
                or query.get("response_type") != "code"
            ):
                return 200, None, None  # the login page again: no code
            code = secrets.token_urlsafe(12)
            self.codes[code] = account
            location = f"{self.base}/oauth/landing?" + urlencode(
                {"code": code, "client_id": account.client_id}
            )
            return 302, None, {"Location": location}
        if path == "/oauth/token" and method == "POST":
            return self._token(query)
        if path in ("/rest-services/login", "/dc2/rest-services/login") and method == "POST":
            if self.redirect_login and path == "/rest-services/login":
                return 307, None, {"Location": f"{self.base}/dc2/rest-services/login?" +
                                   urlencode(query)}  # fmt: skip
            held = self.access.get(query.get("access_token", ""))
            if held is None or held[1] < time.time() or query.get("version") is None:
                return 401, error_body(401, "Invalid or expired OAuth access token."), None
            account = held[0]
            token = secrets.token_hex(16)
            self.sessions[token] = (account, time.time() + self.session_seconds)
            return (
                200,
                {"BhRestToken": token, "restUrl": f"{self.base}/rest-services/{account.corp}/"},
                None,
            )
        prefix = "/rest-services/"
        if not path.startswith(prefix):
            return 404, error_body(404, "Not found"), None
        corp, _, rest = path[len(prefix) :].partition("/")
        token = headers.get("BhRestToken") or query.get("BhRestToken", "")
        held = self.sessions.get(token)
        if held is None or held[1] < time.time() or held[0].corp != corp:
            return (
                401,
                error_body(401, "Bad 'BhRestToken' or timed-out.", "errors.authentication"),
                None,
            )
        if self.throttles:
            status, retry_after = self.throttles.pop(0)
            return (
                status,
                error_body(status, "Too many requests"),
                {"Retry-After": retry_after} if retry_after else None,
            )
        return self._rest(held[0], method, rest.split("/"), query, body)

    def _token(self, query):
        client_account = next(
            (a for a in self.accounts.values() if a.client_id == query.get("client_id")), None
        )
        if client_account is None or client_account.client_secret != query.get("client_secret"):
            return 400, {"error": "invalid_client"}, None
        grant = query.get("grant_type")
        if grant == "authorization_code":
            account = self.codes.pop(query.get("code", ""), None)
        elif grant == "refresh_token":
            account = self.refresh.pop(query.get("refresh_token", ""), None)
        else:
            return 400, {"error": "unsupported_grant_type"}, None
        if account is None or account is not client_account:
            return 400, {"error": "invalid_grant"}, None
        access, refresh = secrets.token_hex(12), secrets.token_hex(12)
        self.access[access] = (account, time.time() + self.access_seconds)
        self.refresh[refresh] = account
        return (
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.access_seconds,
                "refresh_token": refresh,
            },
            None,
        )

    def _rest(self, account: Account, method, parts, query, body):
        not_found = 404, error_body(404, "Unable to find entity", "errors.cannotFindEntity"), None
        match (method, parts):
            case ("PUT", ["event", "subscription", sub_id]):
                account.subscriptions[sub_id] = dict(query)
                return (
                    200,
                    {
                        "lastRequestId": 0,
                        "subscriptionId": sub_id,
                        "createdOn": int(time.time() * 1000),
                        "jmsSelector": f"JMSType='ENTITY' AND BhEntityName IN "
                        f"({query.get('names')})",
                    },
                    None,
                )
            case ("DELETE", ["event", "subscription", sub_id]):
                if account.subscriptions.pop(sub_id, None) is None:
                    return not_found
                return 200, {"result": True}, None
            case ("GET", ["event", "subscription", sub_id]):
                if sub_id not in account.subscriptions:
                    return not_found
                if query.get("requestId"):
                    events = account.batches.get(int(query["requestId"]), [])
                    return 200, {"requestId": int(query["requestId"]), "events": events}, None
                size = int(query.get("maxEvents", 100))
                events = account.pending_events[:size]
                del account.pending_events[:size]
                if not events:
                    return 200, None, None  # nothing new: an empty answer
                request_id = max(account.batches, default=0) + 1
                account.batches[request_id] = events
                return 200, {"requestId": request_id, "events": events}, None
            case ("GET", ["entity", "Candidate", cid]):
                row = account.candidates.get(int(cid))
                return (200, {"data": row}, None) if row else not_found
            case ("GET", ["entity", "JobSubmission", sid]):
                row = account.submissions.get(int(sid))
                return (200, {"data": row}, None) if row else not_found
            case ("PUT", ["entity", "Note"]):
                person = (body or {}).get("personReference", {}).get("id")
                if person not in account.candidates:
                    return not_found
                note_id = next(_ids)
                account.notes.append({"id": note_id, **body})
                return (
                    200,
                    {
                        "changedEntityType": "Note",
                        "changedEntityId": note_id,
                        "changeType": "INSERT",
                    },
                    None,
                )
            case ("PUT", ["file", "Candidate", cid]):
                if int(cid) not in account.candidates:
                    return not_found
                missing = [
                    k for k in ("externalID", "fileContent", "fileType", "name") if k not in body
                ]
                if missing:
                    return 400, error_body(400, f"Missing {', '.join(missing)}"), None
                file_id = next(_ids)
                account.files[file_id] = {
                    "id": file_id,
                    "candidate": int(cid),
                    "deleted": False,
                    **body,
                }
                return 200, {"fileId": file_id}, None
            case ("POST", ["file", "Candidate", cid, file_id]):
                row = account.files.get(int(file_id))
                if row is None or row["deleted"] or row["candidate"] != int(cid):
                    return not_found
                row.update(body)
                return 200, None, None
            case ("DELETE", ["file", "Candidate", cid, file_id]):
                row = account.files.get(int(file_id))
                if row is None or row["deleted"] or row["candidate"] != int(cid):
                    return not_found
                row["deleted"] = True
                return 200, {"fileId": int(file_id), "changeType": "DELETED"}, None
        return not_found
