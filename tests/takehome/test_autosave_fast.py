"""The one-statement autosave (apps/interviews/services/answer_fast.py) on PostgreSQL.

It may only ever accept what the service (``invitations.answer_save``) accepts: for a grid of
invitation states, both are asked the same question and must agree, so the SQL twin of the rule
cannot drift from the Python one. A refusal falls back to the service, which explains it.
"""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.interviews import services
from apps.interviews.models import Answer, CandidateSession, Invitation
from apps.interviews.services import answer_fast, invitations

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
GRACE = invitations.grace()
LIMIT = 3600

# name -> (invitation fields over a started, open link; the session's status if not in progress)
STATES = {
    "started, early": ({"started_at": NOW - timedelta(minutes=5)}, None),
    "not started": ({"started_at": None}, None),
    "submitted": ({"submitted_at": NOW - timedelta(seconds=1)}, None),
    "revoked": ({"revoked_at": NOW - timedelta(seconds=1)}, None),
    "session cancelled": ({}, CandidateSession.Status.CANCELLED),
    "session submitted": ({}, CandidateSession.Status.SUBMITTED),
    "session scored": ({}, CandidateSession.Status.SCORED),
    "session scheduled": ({}, CandidateSession.Status.SCHEDULED),
    "deadline just passed, in grace": ({"expires_at": NOW - GRACE + timedelta(seconds=1)}, None),
    "deadline plus grace exactly": ({"expires_at": NOW - GRACE}, None),
    "deadline plus grace passed": ({"expires_at": NOW - GRACE - timedelta(seconds=1)}, None),
    "time limit running": ({"time_limit_seconds": LIMIT}, None),
    "time limit up": (
        {"time_limit_seconds": LIMIT, "started_at": NOW - timedelta(seconds=LIMIT) - GRACE * 2},
        None,
    ),
    "time limit up, in grace": (
        {"time_limit_seconds": LIMIT, "started_at": NOW - timedelta(seconds=LIMIT + 1)},
        None,
    ),
    "time limit up, extra percent keeps it": (
        {
            "time_limit_seconds": LIMIT,
            "extra_time_percent": 25,
            "started_at": NOW - timedelta(seconds=LIMIT * 1.2),
        },
        None,
    ),
    "extra percent used up": (
        {
            "time_limit_seconds": LIMIT,
            "extra_time_percent": 25,
            "started_at": NOW - timedelta(seconds=LIMIT * 1.25) - GRACE * 2,
        },
        None,
    ),
    "time limit up, extra minutes keep it": (
        {
            "time_limit_seconds": LIMIT,
            "extra_time_minutes": 10,
            "started_at": NOW - timedelta(seconds=LIMIT + 300),
        },
        None,
    ),
    "extra minutes used up": (
        {
            "time_limit_seconds": LIMIT,
            "extra_time_minutes": 10,
            "started_at": NOW - timedelta(seconds=LIMIT + 600) - GRACE * 2,
        },
        None,
    ),
    "time limit zero means none": ({"time_limit_seconds": 0}, None),
    "link deadline sooner than the limit": (
        {"time_limit_seconds": LIMIT * 10, "expires_at": NOW - GRACE * 2},
        None,
    ),
}


@pytest.fixture
def invitation(require_postgres, make_invitation):
    created = make_invitation()
    return invitations.takehome_start(invitation=created.invitation)


def _set_state(invitation, fields, status):
    base = {
        "started_at": NOW - timedelta(minutes=5),
        "expires_at": NOW + timedelta(days=1),
        "submitted_at": None,
        "revoked_at": None,
        "time_limit_seconds": None,
        "extra_time_percent": 0,
        "extra_time_minutes": 0,
    }
    Invitation.objects.filter(pk=invitation.pk).update(**{**base, **fields})
    CandidateSession.objects.filter(pk=invitation.session_id).update(
        status=status or CandidateSession.Status.IN_PROGRESS
    )
    return Invitation.objects.select_related("session").get(pk=invitation.pk)


def _fast(invitation, item_id, version):
    with transaction.atomic():
        saved = answer_fast.answer_save_sql(
            token_hash=invitation.token_hash, item_id=item_id, text="fast", version=version,
            now=NOW,
        )  # fmt: skip
        transaction.set_rollback(True)
    return saved is not None


def _service(invitation, item_id, version):
    with transaction.atomic():
        try:
            invitations.answer_save(
                invitation=invitation, item_id=item_id, text="slow", version=version, now=NOW
            )
            accepted = True
        except invitations.SaveRefused:
            accepted = False
        transaction.set_rollback(True)
    return accepted


@pytest.mark.parametrize("state", list(STATES))
def test_fast_path_and_service_agree_on_every_invitation_state(invitation, state):
    fields, status = STATES[state]
    fresh = _set_state(invitation, fields, status)
    item = fresh.session.items.order_by("order").first()
    for version in (0, 1):  # the stored one, and a stale/unknown one
        assert _fast(fresh, item.pk, version) == _service(fresh, item.pk, version), version
    assert Answer.objects.get(item=item).version == 0  # both were rolled back


def test_grid_has_both_outcomes(invitation):
    outcomes = set()
    for fields, status in STATES.values():
        fresh = _set_state(invitation, fields, status)
        outcomes.add(_fast(fresh, fresh.session.items.first().pk, 0))
    assert outcomes == {True, False}


def test_fast_path_refuses_another_sessions_item(invitation, th_position, make_invitation):
    other_candidate = services.candidate_create(
        organization=th_position.organization, name="O", email="o@example.com"
    )
    other = invitations.takehome_start(
        invitation=make_invitation(candidate=other_candidate).invitation
    )
    theirs = other.session.items.first()
    assert not _fast(invitation, theirs.pk, 0)
    assert not _service(invitation, theirs.pk, 0)


def test_autosave_view_saves_through_one_statement(require_postgres, started):
    client, created = started
    item = created.invitation.session.items.order_by("order").first()
    url = f"/takehome/answers/{item.pk}/"
    client.post(url, {"text": "warm", "version": "0"})  # the session is cached after this
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.post(
            url, {"text": "Typed more", "version": "1", "paste_sizes": "120", "focus_lost": "2"}
        )
    assert response.status_code == 200 and response.json()["version"] == 2
    writes = [s for s in statements if "interviews_answer" in s]
    assert len(writes) == 1 and "FOR SHARE" in writes[0]
    answer = Answer.objects.get(item=item)
    assert (answer.text, answer.version, answer.focus_lost) == ("Typed more", 2, 2)
    assert [e["size"] for e in answer.paste_events] == [120]


def test_refusals_still_explain_themselves(require_postgres, started):
    client, created = started
    item = created.invitation.session.items.order_by("order").first()
    url = f"/takehome/answers/{item.pk}/"
    assert client.post(url, {"text": "A", "version": "0"}).status_code == 200
    stale = client.post(url, {"text": "B", "version": "0"})
    assert stale.status_code == 409 and stale.json()["saved_text"] == "A"
    Invitation.objects.filter(pk=created.invitation.pk).update(revoked_at=timezone.now())
    revoked = client.post(url, {"text": "C", "version": "1"})
    assert revoked.status_code == 410
    Invitation.objects.filter(pk=created.invitation.pk).update(
        revoked_at=None, submitted_at=timezone.now()
    )
    assert client.post(url, {"text": "D", "version": "1"}).status_code == 409
    assert Answer.objects.get(item=item).text == "A"


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_a_submit_lands_before_it_or_not_at_all(require_postgres, make_invitation):
    """Saves through the statement and one submit, at once: every acknowledged save is in
    the answer, and none is acknowledged after the submit committed."""
    created = make_invitation()
    invitation = invitations.takehome_start(invitation=created.invitation)
    items = list(invitation.session.items.order_by("order"))
    barrier = threading.Barrier(len(items) + 1)
    acked, submitted = {}, []

    def save(item):
        try:
            barrier.wait()
            for version in range(20):
                try:
                    invitations.answer_save(
                        token_hash=invitation.token_hash, item_id=item.pk,
                        text=f"v{version + 1}", version=version,
                    )  # fmt: skip
                except invitations.SaveRefused:
                    break
                acked[item.pk] = version + 1
        finally:
            close_old_connections()
            connection.close()

    def submit():
        try:
            barrier.wait()
            submitted.append(invitations.takehome_submit(invitation=invitation).submitted_at)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in items]
    threads.append(threading.Thread(target=submit))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert submitted
    for item in items:
        answer = Answer.objects.get(item=item)
        assert answer.version == acked.get(item.pk, 0)
        if answer.version:
            assert answer.saved_at <= submitted[0]
