"""The faster bulk rescore (ratings aggregated by the database, rubrics compiled once per
frozen version, no cyclic GC inside a chunk) gives the same results as the plain reading of
SCORING.md, and writes only what changed: a second rescore writes nothing and leaves
``updated_at`` alone; a changed constant writes every row again."""

import random

import pytest

from apps.interviews import services
from apps.interviews.models import (
    Answer,
    Application,
    CandidateSession,
    ItemNote,
    Rating,
    Scorecard,
)
from apps.interviews.services.scoring import application_role, scoring_constants
from apps.scoring import engine
from tests.factories import MembershipFactory, make_kit, make_position

pytestmark = pytest.mark.django_db


def _submit(session, user, rng: random.Random, *, skip=(), flag=()) -> None:
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        if item.pk in skip:
            data.not_asked[item.pk] = True
            continue
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = rng.choice([0, 1, 2, 3, 4])
        if item.pk in flag:
            data.red_flags[item.pk] = [0]
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)


@pytest.fixture
def varied(org):
    """Applications of one to three stages, ratings drawn at random (0-4 per criterion), some
    items not asked or red-flagged, a cancelled stage, a session nobody scored yet."""
    rng = random.Random(15)
    kits = [make_kit(4), make_kit(3, track_key="enterprise", level=3)]
    positions = [make_position(org, kit) for kit in kits]
    raters = [MembershipFactory(organization=org).user for _ in range(3)]
    for i in range(8):
        candidate = services.candidate_create(
            organization=org, name=f"Cand {i}", email=f"c{i}@example.com"
        )
        for stage in range(1 + i % 3):
            panel = raters[: 1 + (i + stage) % 3]
            session = services.session_create(
                position=positions[i % 2], candidate=candidate, interviewers=panel
            )
            if i == 7 and stage == 0:
                continue  # never scored
            items = list(session.items.all())
            for n, user in enumerate(panel):
                skip = {items[0].pk} if (i + n) % 4 == 0 else set()
                flag = {items[-1].pk} if (i + n) % 5 == 1 else set()
                _submit(session, user, rng, skip=skip, flag=flag)
            if i == 4 and stage == 1:
                services.session_cancel(session=session)
    return org


def _reference_items(session, discussed: bool) -> list[engine.Item]:
    """SCORING.md read plainly, from model instances, through the checking constructor."""
    source = "take_home" if session.mode == CandidateSession.Mode.TAKE_HOME else "live"
    cards = list(
        Scorecard.objects.filter(session=session, status=Scorecard.Status.SUBMITTED).order_by("pk")
    )
    out = []
    for item in session.items.order_by("order"):
        notes = {n.scorecard_id: n for n in ItemNote.objects.filter(item=item)}
        asked = [c for c in cards if not (c.pk in notes and notes[c.pk].not_asked)]
        if cards and not asked:
            continue
        ratings = []
        for card in asked:
            given = dict(
                Rating.objects.filter(scorecard=card, item=item).values_list(
                    "criterion_key", "value"
                )
            )
            value = engine.item_rating(
                [(given[c["key"]], c["weight"]) for c in item.rubric if c["key"] in given]
            )
            if value is not None:
                ratings.append(value)
        picked = set()
        for card in cards:
            if card.pk in notes:
                picked.update(notes[card.pk].red_flags or [])
        critical = [
            item.red_flags[i]["text"]
            for i in sorted(picked)
            if i < len(item.red_flags) and item.red_flags[i].get("critical")
        ]
        out.append(
            engine.Item(
                id=item.question_key,
                competency=item.competency_key,
                track=item.track_tag,
                level=item.level,
                weight=item.weight,
                source=source,
                ratings=ratings,
                critical_flag_texts=critical,
                discussed_live=discussed
                and Answer.objects.filter(item=item, discussed_live_at__isnull=False).exists(),
            )
        )
    return out, len(cards)


def _reference_session(session) -> dict:
    app = session.application
    role = engine.Role(
        track=session.role_track,
        level=session.role_level,
        weights=session.role_weights,
        bar=app.role_bar / 100,
        panel_size=app.role_panel_size,
    )
    items, n_cards = _reference_items(session, discussed=False)
    result = engine.score(role, items, scoring_constants()).to_dict()
    result["scorecards"] = n_cards
    return result


def _reference_application(application) -> dict | None:
    sessions = list(
        application.sessions.exclude(status=CandidateSession.Status.CANCELLED).order_by(
            "created_at", "pk"
        )
    )
    role = application_role(application)
    items, stages, step, total = [], [], None, 0
    for session in sessions:
        step = None
        more, n_cards = _reference_items(session, discussed=True)
        items.extend(more)
        total += n_cards
        if not n_cards:
            continue
        step = engine.score(role, items, scoring_constants())
        stages.append(
            {
                "session": session.pk,
                "mode": session.mode,
                "score": round(step.score, 1) + 0.0,
                "band": [round(100 * step.band[0], 1) + 0.0, round(100 * step.band[1], 1) + 0.0],
                "label": step.label,
            }
        )
    if not stages:
        return None
    result = (step or engine.score(role, items, scoring_constants())).to_dict()
    result["scorecards"] = total
    result["stages"] = stages
    return result


def test_bulk_rescore_gives_the_reference_results(varied):
    sessions = CandidateSession.objects.filter(organization=varied)
    applications = Application.objects.filter(organization=varied)
    sessions.update(result=None)
    applications.update(result=None)
    assert (
        services.sessions_rescore(session_ids=sessions.values_list("pk", flat=True), chunk_size=5)
        == sessions.count()
    )
    assert (
        services.applications_rescore(
            application_ids=applications.values_list("pk", flat=True), chunk_size=3
        )
        == applications.count()
    )
    for session in sessions:
        assert session.result == _reference_session(session), session.pk
    labels = set()
    for application in applications:
        assert application.result == _reference_application(application), application.pk
        labels.add(application.result and application.result["label"])
    assert len(labels) >= 2  # the set is varied


def test_a_second_rescore_writes_nothing_and_a_changed_constant_writes_all(varied, settings):
    sessions = CandidateSession.objects.filter(organization=varied)
    applications = Application.objects.filter(organization=varied)
    session_ids = list(sessions.values_list("pk", flat=True))
    app_ids = list(applications.values_list("pk", flat=True))
    # Once: the session nobody scored gets its (empty) result; the rest are current already.
    services.sessions_rescore(session_ids=session_ids)
    services.applications_rescore(application_ids=app_ids)
    before = dict(sessions.values_list("pk", "updated_at"))
    app_before = dict(applications.values_list("pk", "updated_at"))
    # Twice: nothing changed, nothing written, updated_at stays put.
    again = services.sessions_rescore(session_ids=session_ids)
    assert (again, again.written) == (len(session_ids), 0)
    again = services.applications_rescore(application_ids=app_ids)
    assert (again, again.written) == (len(app_ids), 0)
    assert dict(sessions.values_list("pk", "updated_at")) == before
    assert dict(applications.values_list("pk", "updated_at")) == app_before

    settings.SCORING_CONSTANTS = {"mu": 0.3}
    changed = services.sessions_rescore(session_ids=session_ids)
    assert changed.written == len(session_ids)
    scored_apps = applications.filter(result__isnull=False).count()
    assert services.applications_rescore(application_ids=app_ids).written == scored_apps
    after = dict(sessions.values_list("pk", "updated_at"))
    assert all(after[pk] > before[pk] for pk in session_ids)
    assert {r["constants"]["mu"] for r in sessions.values_list("result", flat=True)} == {0.3}
    # And once more with the same constant: nothing.
    assert services.sessions_rescore(session_ids=session_ids).written == 0
    assert dict(sessions.values_list("pk", "updated_at")) == after
