import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from apps.interviews import services
from apps.interviews.forms import ScorecardForm
from apps.interviews.models import CandidateSession, Rating, Scorecard, ScorecardCorrection

from .conftest import rate_all

pytestmark = pytest.mark.django_db


def _post(**fields) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in fields.items():
        if isinstance(value, list):
            q.setlist(key, value)
        else:
            q[key] = value
    return q


def test_partial_saves_from_two_tabs_do_not_overwrite_each_other(session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    a, b = list(session.items.all())[:2]
    items = list(session.items.all())
    form1 = ScorecardForm(_post(**{f"r-{a.pk}-accuracy": "3"}), items=items)
    form2 = ScorecardForm(_post(**{f"n-{b.pk}": "good genealogy answer"}), items=items)
    assert form1.is_valid() and form2.is_valid()
    tab1, tab2 = form1.scorecard_data(), form2.scorecard_data()
    services.scorecard_save_draft(scorecard=card, data=tab1)
    services.scorecard_save_draft(scorecard=card, data=tab2)
    assert Rating.objects.get(scorecard=card, item=a, criterion_key="accuracy").value == 3
    assert card.item_notes.get(item=b).notes == "good genealogy answer"
    session.refresh_from_db()
    assert session.status == CandidateSession.Status.IN_PROGRESS


def test_bad_rating_value_is_refused_with_the_field(session, interviewer):
    item = session.items.first()
    form = ScorecardForm(_post(**{f"r-{item.pk}-accuracy": "7"}), items=[item])
    assert not form.is_valid()
    assert form.errors[f"r-{item.pk}-accuracy"] == ["Choose one of the anchors (0-4)."]


def test_submit_requires_every_criterion_and_keeps_the_draft(session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    item = session.items.first()
    data = services.ScorecardData()
    data.ratings[(item.pk, "accuracy")] = 2
    services.scorecard_save_draft(scorecard=card, data=data)
    with pytest.raises(ValidationError) as exc:
        services.scorecard_submit(scorecard=card)
    errors = exc.value.message_dict
    assert f"r-{item.pk}-depth" in errors and f"r-{item.pk}-accuracy" not in errors
    assert errors[f"r-{item.pk}-depth"] == ["Question 1: rate \u201cDepth\u201d before submitting."]
    assert "recommendation" in errors
    card.refresh_from_db()
    assert card.status == Scorecard.Status.DRAFT
    assert Rating.objects.get(scorecard=card, criterion_key="accuracy").value == 2


def test_submit_scores_the_session_and_double_submit_is_harmless(session, interviewer):
    card = rate_all(session, interviewer, 3)
    first_time = card.submitted_at
    again = services.scorecard_submit(scorecard=card)
    assert again.submitted_at == first_time
    session.refresh_from_db()
    assert session.result["scorecards"] == 1
    assert session.result["label"] in {"incomplete", "borderline", "above_bar", "below_bar"}
    assert session.status == CandidateSession.Status.IN_PROGRESS  # one of two interviewers


def test_session_is_scored_when_every_interviewer_submitted(session, interviewer, interviewer2):
    rate_all(session, interviewer, 4)
    rate_all(session, interviewer2, 4)
    session.refresh_from_db()
    assert session.status == CandidateSession.Status.SCORED
    # 3 items x 2 raters at rating 4: y = 1.0 everywhere.
    assert session.result["competencies"]["production_execution"]["observed"] == 100.0


def test_submitted_scorecard_is_read_only(session, interviewer):
    card = rate_all(session, interviewer, 3)
    data = services.ScorecardData()
    data.overall_notes = "sneaky edit"
    with pytest.raises(ValidationError, match="read-only"):
        services.scorecard_save_draft(scorecard=card, data=data)
    card.refresh_from_db()
    assert card.notes == ""


def test_admin_correction_is_recorded_and_rescored(session, interviewer, org_admin):
    card = rate_all(session, interviewer, 1)
    session.refresh_from_db()
    before = session.result["score"]
    item = session.items.first()
    records = services.scorecard_correct(
        scorecard=card,
        corrected_by=org_admin,
        reason="Typo: the interviewer meant 4",
        ratings={(item.pk, "accuracy"): 4},
        recommendation="strong_yes",
    )
    assert [(r.field, r.old_value, r.new_value) for r in records] == [
        (f"rating:{item.question_key}:accuracy", "1", "4"),
        ("recommendation", "yes", "strong_yes"),
    ]
    stored = ScorecardCorrection.objects.filter(scorecard=card)
    assert {c.corrected_by for c in stored} == {org_admin}
    session.refresh_from_db()
    assert session.result["score"] > before


def test_correction_needs_a_reason(session, interviewer, org_admin):
    card = rate_all(session, interviewer, 2)
    with pytest.raises(ValidationError) as exc:
        services.scorecard_correct(scorecard=card, corrected_by=org_admin, reason=" ")
    assert "reason" in exc.value.message_dict


def test_critical_flag_observed_caps_the_label(session, interviewer, interviewer2):
    for user in (interviewer, interviewer2):
        card = services.scorecard_for(session=session, interviewer=user)
        data = services.ScorecardData()
        for item in session.items.all():
            for crit in item.rubric:
                data.ratings[(item.pk, crit["key"])] = 4
        data.red_flags[session.items.first().pk] = [0] if user == interviewer else []
        data.recommendation = "strong_yes"
        services.scorecard_save_draft(scorecard=card, data=data)
        services.scorecard_submit(scorecard=card)
    session.refresh_from_db()
    critical = [f for f in session.result["flags"] if f["kind"] == "critical_red_flag"]
    assert critical and critical[0]["text"] == "Places MES at Level 4"
    assert session.result["label"] != "above_bar"
