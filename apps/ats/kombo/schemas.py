"""The shapes Kombo documents for its assessment API, as pydantic models: the
``assessment:order-received`` webhook we receive, and the two bodies we send (packages, order
result). Sources: docs.kombo.dev (API reference "Unified ATS (Assessment & Background Check)
API": PUT /assessment/packages, PUT /assessment/orders/{assessment_order_id}/result, webhook
assessment:order-received) and Kombo's generated SDK (github.com/kombohq/typescript-sdk,
src/models/*assessment*).

Inbound models ignore fields they do not know (Kombo adds fields without notice) and require only
what we act on: a missing or mistyped required field is a 400 naming it. Outbound models forbid
unknown fields, so a body we build that Kombo would not recognise fails here, in our tests.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "OrderReceived",
    "PackagesBody",
    "ResultBody",
    "ValidationError",
    "errors_by_field",
]

ORDER_RECEIVED = "assessment:order-received"
OrderStatus = Literal["OPEN", "COMPLETED", "CANCELLED", "REJECTED"]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Candidate(_In):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    remote_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class RemoteRef(_In):
    remote_id: str | None = None


class Job(_In):
    remote_id: str | None = None
    name: str | None = None


class OrderData(_In):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    package_id: Annotated[str, Field(min_length=1, max_length=200)]
    status: OrderStatus
    # Required in Kombo's schema; optional here since only a mismatch matters to us.
    integration_id: str | None = None
    candidate: Candidate
    application: RemoteRef | None = None
    job: Job | None = None


class OrderReceived(_In):
    """The webhook body: ``{"id", "type": "assessment:order-received", "data": {...}}``."""

    id: Annotated[str, Field(min_length=1, max_length=200)]
    type: Literal["assessment:order-received"]
    data: OrderData


class Envelope(_In):
    """Every Kombo webhook: an id and a type (we act on the order type only)."""

    id: str
    type: str


# -- what we send -----------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Package(_Out):
    id: Annotated[str, Field(min_length=1)]
    type: Literal[
        "BEHAVIORAL", "VIDEO_INTERVIEW", "SKILLS_TEST", "BACKGROUND_CHECK", "REFERENCE_CHECK"
    ]
    name: Annotated[str, Field(min_length=1)]
    description: str


class PackagesBody(_Out):
    packages: list[Package]


class TextAttribute(_Out):
    type: Literal["TEXT"] = "TEXT"
    label: str
    value: str


class Attachment(_Out):
    name: str
    content_type: str
    data: str  # base64 of the file (Kombo also accepts ``data_url``; we send the bytes)


class ResultBody(_Out):
    status: Literal["COMPLETED", "CANCELLED", "OPEN"]
    result_url: str
    completed_at: Annotated[
        str | None, Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    ] = None
    score: float | None = None
    max_score: float | None = None
    attributes: list[TextAttribute] | None = None
    attachments: list[Attachment] | None = None


def errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    """pydantic's errors as ``{"data.candidate.email": ["Field required"]}``."""
    out: dict[str, list[str]] = {}
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "body"
        out.setdefault(where, []).append(error["msg"])
    return out
