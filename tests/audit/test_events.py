"""events.record (exports, erasures...) and events.scrub (erasure support)."""

import pytest
from django.test import RequestFactory

from apps.audit import events
from apps.audit.models import AuditEntry
from apps.interviews.models import Application, CandidateSession

pytestmark = pytest.mark.django_db


def test_record_files_an_event_under_the_organization_with_actor_address_and_detail(
    org, org_admin, candidate
):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.44")
    events.record(
        organization=org,
        actor=org_admin,
        action="candidate.exported",
        target=candidate,
        detail={"files": 2, "format": "zip"},
        request=request,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EVENT)
    assert entry.organization == org
    assert entry.event == "candidate.exported"
    assert entry.actor == org_admin and entry.actor_email == org_admin.email
    assert entry.remote_addr == "192.0.2.44"
    assert entry.object_pk == str(candidate.pk) and entry.object_id == candidate.pk
    assert entry.object_repr == "Zoë Lindqvist"
    assert entry.additional_data == {"files": 2, "format": "zip"}
    assert entry.scope == f"candidate:{candidate.pk}"
    assert str(entry) == "candidate.exported Zoë Lindqvist"


def test_record_without_target_or_actor_is_a_system_event_on_the_organization(org):
    events.record(organization=org, actor=None, action="retention.ran", detail={"erased": 3})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EVENT)
    assert entry.actor is None and entry.remote_addr is None
    assert entry.object_id == org.pk and entry.object_repr == "Acme Talent"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"action": "Exported candidate"}, "dotted lower-case"),
        ({"action": "export"}, "dotted lower-case"),
        ({"organization": None}, "belongs to an organization"),
    ],
)
def test_record_refuses_bad_arguments(org, kwargs, message):
    with pytest.raises(ValueError, match=message):
        events.record(**{"organization": org, "actor": None, "action": "a.b", **kwargs})
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EVENT).exists()


def test_record_refuses_detail_that_is_not_json(org):
    with pytest.raises(TypeError):
        events.record(organization=org, actor=None, action="a.b", detail={"when": object()})


def test_scrub_removes_the_name_from_changes_and_repr_of_that_organization_only(
    org, other_org, session, org_admin
):
    application = session.application
    application.state_reason = "Zoë Lindqvist asked to withdraw; zoe.lindqvist@example.com"
    application.save()
    # Another organization's history naming the same person stays as it is.
    AuditEntry.objects.create(
        organization=other_org,
        content_type=AuditEntry.objects.first().content_type,
        object_pk="1",
        object_repr="Zoë Lindqvist elsewhere",
        action=AuditEntry.Action.UPDATE,
        changes={"name": ["", "ZOË LINDQVIST"]},
    )
    events.record(
        organization=org, actor=org_admin, action="candidate.exported", target=session.candidate
    )
    ours_before = AuditEntry.objects.filter(organization=org).count()

    changed = events.scrub(
        organization=org, strings=["zoë lindqvist", "zoe.lindqvist@example.com", " "]
    )

    ours = AuditEntry.objects.filter(organization=org)
    assert ours.count() == ours_before  # entries are kept
    assert changed == ours.filter(object_repr__contains="[erased]").count() >= 4
    for entry in ours:
        text = f"{entry.object_repr} {entry.changes} {entry.additional_data}".lower()
        assert "lindqvist" not in text
    update = ours.get(action=AuditEntry.Action.UPDATE, content_type__model="application")
    assert update.changes["state_reason"][1] == "[erased] asked to withdraw; [erased]"
    assert set(update.changes) == {"state_reason"}
    assert update.object_repr == "[erased] for MES Engineer (Contoso Foods)"
    theirs = AuditEntry.objects.get(organization=other_org)
    assert theirs.object_repr == "Zoë Lindqvist elsewhere"
    assert theirs.changes == {"name": ["", "ZOË LINDQVIST"]}


def test_scrub_erases_every_value_recorded_for_the_objects_given(org, session):
    application = Application.objects.get(pk=session.application.pk)
    application.state_reason = "private reason"
    application.save()
    changed = events.scrub(organization=org, strings=[], objects=[application])
    entries = AuditEntry.objects.filter(
        organization=org, content_type__model="application", object_id=application.pk
    )
    assert changed == entries.count() == 2
    for entry in entries:
        assert entry.object_repr == "[erased]"
        assert all(v in ("[erased]", "") for pair in entry.changes.values() for v in pair)
        assert "state_reason" in entry.changes  # which fields changed is kept
    # The session's m2m entry keeps its shape (other objects untouched).
    m2m = AuditEntry.objects.get(
        content_type__model="candidatesession", changes__has_key="interviewers"
    )
    assert m2m.changes["interviewers"]["objects"] == ["ivan"]
    assert CandidateSession.objects.filter(pk=session.pk).exists()


def test_scrub_of_nothing_changes_nothing(org, session):
    assert events.scrub(organization=org, strings=["", "  "]) == 0
    assert events.scrub(organization=org, strings=["nobody-by-this-name"]) == 0


TRICKY = [
    # (the text as recorded, the string the erasure asks for)
    ("ZOË LINDQVIST", "zoë lindqvist"),  # non-ASCII, another case
    ('Dana "DJ" O\'Brien', 'dana "dj" o\'brien'),  # a quote JSON escapes
    ("100%_SURE", "100%_sure"),  # LIKE's own wildcards
    ("\u212aira Sato", "kira sato"),  # the Kelvin sign, which re.IGNORECASE folds to k
    ("line one\nline two", "LINE ONE\nLINE TWO"),  # a control character JSON escapes
]


def _entry(org, **fields):
    return AuditEntry.objects.create(
        organization=org,
        content_type=AuditEntry.objects.first().content_type,
        object_pk="1",
        action=AuditEntry.Action.UPDATE,
        **fields,
    )


def test_scrub_finds_every_form_the_pattern_matches_in_text_and_json(org, session):
    recorded = [
        _entry(org, object_repr=f"note on {text}", changes={"note": ["", f"said {text} twice"]})
        for text, _ in TRICKY
    ]
    untouched = _entry(org, object_repr="Nobody", changes={"note": ["", "kiRa-less text"]})

    changed = events.scrub(organization=org, strings=[needle for _, needle in TRICKY])

    assert changed >= len(TRICKY)
    for entry, (text, _) in zip(recorded, TRICKY, strict=True):
        entry.refresh_from_db()
        assert entry.object_repr == "note on [erased]", text
        assert entry.changes == {"note": ["", "said [erased] twice"]}, text
    untouched.refresh_from_db()
    assert untouched.object_repr == "Nobody"
    assert untouched.changes == {"note": ["", "kiRa-less text"]}


def test_like_patterns_widen_every_character_ilike_could_compare_otherwise():
    assert events._like_patterns(['Zoë "Z" 5%_', " ", "", " k\tIs "]) == [
        "%Zo_ %Z% 5__%",
        "%_%__%",
    ]


@pytest.mark.services
def test_scrub_on_postgresql_reads_only_the_entries_that_could_name_the_person(
    require_postgres, org, session
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ct = AuditEntry.objects.first().content_type
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization=org,
            content_type=ct,
            object_pk=str(i),
            object_repr=f"Someone else {i}",
            action=AuditEntry.Action.UPDATE,
            changes={"note": ["", "unrelated"]},
        )
        for i in range(1_200)  # more than two of the full scan's batches of 500
    )
    named = _entry(org, object_repr="Zoë Lindqvist", changes={"note": ["", "x"]})

    with CaptureQueriesContext(connection) as queries:
        changed = events.scrub(organization=org, strings=["zoë lindqvist"])

    pages = [q["sql"] for q in queries if "ILIKE ANY" in q["sql"]]
    assert len(pages) == 2  # one page holding every hit, then the empty one that ends the scan
    named.refresh_from_db()
    assert named.object_repr == "[erased]"
    assert changed == AuditEntry.objects.filter(object_repr__contains="[erased]").count()
