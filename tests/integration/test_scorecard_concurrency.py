"""Real PostgreSQL concurrency: double submits and parallel draft saves lose nothing."""

import threading

import pytest
from django.db import connection

from apps.accounts.models import Role
from apps.interviews import services
from apps.interviews.models import Rating, Scorecard
from tests.factories import CandidateSessionFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _run_in_threads(n, target):
    barrier = threading.Barrier(n)
    errors, results = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def scored_setup(require_postgres):
    session = CandidateSessionFactory(n_items=6)
    user = MembershipFactory(organization=session.organization, role=Role.INTERVIEWER).user
    session.interviewers.add(user)
    return session, user


def test_twenty_concurrent_submits_make_one_submission(scored_setup):
    session, user = scored_setup
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = 3
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)

    results, errors = _run_in_threads(
        20, lambda i: services.scorecard_submit(scorecard=Scorecard.objects.get(pk=card.pk))
    )
    assert errors == []
    assert len({r.submitted_at for r in results}) == 1
    card.refresh_from_db()
    assert card.is_submitted
    session.refresh_from_db()
    assert session.result["scorecards"] == 1


def test_parallel_draft_saves_of_different_fields_all_land(scored_setup):
    session, user = scored_setup
    card = services.scorecard_for(session=session, interviewer=user)
    targets = [(item.pk, crit["key"]) for item in session.items.all() for crit in item.rubric]

    def save(i):
        data = services.ScorecardData()
        data.ratings[targets[i]] = i % 5
        return services.scorecard_save_draft(scorecard=card, data=data)

    _, errors = _run_in_threads(len(targets), save)
    assert errors == []
    saved = dict(
        ((r.item_id, r.criterion_key), r.value) for r in Rating.objects.filter(scorecard=card)
    )
    assert saved == {t: i % 5 for i, t in enumerate(targets)}


def test_parallel_saves_of_the_same_field_end_with_one_of_them(scored_setup):
    session, user = scored_setup
    card = services.scorecard_for(session=session, interviewer=user)
    item = session.items.first()

    def save(i):
        data = services.ScorecardData()
        data.ratings[(item.pk, "accuracy")] = i % 5
        return services.scorecard_save_draft(scorecard=card, data=data)

    _, errors = _run_in_threads(10, save)
    assert errors == []
    assert Rating.objects.filter(scorecard=card, item=item, criterion_key="accuracy").count() == 1
