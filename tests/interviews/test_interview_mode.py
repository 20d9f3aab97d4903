"""Interview mode, prep mode and "not asked": recorded, excluded from the score, shown on the
debriefs; scratch notes stay private; every new page is walled and costs constant queries."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from apps.interviews import services
from apps.interviews.forms import ScorecardForm
from apps.interviews.models import ItemNote, Rating
from apps.interviews.services import scoring
from tests.factories import CandidateSessionFactory, MembershipFactory

from .conftest import rate_all

pytestmark = pytest.mark.django_db


def _post(**fields) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in fields.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def _save(card, items, **fields):
    form = ScorecardForm(_post(**fields), items=items)
    assert form.is_valid(), form.errors
    return services.scorecard_save_draft(scorecard=card, data=form.scorecard_data())


def _score_all_but_first(session, user, value=3, *, first_not_asked=True, scratch=""):
    """Mark question 1 not asked, rate every other criterion ``value`` and submit."""
    card = services.scorecard_for(session=session, interviewer=user)
    items = list(session.items.all())
    data = services.ScorecardData()
    data.not_asked[items[0].pk] = first_not_asked
    if scratch:
        data.scratch[items[0].pk] = scratch
    for item in items[1:]:
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    return services.scorecard_submit(scorecard=card)


# -- the form ---------------------------------------------------------------------------------


def test_the_form_carries_only_what_was_posted(session):
    items = list(session.items.all())
    a = items[0]
    form = ScorecardForm(_post(**{f"na-{a.pk}": ["0", "1"], f"s-{a.pk}": "  mine  "}), items=items)
    assert form.is_valid()
    data = form.scorecard_data()
    # The checkbox after its hidden "0" wins; scratch text is kept as typed.
    assert data.not_asked == {a.pk: True} and data.scratch == {a.pk: "  mine  "}
    assert data.ratings == {} and data.notes == {} and data.recommendation is None


def test_bad_not_asked_and_red_flag_values_are_form_errors_naming_the_field(session):
    a = session.items.first()
    form = ScorecardForm(
        _post(**{f"na-{a.pk}": "yes", f"f-{a.pk}-present": "1", f"f-{a.pk}": "99"}), items=[a]
    )
    assert not form.is_valid()
    assert form.errors[f"na-{a.pk}"] == ["Send 1 (not asked) or 0 (asked)."]
    assert "Unknown red flag" in form.errors[f"f-{a.pk}"][0]


# -- not asked --------------------------------------------------------------------------------


def test_marking_not_asked_drops_that_questions_ratings_and_refuses_new_ones(session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    items = list(session.items.all())
    a = items[0]
    _save(card, items, **{f"r-{a.pk}-depth": "2", f"r-{a.pk}-accuracy": "3"})
    _save(card, items, **{f"na-{a.pk}": "1"})
    assert not Rating.objects.filter(scorecard=card, item=a).exists()
    assert ItemNote.objects.get(scorecard=card, item=a).not_asked is True
    with pytest.raises(ValidationError) as exc:
        _save(card, items, **{f"r-{a.pk}-depth": "4"})
    assert exc.value.message_dict[f"r-{a.pk}-depth"] == [
        "Question 1 is marked not asked: clear \u201cNot asked\u201d to rate it."
    ]
    assert not Rating.objects.filter(scorecard=card, item=a).exists()
    _save(card, items, **{f"na-{a.pk}": "0"})
    _save(card, items, **{f"r-{a.pk}-depth": "4"})
    assert Rating.objects.get(scorecard=card, item=a, criterion_key="depth").value == 4


def test_submit_needs_every_asked_question_rated_and_names_the_missing(session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    items = list(session.items.all())
    _save(card, items, **{f"na-{items[0].pk}": "1", "recommendation": "yes"})
    for crit in items[1].rubric:
        _save(card, items, **{f"r-{items[1].pk}-{crit['key']}": "3"})
    with pytest.raises(ValidationError) as exc:
        services.scorecard_submit(scorecard=card)
    errors = exc.value.message_dict
    assert not any(name.startswith(f"r-{items[0].pk}-") for name in errors)  # not asked
    assert errors[f"r-{items[2].pk}-depth"] == [
        "Question 3: rate \u201cDepth\u201d before submitting."
    ]
    for crit in items[2].rubric:
        _save(card, items, **{f"r-{items[2].pk}-{crit['key']}": "3"})
    assert services.scorecard_submit(scorecard=card).is_submitted


def test_a_scorecard_with_every_question_not_asked_is_refused(session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    items = list(session.items.all())
    _save(card, items, recommendation="no", **{f"na-{i.pk}": "1" for i in items})
    with pytest.raises(ValidationError) as exc:
        services.scorecard_submit(scorecard=card)
    assert exc.value.message_dict["not_asked"] == [
        "Every question is marked not asked: rate at least one question you asked."
    ]


def test_a_question_nobody_asked_is_absent_from_the_score(session, interviewer, interviewer2):
    first = session.items.order_by("order").first()
    _score_all_but_first(session, interviewer, 3)
    _score_all_but_first(session, interviewer2, 4)
    session.refresh_from_db()
    data = scoring._load_inputs([session.pk])[session.pk]
    engine_items = scoring._engine_items(session.mode, data)
    assert first.question_key not in {i.id for i in engine_items}
    assert len(engine_items) == 2
    # Its competency's evidence comes from the other questions only: coverage and next
    # evidence see this one missing.
    others = [i for i in session.items.all()[1:] if i.competency_key == first.competency_key]
    n_eff = session.result["competencies"].get(first.competency_key, {}).get("n_eff", 0)
    assert n_eff == pytest.approx(len(others))
    assert session.status == "scored"


def test_a_question_one_interviewer_did_not_ask_counts_only_the_other(
    session, interviewer, interviewer2
):
    first = session.items.order_by("order").first()
    rate_all(session, interviewer, 1)
    _score_all_but_first(session, interviewer2, 4)
    data = scoring._load_inputs([session.pk])[session.pk]
    by_id = {i.id: i for i in scoring._engine_items(session.mode, data)}
    assert by_id[first.question_key].ratings == (1.0,)  # only the interviewer who asked
    assert all(len(i.ratings) == 2 for key, i in by_id.items() if key != first.question_key)


def test_debriefs_show_not_asked_by_n(client, session, interviewer, interviewer2, recruiter):
    _score_all_but_first(session, interviewer, 3)
    _score_all_but_first(session, interviewer2, 3)
    client.force_login(recruiter)
    body = client.get(reverse("interviews:debrief", args=[session.pk])).content.decode()
    assert "Questions not asked" in body and "(not asked by 2)" in body
    app = client.get(reverse("interviews:application_detail", args=[session.application_id]))
    text = app.content.decode()
    assert app.status_code == 200 and "(not asked by 2)" in text and ">not asked<" in text


# -- privacy ----------------------------------------------------------------------------------


def test_scratch_notes_stay_private_even_after_submit(
    client, session, interviewer, interviewer2, recruiter, org_admin
):
    _score_all_but_first(session, interviewer, 3, scratch="SCRATCH-OF-IVAN")
    client.force_login(interviewer)
    own = client.get(reverse("interviews:interview_mode", args=[session.pk])).content.decode()
    assert "SCRATCH-OF-IVAN" in own  # the author still sees them
    _score_all_but_first(session, interviewer2, 3)
    card = session.scorecards.get(interviewer=interviewer)
    pages = [
        (interviewer2, reverse("interviews:debrief", args=[session.pk])),
        (interviewer2, reverse("interviews:interview_mode", args=[session.pk])),
        (recruiter, reverse("interviews:debrief", args=[session.pk])),
        (recruiter, reverse("interviews:report", args=[session.pk])),
        (recruiter, reverse("interviews:application_detail", args=[session.application_id])),
        (org_admin, reverse("interviews:scorecard_correct", args=[session.pk, card.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"SCRATCH-OF-IVAN" not in response.content, url


def test_a_pending_panel_member_sees_no_other_ratings_or_notes_in_interview_mode(
    client, session, interviewer, interviewer2
):
    rate_all(session, interviewer2, 4, notes="SECRET-NOTE-OF-INES")
    card2 = session.scorecards.get(interviewer=interviewer2)
    ItemNote.objects.filter(scorecard=card2).update(scratch="SCRATCH-OF-INES")
    client.force_login(interviewer)
    body = client.get(reverse("interviews:interview_mode", args=[session.pk])).content.decode()
    assert "SECRET-NOTE-OF-INES" not in body and "SCRATCH-OF-INES" not in body
    assert "checked" not in body.split('class="iv-all"')[1].split("q-finish")[0]
    assert "<strong>0/3</strong> rated" in body


# -- pages ------------------------------------------------------------------------------------


def test_interview_mode_shows_progress_anchor_and_timer(client, session, interviewer):
    card = services.scorecard_for(session=session, interviewer=interviewer)
    items = list(session.items.all())
    _save(card, items, **{f"na-{items[0].pk}": "1"})
    for crit in items[1].rubric:
        _save(card, items, **{f"r-{items[1].pk}-{crit['key']}": "2"})
    client.force_login(interviewer)
    response = client.get(reverse("interviews:interview_mode", args=[session.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1/2</strong> rated · 1 not asked" in body
    anchor = items[1].rubric[0]["anchors"]["2"]
    assert anchor in body.split(f'id="r-{items[1].pk}-{items[1].rubric[0]["key"]}-chosen"')[1]
    minutes = sum(i.expected_minutes for i in items)
    assert f'data-minutes="{minutes}"' in body and f"of {minutes} min" in body
    assert "<script>" not in body and "onclick" not in body


def test_interview_mode_post_submits_and_refusal_names_questions(client, session, interviewer):
    items = list(session.items.all())
    client.force_login(interviewer)
    url = reverse("interviews:interview_mode", args=[session.pk])
    post = {f"na-{items[0].pk}": "1", "recommendation": "yes", "submit": "1"}
    response = client.post(url, post)
    assert response.status_code == 400
    assert "Question 2: rate" in response.content.decode()
    for item in items[1:]:
        for crit in item.rubric:
            post[f"r-{item.pk}-{crit['key']}"] = "3"
    response = client.post(url, post)
    assert response.status_code == 302
    assert session.scorecards.get(interviewer=interviewer).is_submitted


def test_autosave_marks_not_asked_and_refuses_bad_input_with_400(client, session, interviewer):
    item = session.items.first()
    client.force_login(interviewer)
    url = reverse("interviews:autosave", args=[session.pk])
    assert client.post(url, {f"r-{item.pk}-depth": "3"}).status_code == 200
    assert client.post(url, {f"na-{item.pk}": "1"}).status_code == 200
    card = session.scorecards.get(interviewer=interviewer)
    assert not card.ratings.exists() and card.item_notes.get(item=item).not_asked
    bad = client.post(url, {f"na-{item.pk}": "maybe"})
    assert bad.status_code == 400 and f"na-{item.pk}" in bad.content.decode()
    refused = client.post(url, {f"r-{item.pk}-depth": "3"})
    assert refused.status_code == 400 and "marked not asked" in refused.content.decode()
    assert not card.ratings.exists() and card.item_notes.get(item=item).not_asked


def test_prep_mode_shows_the_whole_kit_with_guidance(client, session, interviewer):
    client.force_login(interviewer)
    response = client.get(reverse("interviews:interview_prep", args=[session.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for item in session.items.all():
        assert item.guidance.split("\n")[0][:40] in body
        assert item.rubric[0]["anchors"]["4"] in body
    assert reverse("interviews:interview_mode", args=[session.pk]) in body


@pytest.mark.parametrize("name", ["interviews:interview_mode", "interviews:interview_prep"])
def test_other_tenants_and_unassigned_members_get_404(client, session, outsider, org, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[session.pk])).status_code == 404
    assert client.post(reverse(name, args=[session.pk]), {"recommendation": "yes"}).status_code in (
        404,
        405,
    )
    stranger = MembershipFactory(organization=org, role="interviewer").user
    client.force_login(stranger)
    assert client.get(reverse(name, args=[session.pk])).status_code == 404
    assert not session.scorecards.filter(interviewer__in=[outsider, stranger]).exists()


@pytest.mark.parametrize("name", ["interviews:interview_mode", "interviews:interview_prep"])
@pytest.mark.parametrize("n", [1, 50])
def test_interview_pages_query_count_is_constant(client, django_assert_max_num_queries, name, n):
    session = CandidateSessionFactory(n_items=n)
    user = MembershipFactory(organization=session.organization, role="interviewer").user
    session.interviewers.add(user)
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        data.not_asked[item.pk] = item.order % 2 == 1
        data.scratch[item.pk] = "mine"
    services.scorecard_save_draft(scorecard=card, data=data)
    client.force_login(user)
    with django_assert_max_num_queries(13):
        response = client.get(reverse(name, args=[session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-item="') + body.count('class="prep-q"') == n
