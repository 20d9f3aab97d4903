"""Applications (issue 9): one candidate for one position, the role frozen when it starts, every
non-cancelled stage pooled into one SCORING.md v2 result, "discussed live", cancel rescoring,
pipeline decisions, the position's bar, and the backfill migration."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.interviews import services
from apps.interviews.models import (
    Answer,
    Application,
    ApplicationDecision,
    CandidateSession,
    Position,
)
from apps.scoring import engine
from tests.factories import MembershipFactory, make_kit, make_position

from .conftest import rate_all

pytestmark = pytest.mark.django_db

LIVE = CandidateSession.Mode.LIVE
TAKE_HOME = CandidateSession.Mode.TAKE_HOME


# -- helpers ----------------------------------------------------------------------------------


def role_of(application: Application) -> engine.Role:
    return engine.Role(
        track=application.role_track,
        level=application.role_level,
        weights=application.role_weights,
        bar=application.role_bar / 100,
        panel_size=application.role_panel_size,
    )


def engine_items(session, ratings: list[float], *, discussed=(), source=None) -> list[engine.Item]:
    """The engine's items for a session whose every criterion got ``ratings[i]`` from rater i."""
    source = source or ("take_home" if session.mode == TAKE_HOME else "live")
    return [
        engine.Item(
            id=item.question_key,
            competency=item.competency_key,
            track=item.track_tag,
            level=item.level,
            weight=item.weight,
            source=source,
            ratings=list(ratings),
            discussed_live=item.question_key in discussed,
        )
        for item in session.items.order_by("order")
    ]


def expected(application, items) -> dict:
    return engine.score(role_of(application), items).to_dict()


def add_answers(session) -> list[Answer]:
    now = timezone.now()
    return [
        Answer.objects.create(item=item, text=f"My answer to {item.question_key}", saved_at=now)
        for item in session.items.order_by("order")
    ]


@pytest.fixture
def take_home(position, candidate, interviewer, recruiter):
    return services.session_create(
        position=position,
        candidate=candidate,
        mode=TAKE_HOME,
        interviewers=[interviewer],
        created_by=recruiter,
    )


# -- creation and the frozen role --------------------------------------------------------------


def test_first_session_creates_the_application_and_freezes_the_role(
    org, position, candidate, session, interviewer, recruiter, kit
):
    application = session.application
    assert Application.objects.count() == 1
    assert (application.organization_id, application.candidate_id, application.position_id) == (
        org.pk,
        candidate.pk,
        position.pk,
    )
    assert application.role_track == "plant"
    assert application.role_level == 2
    assert application.role_weights == {"production_execution": 0.6, "quality_operations": 0.4}
    assert application.role_bar == 62.5 and position.bar == 62.5
    assert application.role_panel_size == 2
    assert application.state == Application.State.ACTIVE
    assert application.result is None  # nothing submitted yet

    # The recruiter edits the position: the application's role does not move.
    services.position_update(
        position=position,
        bar=80.0,
        panel_size=4,
        competency_weights={"production_execution": 0.5, "quality_operations": 0.5},
    )
    position.refresh_from_db()
    assert (position.bar, position.panel_size) == (80.0, 4)
    application.refresh_from_db()
    assert application.role_bar == 62.5
    assert application.role_panel_size == 2
    assert application.role_weights == {"production_execution": 0.6, "quality_operations": 0.4}

    # A second session joins the same application and takes its frozen role.
    second = services.session_create(
        position=position, candidate=candidate, mode=TAKE_HOME, interviewers=[interviewer]
    )
    assert second.application_id == application.pk
    assert second.role_weights == {"production_execution": 0.6, "quality_operations": 0.4}
    assert Application.objects.count() == 1
    assert set(application.sessions.values_list("pk", flat=True)) == {session.pk, second.pk}

    # Another position is another application, frozen with that position's role.
    other = services.position_create(
        organization=org, created_by=recruiter, client_company="Fabrikam", title="MES Lead",
        track=kit.track, level=kit.level, job_description="Shop floor.", kit=kit, bar=75.0,
        panel_size=3,
    )  # fmt: skip
    third = services.session_create(position=other, candidate=candidate)
    assert third.application_id != application.pk
    assert Application.objects.count() == 2
    assert (third.application.role_bar, third.application.role_panel_size) == (75.0, 3)


def test_application_for_refuses_a_candidate_of_another_organization(position, other_org):
    foreign = services.candidate_create(organization=other_org, name="X", email="x@example.com")
    with pytest.raises(ValidationError):
        services.application_for(candidate=foreign, position=position)
    assert Application.objects.count() == 0


# -- pooling stages ----------------------------------------------------------------------------


def test_take_home_and_live_stages_pool_into_the_application(
    take_home, session, interviewer, interviewer2
):
    application = take_home.application
    assert session.application_id == application.pk
    rate_all(take_home, interviewer, 2, recommendation="no")
    application.refresh_from_db()
    after_take_home = application.result
    assert after_take_home["scorecards"] == 1
    assert [s["mode"] for s in after_take_home["stages"]] == ["take_home"]
    want = expected(application, engine_items(take_home, [2]))
    assert after_take_home["score"] == want["score"]
    assert after_take_home["band"] == want["band"]

    rate_all(session, interviewer, 3)
    rate_all(session, interviewer2, 4)
    application.refresh_from_db()
    result = application.result
    # Both stages' scorecards, pooled item by item (same question keys = same items).
    assert result["scorecards"] == 3
    pooled = engine_items(take_home, [2]) + engine_items(session, [3, 4])
    want = expected(application, pooled)
    for key in ("score", "band", "se", "p_above", "label", "coverage", "competencies", "track"):
        assert result[key] == want[key], key
    assert result["scoring_version"] == "2"
    # Pooled means the live stage's items carry three ratings each.
    assert result["competencies"]["production_execution"]["n_eff"] == pytest.approx(2.0)
    # Stage by stage: take-home first, then the live panel; the band never widens.
    stages = result["stages"]
    assert [s["mode"] for s in stages] == ["take_home", "live"]
    assert [s["session"] for s in stages] == [take_home.pk, session.pk]
    width = [s["band"][1] - s["band"][0] for s in stages]
    assert width[1] <= width[0]
    assert width[1] < width[0]  # three raters and live weight: strictly narrower here
    assert stages[-1]["score"] == result["score"] and stages[-1]["band"] == result["band"]
    assert stages[0]["band"] == after_take_home["band"]

    # Each session keeps its own stage result.
    take_home.refresh_from_db()
    session.refresh_from_db()
    assert take_home.result["scorecards"] == 1
    assert take_home.result["score"] == expected(application, engine_items(take_home, [2]))["score"]
    assert session.result["scorecards"] == 2
    assert session.result["score"] == expected(application, engine_items(session, [3, 4]))["score"]
    assert session.result["score"] != result["score"] != take_home.result["score"]


def test_a_stage_with_no_submitted_scorecard_adds_no_stage_entry(take_home, session, interviewer):
    rate_all(session, interviewer, 3)
    application = Application.objects.get()
    assert [s["mode"] for s in application.result["stages"]] == ["live"]
    assert application.result["scorecards"] == 1


# -- discussed live ----------------------------------------------------------------------------


def test_discussed_live_weighs_a_take_home_answer_as_live(take_home, interviewer, interviewer2):
    # Different ratings per item so that the item's weight moves the observed mean.
    card = services.scorecard_for(session=take_home, interviewer=interviewer)
    data = services.ScorecardData()
    items = list(take_home.items.order_by("order"))
    values = [4, 1, 2]
    for item, value in zip(items, values, strict=True):
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)
    answers = add_answers(take_home)
    application = take_home.application
    application.refresh_from_db()
    before = application.result

    def items_with(discussed=()):
        return [
            engine.Item(
                id=i.question_key, competency=i.competency_key, track=i.track_tag, level=i.level,
                weight=i.weight, source="take_home", ratings=[v],
                discussed_live=i.question_key in discussed,
            )
            for i, v in zip(items, values, strict=True)
        ]  # fmt: skip

    assert before["score"] == expected(application, items_with())["score"]

    services.answer_mark_discussed_live(answer=answers[0], by=interviewer2)
    answers[0].refresh_from_db()
    assert answers[0].discussed_live_at is not None
    assert answers[0].discussed_live_by == interviewer2
    application.refresh_from_db()
    marked = expected(application, items_with({items[0].question_key}))
    assert application.result["score"] == marked["score"]
    assert application.result["competencies"] == marked["competencies"]
    assert application.result["score"] != before["score"]
    # S = 1 for the marked item: exactly as if it had been answered live.
    as_live = [
        engine.Item(
            id=i.id, competency=i.competency, track=i.track, level=i.level, weight=i.weight,
            source="live" if n == 0 else "take_home", ratings=i.ratings,
        )
        for n, i in enumerate(items_with())
    ]  # fmt: skip
    assert expected(application, as_live)["score"] == marked["score"]
    # production_execution holds items 0 (rating 4, now v=1) and 2 (rating 2, v=0.5):
    # observed = (1*1.0 + 0.5*0.5) / 1.5 = 83.3 instead of (1.0 + 0.5) / 2 = 75.
    assert before["competencies"]["production_execution"]["observed"] == 75.0
    assert application.result["competencies"]["production_execution"]["observed"] == 83.3

    # Marking twice is harmless; unmarking restores the first result.
    services.answer_mark_discussed_live(answer=answers[0], by=interviewer2)
    services.answer_mark_discussed_live(answer=answers[0], by=interviewer2, discussed=False)
    answers[0].refresh_from_db()
    assert answers[0].discussed_live_at is None and answers[0].discussed_live_by is None
    application.refresh_from_db()
    assert application.result["score"] == before["score"]
    assert application.result["competencies"] == before["competencies"]


def test_a_scheduled_live_stage_does_not_make_take_home_answers_weigh_as_live(
    take_home, session, interviewer, interviewer2
):
    """``session`` is a live stage of the same questions, scheduled but not rated yet: the
    take-home answers have not been heard live, so they keep S = 0.5 until discussed live
    (regression: pooling used to take the unrated live copy as "answered live")."""
    items = list(take_home.items.order_by("order"))
    card = services.scorecard_for(session=take_home, interviewer=interviewer)
    data = services.ScorecardData()
    for item, value in zip(items, [4, 1, 2], strict=True):
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)
    application = take_home.application
    application.refresh_from_db()
    assert application.result["competencies"]["production_execution"]["observed"] == 75.0
    (answer, *_) = add_answers(take_home)
    services.answer_mark_discussed_live(answer=answer, by=interviewer2)
    application.refresh_from_db()
    assert application.result["competencies"]["production_execution"]["observed"] == 83.3
    # Once the live stage is rated, every pooled question has been answered live.
    rate_all(session, interviewer2, 2)
    application.refresh_from_db()
    pooled = [
        engine.Item(
            id=i.question_key, competency=i.competency_key, track=i.track_tag, level=i.level,
            weight=i.weight, source="live", ratings=[v, 2],
        )
        for i, v in zip(items, [4, 1, 2], strict=True)
    ]  # fmt: skip
    assert application.result["score"] == expected(application, pooled)["score"]


def test_discussed_live_mark_and_rescore_share_one_transaction(take_home, interviewer, monkeypatch):
    rate_all(take_home, interviewer, 3)
    (answer, *_) = add_answers(take_home)
    from apps.interviews.services import applications as module

    def boom(**kwargs):
        raise RuntimeError("rescore failed")

    monkeypatch.setattr(module, "application_rescore", boom)
    with pytest.raises(RuntimeError):
        services.answer_mark_discussed_live(answer=answer, by=interviewer)
    answer.refresh_from_db()
    assert answer.discussed_live_at is None  # rolled back with the failed rescore


def test_an_answer_of_a_live_session_cannot_be_marked_discussed_live(session, interviewer):
    item = session.items.first()
    answer = Answer.objects.create(item=item, text="typed in a live session")
    with pytest.raises(ValidationError, match="Only take-home answers"):
        services.answer_mark_discussed_live(answer=answer, by=interviewer)
    answer.refresh_from_db()
    assert answer.discussed_live_at is None


# -- cancel ------------------------------------------------------------------------------------


def test_cancelling_a_scored_session_removes_its_ratings_from_the_application(
    take_home, session, interviewer, interviewer2
):
    rate_all(take_home, interviewer, 1, recommendation="strong_no")
    rate_all(session, interviewer, 3)
    rate_all(session, interviewer2, 3)
    take_home.refresh_from_db()
    assert take_home.status == CandidateSession.Status.SCORED
    application = take_home.application
    application.refresh_from_db()
    assert application.result["scorecards"] == 3

    services.session_cancel(session=take_home)
    application.refresh_from_db()
    live_only = expected(application, engine_items(session, [3, 3]))
    assert application.result["score"] == live_only["score"]
    assert application.result["band"] == live_only["band"]
    assert application.result["scorecards"] == 2
    assert [s["session"] for s in application.result["stages"]] == [session.pk]
    # The cancelled stage keeps its own stage result.
    take_home.refresh_from_db()
    assert take_home.status == CandidateSession.Status.CANCELLED
    assert take_home.result["scorecards"] == 1

    # Cancelling the last scored stage leaves nothing to score.
    services.session_cancel(session=session)
    application.refresh_from_db()
    assert application.result is None and application.scored_at is None


def test_rescore_commands_reproduce_the_stored_application_result(
    take_home, session, interviewer, interviewer2
):
    rate_all(take_home, interviewer, 2)
    rate_all(session, interviewer, 3)
    rate_all(session, interviewer2, 4)
    application = Application.objects.get()
    stored = application.result
    Application.objects.filter(pk=application.pk).update(result=None, scored_at=None)
    assert services.applications_rescore(application_ids=[application.pk]) == 1
    application.refresh_from_db()
    assert application.result == stored
    Application.objects.filter(pk=application.pk).update(result=None)
    services.application_rescore(application=application)
    application.refresh_from_db()
    assert application.result == stored


# -- pipeline decisions ------------------------------------------------------------------------


def test_application_decide_records_state_who_when_why(session, recruiter):
    application = session.application
    before = timezone.now()
    decided = services.application_decide(
        application=application, state="advanced", reason="Strong panel", decided_by=recruiter
    )
    application.refresh_from_db()
    assert application.state == Application.State.ADVANCED == decided.state
    assert application.state_reason == "Strong panel"
    assert application.state_changed_by == recruiter
    assert application.state_changed_at >= before
    (row,) = ApplicationDecision.objects.filter(application=application)
    assert (row.state, row.reason, row.decided_by) == ("advanced", "Strong panel", recruiter)
    assert row.decided_at >= before


def test_rejecting_without_a_reason_is_refused(session, recruiter):
    application = session.application
    for state in ("rejected", "withdrawn"):
        with pytest.raises(ValidationError) as exc:
            services.application_decide(
                application=application, state=state, reason="   ", decided_by=recruiter
            )
        assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.application_decide(application=application, state="promoted", decided_by=recruiter)
    assert "state" in exc.value.message_dict
    application.refresh_from_db()
    assert application.state == "active" and application.state_changed_at is None
    assert not ApplicationDecision.objects.exists()


def test_a_double_submitted_decision_records_one_row(session, recruiter):
    application = session.application
    for _ in range(2):
        services.application_decide(
            application=application, state="rejected", reason="Too junior", decided_by=recruiter
        )
    assert ApplicationDecision.objects.filter(application=application).count() == 1
    services.application_decide(
        application=application, state="rejected", reason="Other reason", decided_by=recruiter
    )
    assert list(
        ApplicationDecision.objects.filter(application=application).values_list("reason", flat=True)
    ) == ["Too junior", "Other reason"]


# -- the position's bar ------------------------------------------------------------------------


def _position_post(kit, **extra):
    return {
        "client_company": "Contoso",
        "title": "MES Engineer",
        "track": kit.track.pk,
        "level": kit.level.pk,
        "kit": kit.pk,
        "job_description": "Own work orders, dispatching and genealogy on the shop floor.",
        "save": "1",
        **extra,
    }


@pytest.mark.parametrize("bar", ["90", "45", "87.6", "49.9"])
def test_position_form_refuses_a_bar_out_of_range(client, recruiter, kit, bar):
    client.force_login(recruiter)
    response = client.post(reverse("interviews:position_create"), _position_post(kit, bar=bar))
    assert response.status_code == 200
    assert "The bar must be between 50 and 87.5." in response.content.decode()
    assert Position.objects.count() == 0


def test_position_form_accepts_a_bar_in_range_and_defaults_to_62_5(client, recruiter, kit):
    client.force_login(recruiter)
    response = client.post(reverse("interviews:position_create"), _position_post(kit, bar="75"))
    assert response.status_code == 302
    assert Position.objects.get().bar == 75.0
    response = client.post(
        reverse("interviews:position_create"), _position_post(kit, title="No bar given")
    )
    assert response.status_code == 302
    assert Position.objects.get(title="No bar given").bar == 62.5
    # Edges are allowed.
    for bar in ("50", "87.5"):
        response = client.post(
            reverse("interviews:position_create"), _position_post(kit, title=f"B{bar}", bar=bar)
        )
        assert response.status_code == 302, bar
        assert Position.objects.get(title=f"B{bar}").bar == float(bar)


def test_position_edit_refuses_a_bar_out_of_range_and_shows_the_bar(client, recruiter, position):
    client.force_login(recruiter)
    url = reverse("interviews:position_edit", args=[position.pk])
    response = client.post(url, _position_post(position.kit, bar="90"))
    assert response.status_code == 200
    assert "between 50 and 87.5" in response.content.decode()
    position.refresh_from_db()
    assert position.bar == 62.5
    client.post(url, _position_post(position.kit, bar="70"))
    position.refresh_from_db()
    assert position.bar == 70.0
    page = client.get(reverse("interviews:position_detail", args=[position.pk])).content.decode()
    assert "The bar: <strong>70</strong>" in page


def test_the_position_model_refuses_a_bar_out_of_range(org, kit):
    with pytest.raises(ValidationError) as exc:
        make_position(org, kit, bar=90.0)
    assert exc.value.message_dict["bar"] == ["The bar must be between 50 and 87.5."]


# -- a consistent run of 3s ----------------------------------------------------------------------


@pytest.mark.parametrize("raters", [1, 2, 3])
@pytest.mark.parametrize("n_items", [4, 6, 10])
def test_all_threes_with_enough_evidence_are_never_below_the_bar(org, n_items, raters):
    kit = make_kit(n_items)
    position = make_position(org, kit)
    candidate = services.candidate_create(organization=org, name="C", email="c@example.com")
    panel = [MembershipFactory(organization=org, role="interviewer").user for _ in range(raters)]
    session = services.session_create(position=position, candidate=candidate, interviewers=panel)
    for user in panel:
        rate_all(session, user, 3)
    application = session.application
    application.refresh_from_db()
    result = application.result
    assert result["bar"] == 62.5
    assert result["label"] in ("borderline", "above_bar"), result["label"]
    assert result["p_above"] > 0.5
    assert result["score"] > 62.5
    session.refresh_from_db()
    assert session.result["label"] in ("borderline", "above_bar")


# -- the backfill migration --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backfill_migration_gives_every_session_an_application():
    """Rows made at today's schema; the schema is taken back to 0003 (application nullable),
    the applications removed, and 0004 run forward: it recreates one per organization,
    candidate and position, with the role of the first session."""
    from django.db.migrations.executor import MigrationExecutor

    from apps.accounts.models import Organization

    org = Organization.objects.create(name="Backfill Org", slug="backfill")
    kit = make_kit(2)
    position = make_position(org, kit)
    other_position = make_position(org, kit, title="Other")
    priya = services.candidate_create(organization=org, name="Priya", email="p@example.com")
    tom = services.candidate_create(organization=org, name="Tom", email="t@example.com")
    first = services.session_create(position=position, candidate=priya)
    second = services.session_create(position=position, candidate=priya, mode=TAKE_HOME)
    third = services.session_create(position=other_position, candidate=priya)
    fourth = services.session_create(position=position, candidate=tom)
    # Make the role of the first session differ from the later one's, to see which is taken.
    CandidateSession.objects.filter(pk=first.pk).update(role_weights={"production_execution": 1.0})
    CandidateSession.objects.filter(pk=second.pk).update(role_weights={"quality_operations": 1.0})
    ids = [first.pk, second.pk, third.pk, fourth.pk]
    before = "0003_applications"
    backfill = "0004_applications_backfill"

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("interviews", before)])
        old = executor.loader.project_state([("interviews", before)]).apps
        old.get_model("interviews", "CandidateSession").objects.update(application=None)
        old.get_model("interviews", "Application").objects.all().delete()

        executor = MigrationExecutor(connection)
        executor.migrate([("interviews", backfill)])
        state = executor.loader.project_state([("interviews", backfill)]).apps
        OldSession = state.get_model("interviews", "CandidateSession")
        OldApplication = state.get_model("interviews", "Application")

        applications = {
            (a.candidate_id, a.position_id): a for a in OldApplication.objects.order_by("pk")
        }
        assert set(applications) == {
            (priya.pk, position.pk),
            (priya.pk, other_position.pk),
            (tom.pk, position.pk),
        }
        by_session = dict(OldSession.objects.filter(pk__in=ids).values_list("pk", "application_id"))
        priya_app = applications[(priya.pk, position.pk)]
        assert by_session[first.pk] == by_session[second.pk] == priya_app.pk
        assert by_session[third.pk] == applications[(priya.pk, other_position.pk)].pk
        assert by_session[fourth.pk] == applications[(tom.pk, position.pk)].pk
        assert priya_app.role_weights == {"production_execution": 1.0}  # the first session's
        assert (priya_app.role_track, priya_app.role_level) == ("plant", 2)
        assert (priya_app.role_bar, priya_app.role_panel_size) == (62.5, 2)
        assert priya_app.organization_id == org.pk
        # Running it again changes nothing: no session is left without an application.
        module = importlib.import_module(f"apps.interviews.migrations.{backfill}")
        module.backfill(state, None)
        assert OldApplication.objects.count() == 3
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    # Back at today's schema, every session has its application.
    assert not CandidateSession.objects.filter(application__isnull=True).exists()
    assert CandidateSession.objects.get(pk=first.pk).application.candidate_id == priya.pk
