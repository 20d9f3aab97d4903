"""A fake Kombo: a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a thread) with the
assessment endpoints we call, checking every request against Kombo's documented schema
(docs.kombo.dev API reference; github.com/kombohq/typescript-sdk ``src/models``), written here
independently of ``apps.ats.kombo.schemas`` so that a mistake there cannot hide itself:

- ``PUT /v1/assessment/packages`` ``{"packages": [{"id", "type", "name", "description"}]}``
  (all four required; ``type`` one of five values);
- ``PUT /v1/assessment/orders/{id}/result`` ``{"status", "result_url", "completed_at",
  "score", "max_score", "attributes", "attachments", "remote_fields"}`` (``status`` and
  ``result_url`` required; ``completed_at`` as ``YYYY-MM-DDTHH:mm:ss.sssZ``, required for
  COMPLETED/CANCELLED; attributes TEXT ``{label, value}`` or SUB_RESULT ``{id, label, score:
  {value, max}, status}``; an attachment has ``name`` and ``data`` or ``data_url``, and a
  ``content_type`` with ``data``).

and ``GET /v1/assessment/orders?ids=&statuses=&page_size=&cursor=`` over ``orders`` (a dict
the test fills), paginated with ``next``.

All need ``Authorization: Bearer <api key>`` and ``X-Integration-Id`` of a known account (else
401). A body that does not match: 400 with pydantic's reasons, so a test fails loudly. Success:
``{"status": "success", "data": {}, "warnings": []}``. ``answer_next(429, retry_after=7)``
queues answers. ``signature(body, secret)`` and ``post_signed(...)`` send Kombo's
``assessment:order-received`` webhook, signed as Kombo documents (``X-Kombo-Signature``:
base64url HMAC-SHA256 of the raw body, no padding).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

KOMBO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackageIn(_Strict):
    id: str
    type: Literal[
        "BEHAVIORAL", "VIDEO_INTERVIEW", "SKILLS_TEST", "BACKGROUND_CHECK", "REFERENCE_CHECK"
    ]
    name: str
    description: str


class PackagesIn(_Strict):
    packages: list[PackageIn]


class Score(_Strict):
    value: float
    max: float


class TextAttribute(_Strict):
    type: Literal["TEXT"]
    label: str
    value: str


class SubResult(_Strict):
    type: Literal["SUB_RESULT"]
    id: str
    label: str
    score: Score
    status: Literal["COMPLETED", "CANCELLED"]


class AttachmentIn(_Strict):
    name: str
    content_type: str | None = None
    data_url: str | None = None
    data: str | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if not (self.data or self.data_url):
            raise ValueError("provide data or data_url")
        if self.data and not self.content_type:
            raise ValueError("content_type is required with data")
        if self.data:
            base64.b64decode(self.data, validate=True)
        return self


class ResultIn(_Strict):
    status: Literal["COMPLETED", "CANCELLED", "OPEN"]
    result_url: str
    completed_at: str | None = None
    score: float | None = None
    max_score: float | None = None
    attributes: list[Annotated[TextAttribute | SubResult, Field(discriminator="type")]] | None = (
        None
    )
    attachments: list[AttachmentIn] | None = None
    remote_fields: dict | None = None

    @model_validator(mode="after")
    def _completed_at(self):
        if self.completed_at is not None and not KOMBO_TIME.fullmatch(self.completed_at):
            raise ValueError("completed_at must be YYYY-MM-DDTHH:mm:ss.sssZ")
        if self.status in ("COMPLETED", "CANCELLED") and self.completed_at is None:
            raise ValueError("completed_at is required when status is COMPLETED or CANCELLED")
        return self


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class FakeKombo:
    """The running server: ``url`` is the API base (``.../v1``) to put in KOMBO_API_URL."""

    url: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # api key -> integration id
    calls: list[Call] = field(default_factory=list)  # accepted requests
    refused: list[tuple[int, str]] = field(default_factory=list)  # (status, reason)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    orders: dict[str, dict] = field(default_factory=dict)  # Kombo's orders, by id
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def account(self, api_key: str, integration_id: str) -> None:
        self.accounts[api_key] = integration_id

    def answer_next(self, status: int, *, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.answers.append((status, headers))

    def results(self, order_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.endswith("/result")
            and (order_id is None or c.path == f"/v1/assessment/orders/{order_id}/result")
        ]

    def packages(self) -> list[Call]:
        return [c for c in self.calls if c.path == "/v1/assessment/packages"]

    # -- server ---------------------------------------------------------------------------

    def start(self) -> FakeKombo:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                fake._handle(self)

            def do_GET(self):
                fake._handle_get(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def _reply(self, handler, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _refuse(self, handler, status: int, reason: str) -> None:
        with self._lock:
            self.refused.append((status, reason))
        self._reply(handler, status, {"status": "error", "error": {"message": reason}})

    def _handle(self, handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        auth = headers.get("authorization", "")
        key = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if key not in self.accounts or headers.get("x-integration-id") != self.accounts[key]:
            return self._refuse(handler, 401, "unknown API key or integration id")
        with self._lock:
            queued = self.answers.pop(0) if self.answers else None
        if queued is not None:
            status, extra = queued
            return self._reply(handler, status, {"status": "error", "error": {}}, extra)
        try:
            body = json.loads(raw)
        except ValueError:
            return self._refuse(handler, 400, "body is not JSON")
        path = handler.path
        try:
            if path == "/v1/assessment/packages":
                PackagesIn.model_validate(body)
            elif re.fullmatch(r"/v1/assessment/orders/[^/]+/result", path):
                ResultIn.model_validate(body)
            else:
                return self._refuse(handler, 404, f"no endpoint {path}")
        except ValidationError as exc:
            return self._refuse(handler, 400, str(exc))
        with self._lock:
            self.calls.append(Call("PUT", path, headers, body))
        self._reply(handler, 200, {"status": "success", "data": {}, "warnings": []})

    def _handle_get(self, handler) -> None:
        """``GET /v1/assessment/orders?ids=&statuses=&page_size=&cursor=``: one page of
        ``page_size`` (at most 250) and a ``next`` cursor while more remain."""
        from urllib.parse import parse_qs, urlsplit

        headers = {k.lower(): v for k, v in handler.headers.items()}
        auth = headers.get("authorization", "")
        key = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if key not in self.accounts or headers.get("x-integration-id") != self.accounts[key]:
            return self._refuse(handler, 401, "unknown API key or integration id")
        parts = urlsplit(handler.path)
        if parts.path != "/v1/assessment/orders":
            return self._refuse(handler, 404, f"no endpoint {parts.path}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"ids", "statuses", "page_size", "cursor", "created_after"}
        statuses = [x for x in query.get("statuses", "").split(",") if x]
        size = int(query.get("page_size", "100"))
        if unknown or not set(statuses) <= {"OPEN", "COMPLETED", "CANCELLED", "REJECTED"}:
            return self._refuse(handler, 400, f"bad query {query}")
        if not 1 <= size <= 250:
            return self._refuse(handler, 400, "page_size must be 1-250")
        ids = [x for x in query.get("ids", "").split(",") if x]
        matching = [
            o
            for o in self.orders.values()
            if (not ids or o["id"] in ids) and (not statuses or o["status"] in statuses)
        ]
        start = int(query.get("cursor", "0"))
        page = matching[start : start + size]
        more = start + size < len(matching)
        with self._lock:
            self.calls.append(Call("GET", handler.path, headers, {}))
        self._reply(
            handler,
            200,
            {
                "status": "success",
                "data": {"next": str(start + size) if more else None, "results": page},
                "warnings": [],
            },
        )


# -- Kombo's side of the webhook ---------------------------------------------------------------


def signature(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def order_event(
    *,
    order_id: str = "B5KQKhAgTv6ZwzrfAbqbhipd",
    package_id: str,
    status: str = "OPEN",
    integration_id: str = "workday:HWUTwvyx2wLoSUHphiWVrp28",
    email: str = "john.doe@gmail.com",
    event_id: str | None = None,
) -> dict:
    """An ``assessment:order-received`` webhook as Kombo's docs show it (their example values)."""
    return {
        "id": event_id or f"evt-{order_id}-{status}",
        "type": "assessment:order-received",
        "data": {
            "id": order_id,
            "package_id": package_id,
            "status": status,
            "integration_id": integration_id,
            "candidate": {
                "remote_id": "12345",
                "email": email,
                "first_name": "John",
                "last_name": "Doe",
                "phone": "+1 123 456 7890",
            },
            "application": {"remote_id": "54321"},
            "job": {
                "remote_id": "67890",
                "name": "Bottle Opener",
                "location": {"city": "Berlin", "country": "DE", "raw": "Berlin, Germany"},
                "hiring_team": [
                    {
                        "remote_id": "78901",
                        "email": "jane.doe@gmail.com",
                        "first_name": "Jane",
                        "last_name": "Doe",
                        "hiring_team_roles": ["RECRUITER"],
                    }
                ],
            },
        },
    }


def post_signed(client, path: str, payload: dict | bytes, secret: str | None):
    """POST ``payload`` to our webhook through a Django test client, signed with ``secret``
    (None: unsigned)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    extra = {"HTTP_X_KOMBO_SIGNATURE": signature(body, secret)} if secret is not None else {}
    return client.post(path, data=body, content_type="application/json", **extra)
