import base64
import functools

import pytest
from rest_framework.test import APIClient

from apps.ats.models import OrganizationAPIKey

# -- every API response the tests see is checked against the OpenAPI schema --------------------


@functools.cache
def api_schema():
    """The generated OpenAPI schema (drf-spectacular), loaded through schemathesis once.

    The WSGI request fires request_started/finished, whose close_old_connections would close
    the test's database connection (on PostgreSQL); detach it meanwhile, as Django's test
    client does."""
    import schemathesis
    from django.core import signals
    from django.db import close_old_connections

    from interviewbank.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        return schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class SchemaMismatch(AssertionError):
    pass


def check_against_schema(response) -> None:
    """Fail unless ``response`` is one its operation documents (status code) and its body
    validates against the documented schema (schemathesis' response checks on a recorded
    response). Streamed exports are left to their own tests."""
    import requests
    from schemathesis.core.failures import FailureGroup
    from schemathesis.core.transport import Response

    environ = response.request
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    operation = api_schema().find_operation_by_path(method, path)
    if operation is None or getattr(response, "streaming", False):
        return
    documented = operation.definition.raw.get("responses", {})
    if str(response.status_code) not in documented and "default" not in documented:
        raise SchemaMismatch(
            f"{method} {path} answered {response.status_code}, which its schema does not "
            f"document ({', '.join(sorted(documented))})"
        )
    query = environ.get("QUERY_STRING", "")
    request = requests.Request(
        method=method, url=f"http://testserver{path}" + (f"?{query}" if query else "")
    ).prepare()
    recorded = Response(
        status_code=response.status_code,
        headers={key: [value] for key, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=False,
        message=response.reason_phrase,
        encoding=response.charset,
    )
    try:
        operation.validate_response(recorded)
    except FailureGroup as group:
        raise SchemaMismatch(
            f"{method} {path} ({response.status_code}) does not match its schema: "
            + "; ".join(str(f) for f in group.exceptions)
        ) from None


class SchemaCheckedClient(APIClient):
    """A DRF test client that checks each API response against the OpenAPI schema."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        check_against_schema(response)
        return response


@pytest.fixture
def org_key(org):
    """(key row, raw key) for the test organization. The raw key is shown only at creation."""
    return OrganizationAPIKey.objects.create_key(name="Greenhouse", organization=org)


@pytest.fixture
def other_key(other_org):
    return OrganizationAPIKey.objects.create_key(name="Rival ATS", organization=other_org)


@pytest.fixture
def api(org_key):
    """A DRF client authenticated as the test organization's API key."""
    client = SchemaCheckedClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {org_key[1]}")
    return client


@pytest.fixture
def other_api(other_key):
    client = SchemaCheckedClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key[1]}")
    return client


def basic_auth(raw_key: str) -> str:
    """Greenhouse's header: HTTP Basic with the key as username and an empty password."""
    return "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()


@pytest.fixture
def greenhouse(org_key):
    client = SchemaCheckedClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(org_key[1]))
    return client


@pytest.fixture
def keep_connection():
    """Calls through the WSGI app would close the test's database connection at the end of
    each request (and with it the test transaction); Django's own test client disconnects the
    same signal handlers for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call_and_validate(case, **kwargs):
    """``case.call_and_validate`` minus three known false positives of schemathesis (the
    first two of its negative mode, "schema-violating request accepted"):

    - it mutates an optional query value into a form that serialises to the same string as a
      valid one (e.g. the list ["live"] for an enum) and names no invalid component;
    - it drops the Authorization header as the violation, but the test supplies the key on
      every call, so the request it sends is in fact valid;
    - it sends a made-up ``cursor`` (any non-empty string is schema-valid) and calls the 400
      a rejection of valid data: a cursor is opaque, valid only as our own next/previous
      links wrote it, which no schema can express (tests/ats/test_api_malformed.py).

    Every other failure is raised."""
    from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
    from schemathesis.openapi.checks import RejectedPositiveData

    made_up_cursor = "cursor" in (case.query or {})

    try:
        return case.call_and_validate(**kwargs)
    except FailureGroup as group:
        real = [
            f
            for f in group.exceptions
            if not (isinstance(f, RejectedPositiveData) and made_up_cursor)
            and not (
                isinstance(f, AcceptedNegativeData)
                and (
                    f.message.rstrip().endswith("Invalid component:")
                    or "(was Authorization)" in f.message
                )
            )
        ]
        if real:
            raise FailureGroup(real) from None
        return None
