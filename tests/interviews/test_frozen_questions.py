"""Session items share content-addressed frozen questions instead of copying them (issue 15).

A past session never changes when the bank does; sessions of one kit share one FrozenQuestion
per question version; the migration deduplicates the old copies and can be reversed.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.bank.models import Question
from apps.bank.services import question_new_version
from apps.interviews import frozen, services
from apps.interviews.models import FrozenQuestion, SessionItem
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db

BEFORE = "0012_export_parts"
AFTER = "0013_frozen_questions"


def _new_session(position, n):
    candidate = services.candidate_create(
        organization=position.organization, name=f"C{n}", email=f"c{n}@example.com"
    )
    return services.session_create(position=position, candidate=candidate)


def test_sessions_of_one_kit_share_one_frozen_row_per_question(org):
    position = make_position(org, make_kit(4))
    first, second = _new_session(position, 1), _new_session(position, 2)
    assert FrozenQuestion.objects.count() == 4
    a = list(first.items.values_list("frozen_id", flat=True))
    b = list(second.items.values_list("frozen_id", flat=True))
    assert a == b and len(set(a)) == 4
    item = first.items.get(order=0)
    q = item.question
    assert item.prompt == q.prompt and item.guidance == q.guidance
    assert item.key_points == q.key_points and item.follow_ups == q.follow_ups
    assert item.red_flags == q.red_flags and item.expected_minutes == q.expected_minutes
    assert [c["key"] for c in item.rubric] == ["accuracy", "depth"]
    assert item.frozen.digest == frozen.digest(item.frozen.__dict__)


def test_a_new_version_gets_its_own_row_and_the_past_session_keeps_its_text(org):
    position = make_position(org, make_kit(2))
    past = _new_session(position, 1)
    item = past.items.get(order=0)
    old_prompt, old_rubric, old_frozen = item.prompt, item.rubric, item.frozen_id
    new = question_new_version(question=Question.objects.get(pk=item.question_id))
    new.prompt = "Completely different wording"
    new.status = Question.Status.PUBLISHED  # a draft is never asked (sessions._published)
    new.save()
    new.criteria.get(key="depth").anchors.filter(rating=3).update(text="changed anchor")
    kit = position.kit
    kit.items.filter(question_id=item.question_id).update(question=new)

    later = _new_session(position, 2)
    assert later.items.get(order=0).prompt == "Completely different wording"
    assert later.items.get(order=0).frozen_id != old_frozen
    again = SessionItem.objects.get(pk=item.pk)
    assert (again.prompt, again.rubric, again.frozen_id) == (old_prompt, old_rubric, old_frozen)
    assert FrozenQuestion.objects.count() == 3  # 2 originals + the new version's


def test_the_digest_is_the_content_only_and_order_independent():
    content = {name: [] for name in frozen.CONTENT_FIELDS}
    content.update(prompt="P", guidance="G", expected_minutes=10)
    content["rubric"] = [{"key": "k", "anchors": {"0": "a", "1": "b"}}]
    shuffled = {**dict(reversed(list(content.items()))), "unrelated": 1}
    shuffled["rubric"] = [{"anchors": {"1": "b", "0": "a"}, "key": "k"}]
    assert frozen.digest(content) == frozen.digest(shuffled)
    assert frozen.digest({**content, "prompt": "P "}) != frozen.digest(content)


def test_item_lists_read_frozen_content_in_the_same_query(org, django_assert_num_queries):
    session = _new_session(make_position(org, make_kit(5)), 1)
    with django_assert_num_queries(1):
        assert len([i.prompt + i.rubric[0]["key"] for i in session.items.all()]) == 5


def test_session_page_queries_do_not_grow_with_items(client, org, recruiter):
    client.force_login(recruiter)
    counts = {}
    for n in (1, 8):
        session = _new_session(make_position(org, make_kit(n)), n)
        url = reverse("interviews:session_detail", args=[session.pk])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert session.items.get(order=n - 1).prompt[:20] in response.content.decode()
        counts[n] = len(ctx.captured_queries)
    assert counts[8] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_migration_deduplicates_old_copies_and_reverses():
    """Sessions made now; the schema is taken back to 0012 (items carry copies again, filled
    from their frozen rows by the reverse step, and the frozen table is dropped); 0013 forward
    must rebuild one row per distinct content and point every item at it."""
    from apps.accounts.models import Organization

    org = Organization.objects.create(name="Dedupe Org", slug="dedupe")
    position = make_position(org, make_kit(3))
    sessions = [_new_session(position, n) for n in range(3)]
    expected = {
        i.pk: (i.prompt, i.rubric, i.red_flags)
        for s in sessions
        for i in SessionItem.objects.filter(session=s)
    }
    executor = MigrationExecutor(connection)
    # Going back unapplies 0013 and whatever depends on it; afterwards exactly those are
    # applied again (each app back to its latest migration that was applied).
    undone = executor.migration_plan([("interviews", BEFORE)])
    restore = {m.app_label: m.name for m, _ in reversed(undone)}
    try:
        executor.migrate([("interviews", BEFORE)])
        old = executor.loader.project_state([("interviews", BEFORE)]).apps
        OldItem = old.get_model("interviews", "SessionItem")
        mine = OldItem.objects.filter(session_id__in=[s.pk for s in sessions])
        copied = {i.pk: (i.prompt, i.rubric, i.red_flags) for i in mine}
        assert copied == expected  # the reverse step put the copies back
        executor = MigrationExecutor(connection)
        executor.migrate([("interviews", AFTER)])
        state = executor.loader.project_state([("interviews", AFTER)]).apps
        NewItem = state.get_model("interviews", "SessionItem")
        rows = NewItem.objects.filter(session_id__in=[s.pk for s in sessions])
        rows = rows.select_related("frozen")
        assert len({i.frozen_id for i in rows}) == 3
        assert {i.pk: (i.frozen.prompt, i.frozen.rubric, i.frozen.red_flags) for i in rows} == (
            expected
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(list(restore.items()))
    assert SessionItem.objects.filter(session__in=sessions).count() == 9
