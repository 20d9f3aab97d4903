"""The export built from stored parts (apps/interviews/services/export_parts.py): byte for byte
what the older json_build_object query wrote, for varied rows; the part follows every writer
of ``result``; names stay joined at read time; gzip on request."""

import gzip
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from apps.ats import export
from apps.interviews.models import Application, Candidate, CandidateSession
from apps.interviews.services import export_parts
from apps.interviews.services.scoring import store_results
from tests.factories import CandidateSessionFactory

pytestmark = pytest.mark.django_db

NAMES = ['Zoë "Zed" Müller', "O'Brien, Seán", "back\\slash", "tab\tand\nnewline", "=1+1", "李雷"]
RESULTS = [
    None,
    {"label": "above_bar", "score": 81.5, "band": [74.0, 88.9], "scoring_version": "2",
     "track": {"fit": "match", "orientation": "plant"}, "level_fit": 3, "p_above": 0.97,
     "bar": 62.5},
    {"label": "incomplete", "score": 40.0, "band": [0.0, 100.0], "level_fit": "none",
     "track": {"fit": "unclear"}, "p_above": 0.5, "bar": 70},
    {"label": "borderline", "score": 1e-7, "band": [-0.0, 1e20], "scoring_version": "2026.1",
     "level_fit": 2, "p_above": 0.123456789012345678, "bar": 62.5},
    {"label": 'quote " and \\ and ü', "score": 12, "band": [1, 2], "track": {}},
    {"stale": True},
]  # fmt: skip


def _old_and_new(org, model, params=None):
    kind = export.SESSIONS if model is CandidateSession else export.APPLICATIONS
    params = params or QueryDict()
    old = b"".join(
        export._pg_stream(export.export_queryset(org, params, kind), "ndjson", kind.columns)
    )
    new_qs = export._line_queryset(org, params, kind)
    new = b"".join(export._pg_copy_stream(*export._pg_line_sql(new_qs, kind)))
    return old, new


@pytest.fixture
def varied(org):
    sessions = []
    for i in range(2 * len(RESULTS)):
        session = CandidateSessionFactory(organization=org)
        Candidate.objects.filter(pk=session.candidate_id).update(
            name=NAMES[i % len(NAMES)], email=f"ü{i}@example.com"
        )
        sessions.append(session)
    for model, ids in (
        (CandidateSession, [s.pk for s in sessions]),
        (Application, [s.application_id for s in sessions]),
    ):
        store_results(model, list(zip(ids, RESULTS * 2, strict=True)), timezone.now())
    return sessions


def test_lines_from_stored_parts_are_byte_identical_to_the_old_query(
    org, other_org, varied, require_postgres
):
    CandidateSessionFactory(organization=other_org)
    # A row whose part was never written (result stored around the service): built from its
    # result, still identical.
    CandidateSession.objects.filter(pk=varied[1].pk).update(export_part=None)
    Application.objects.filter(pk=varied[2].application_id).update(export_part=None)
    for model in (CandidateSession, Application):
        old, new = _old_and_new(org, model)
        assert new == old
        assert len(new.splitlines()) == len(varied)
        rows = [json.loads(line) for line in new.splitlines()]
        assert {r["candidate_name"] for r in rows} == set(NAMES)
    params = QueryDict(f"updated_since={varied[3].created_at.isoformat()}".replace("+", "%2B"))
    old, new = _old_and_new(org, CandidateSession, params)
    assert new == old and new


def test_the_part_is_the_results_only_and_names_are_joined_when_read(org, varied, require_postgres):
    session = CandidateSession.objects.get(pk=varied[1].pk)
    assert session.export_part.startswith('"label" : "above_bar", "score" : 81.5, ')
    assert "Zoë" not in session.export_part and "@" not in session.export_part
    # An erased (renamed) candidate: the next export shows the new name, not a stored copy.
    Candidate.objects.filter(pk=session.candidate_id).update(name="Erased candidate", email="")
    old, new = _old_and_new(org, CandidateSession)
    assert new == old
    line = next(
        json.loads(x) for x in new.splitlines() if json.loads(x)["session_id"] == session.pk
    )
    assert line["candidate_name"] == "Erased candidate" and line["candidate_email"] == ""


def test_the_data_migration_fills_missing_parts(org, varied, require_postgres):
    scored = CandidateSession.objects.filter(result__isnull=False)
    written = dict(scored.values_list("pk", "export_part"))
    CandidateSession.objects.update(export_part=None)
    Application.objects.update(export_part=None)
    migration = importlib.import_module("apps.interviews.migrations.0012_export_parts")
    with connection.schema_editor() as editor:
        migration.fill_parts(django_apps, editor)
    assert dict(scored.values_list("pk", "export_part")) == written
    assert None not in written.values()
    old, new = _old_and_new(org, Application)
    assert new == old


def test_store_results_writes_the_part_with_the_result(org, require_postgres):
    session = CandidateSessionFactory(organization=org)
    table = CandidateSession._meta.db_table
    part = export_parts.part_sql(CandidateSession, "result")
    check = f"SELECT export_part = {part} FROM {table} WHERE id = %s"  # noqa: S608
    assert store_results(CandidateSession, [(session.pk, RESULTS[1])], timezone.now()) == {
        session.pk
    }
    with connection.cursor() as cursor:
        cursor.execute(check, [session.pk])
        assert cursor.fetchone() == (True,)
    # The same result again: nothing written.
    assert store_results(CandidateSession, [(session.pk, RESULTS[1])], timezone.now()) == set()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/export/sessions.ndjson",
        "/api/v1/export/applications.ndjson",
        "/api/v1/export/sessions.csv",
    ],
)
def test_gzip_when_asked_streamed_and_equal_to_the_plain_body(api, org, varied, path):
    plain = api.get(path, HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    body = b"".join(plain.streaming_content)
    packed = api.get(path, HTTP_ACCEPT_ENCODING="br;q=1.0, gzip;q=0.8")
    assert packed.streaming and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    chunks = list(packed.streaming_content)
    assert len(chunks) >= 2 and chunks[0]  # the first piece is flushed on its own
    assert gzip.decompress(b"".join(chunks)) == body and body


@pytest.mark.parametrize(
    "header,expected",
    [("gzip", True), ("deflate, gzip;q=0.5", True), ("gzip;q=0", False), ("identity", False),
     ("", False), ("GZIP", True), ("gzip;q=x", False), ("x-gzip", True)],
)  # fmt: skip
def test_accept_encoding_parsing(header, expected):
    assert export.accepts_gzip(header) is expected


def test_only_the_scoring_service_writes_results():
    """The part is right only if every write of ``result`` goes through store_results: no other
    module assigns, updates or saves a session's or application's result."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "apps"
    writes = re.compile(
        r"\.result\s*=[^=]|update\([^)]*\bresult\s*=|update_fields=[^\]]*\"result\""
    )
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and path.name != "scoring.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if writes.search(line)
    ]
    assert found == []
