"""Each role's home is a to-do list; "My interviews" shows date, mode and state with a
to-do/done filter (issue 11). Both cost the same queries at 1 row and at 50."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.interviews import services
from apps.interviews.models import CandidateSession, Invitation, Scorecard
from apps.interviews.services import invitations
from tests.factories import make_kit, make_position

from .conftest import rate_all

pytestmark = pytest.mark.django_db


_serial = itertools.count()


def _live(position, n, interviewers, recruiter, *, scheduled=True):
    sessions = []
    for i in range(n):
        k = next(_serial)
        candidate = services.candidate_create(
            organization=position.organization, name=f"Cand {k}", email=f"c{k}@example.com"
        )
        session = services.session_create(
            position=position, candidate=candidate, interviewers=interviewers, created_by=recruiter
        )
        if scheduled:
            CandidateSession.objects.filter(pk=session.pk).update(
                scheduled_at=timezone.now() + timedelta(days=1, minutes=i), location="Room 1"
            )
        sessions.append(session)
    return sessions


@pytest.fixture
def takehome_position(org):
    return make_position(org, make_kit(3), written=True, title="MOM Architect")


def _takehome(position, name, *, interviewers=(), expires_in=timedelta(days=3)):
    candidate = services.candidate_create(
        organization=position.organization, name=name, email=f"{name.lower()}@example.com"
    )
    return invitations.invitation_create(
        position=position,
        candidate=candidate,
        expires_at=timezone.now() + expires_in,
        interviewers=list(interviewers),
    ).invitation


def test_an_interviewers_home_lists_scorecards_due_and_debriefs_ready(
    client, position, interviewer, interviewer2, recruiter
):
    due, done = _live(position, 2, [interviewer, interviewer2], recruiter)
    rate_all(done, interviewer, 3)
    rate_all(done, interviewer2, 3)
    client.force_login(interviewer)
    page = client.get(reverse("home"))
    todo = page.context["todo"]
    assert todo["scorecards_due"] == [due]
    assert todo["debriefs_ready"] == [done]
    assert "expiring" not in todo and "unassigned" not in todo
    body = page.content.decode()
    assert reverse("interviews:scorecard", args=[due.pk]) in body
    assert reverse("interviews:debrief", args=[done.pk]) in body


def test_a_managers_home_lists_expiring_links_and_takehomes_nobody_scores(
    client, recruiter, interviewer, takehome_position
):
    soon = _takehome(takehome_position, "Soon", expires_in=timedelta(hours=5))
    _takehome(takehome_position, "Later", expires_in=timedelta(days=6))
    ordered = _takehome(takehome_position, "Ordered")  # as Greenhouse orders it: no panel
    Invitation.objects.filter(pk=ordered.pk).update(submitted_at=timezone.now())
    client.force_login(recruiter)
    todo = client.get(reverse("home")).context["todo"]
    assert [i.pk for i in todo["expiring"]] == [soon.pk]
    assert [s.pk for s in todo["unassigned"]] == [ordered.session_id]


def test_answers_in_are_on_the_panels_todo_once_submitted(client, interviewer, takehome_position):
    waiting = _takehome(takehome_position, "Waiting", interviewers=[interviewer])
    handed_in = _takehome(takehome_position, "Handed", interviewers=[interviewer])
    Invitation.objects.filter(pk=handed_in.pk).update(
        started_at=timezone.now(), submitted_at=timezone.now()
    )
    client.force_login(interviewer)
    todo = client.get(reverse("home")).context["todo"]
    assert [s.pk for s in todo["answers_in"]] == [handed_in.session_id]
    assert waiting.session_id not in [s.pk for s in todo["scorecards_due"]]


def test_many_live_interviews_due_do_not_hide_answers_in(
    client, position, interviewer, recruiter, takehome_position
):
    _live(position, 45, [interviewer], recruiter)
    handed_in = _takehome(takehome_position, "Handed", interviewers=[interviewer])
    Invitation.objects.filter(pk=handed_in.pk).update(
        started_at=timezone.now(), submitted_at=timezone.now()
    )
    client.force_login(interviewer)
    todo = client.get(reverse("home")).context["todo"]
    assert len(todo["scorecards_due"]) == 20
    assert [s.pk for s in todo["answers_in"]] == [handed_in.session_id]


def test_a_pending_panelist_manager_is_not_shown_the_debrief(
    client, position, recruiter, interviewer
):
    (session,) = _live(position, 1, [interviewer, recruiter], recruiter)
    rate_all(session, interviewer, 3)
    CandidateSession.objects.filter(pk=session.pk).update(
        status=CandidateSession.Status.SCORED, scored_at=timezone.now()
    )
    client.force_login(recruiter)
    assert client.get(reverse("home")).context["todo"]["debriefs_ready"] == []


def test_my_interviews_show_date_mode_state_with_a_todo_done_filter(
    client, position, interviewer, interviewer2, recruiter
):
    due, done = _live(position, 2, [interviewer, interviewer2], recruiter)
    rate_all(done, interviewer, 3)
    client.force_login(interviewer)
    todo = client.get(reverse("interviews:my_sessions"))
    assert [r["session"] for r in todo.context["rows"]] == [due]
    body = todo.content.decode()
    assert "Live interview" in body and due.candidate.name in body and 'aria-current="page"' in body
    assert (
        timezone.localtime(CandidateSession.objects.get(pk=due.pk).scheduled_at).strftime("%H:%M")
        in body
    )
    finished = client.get(reverse("interviews:my_sessions") + "?show=done")
    assert [r["session"] for r in finished.context["rows"]] == [done]
    assert "Submitted" in finished.content.decode()


def test_other_organizations_sessions_never_reach_the_lists(
    client, position, interviewer, recruiter, outsider
):
    _live(position, 2, [interviewer], recruiter)
    client.force_login(outsider)
    todo = client.get(reverse("home")).context["todo"]
    assert not any(todo.values())
    assert client.get(reverse("interviews:my_sessions")).context["rows"] == []


@pytest.mark.parametrize("who", ["interviewer", "recruiter"])
def test_home_costs_the_same_queries_at_1_and_50_rows(
    client, position, interviewer, recruiter, takehome_position, who,
    django_assert_max_num_queries,
):  # fmt: skip
    user = {"interviewer": interviewer, "recruiter": recruiter}[who]
    client.force_login(user)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        """n rows in every list: due, answers in, debriefs ready, expiring, unassigned."""
        now = timezone.now()
        _live(position, n, [interviewer, recruiter], recruiter)
        for _ in range(n):
            k = next(_serial)
            _takehome(takehome_position, f"Soon{k}", expires_in=timedelta(hours=3))
            handed = _takehome(takehome_position, f"Handed{k}", interviewers=[user])
            unassigned = _takehome(takehome_position, f"Ordered{k}")
            Invitation.objects.filter(pk__in=[handed.pk, unassigned.pk]).update(
                started_at=now, submitted_at=now
            )
        for session in _live(position, n, [user], recruiter, scheduled=False):
            Scorecard.objects.create(
                session=session, interviewer=user, status="submitted", submitted_at=now
            )
            CandidateSession.objects.filter(pk=session.pk).update(status="scored", scored_at=now)

    add(1)
    one = count()
    todo = client.get(reverse("home")).context["todo"]
    assert all(len(rows) == 1 for rows in todo.values()), todo
    add(49)
    fifty = count()
    assert fifty == one
    todo = client.get(reverse("home")).context["todo"]
    assert all(len(rows) == 20 for rows in todo.values()), todo
    with django_assert_max_num_queries(one):
        client.get(reverse("home"))


def test_my_interviews_cost_the_same_queries_at_1_and_50_rows(
    client, position, interviewer, recruiter, django_assert_max_num_queries
):
    client.force_login(interviewer)
    first, _ = _live(position, 2, [interviewer], recruiter)  # one done, one to do
    rate_all(first, interviewer, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [reverse("interviews:my_sessions"), reverse("interviews:my_sessions") + "?show=done"]
    before = [count(u) for u in urls]
    for session in _live(position, 98, [interviewer], recruiter)[:49]:
        rate_all(session, interviewer, 3)
    after = [count(u) for u in urls]
    assert after == before
