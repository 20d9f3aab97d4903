"""The application's pages (issue 9): the debrief a recruiter decides on, blind until the
viewer's own scorecards are in, its decision and next-stage forms, the "discussed live" mark
from a live scorecard, tenant walls, and constant query counts."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import (
    Answer,
    Application,
    ApplicationDecision,
    CandidateSession,
    SessionItem,
)
from apps.interviews.verdicts import Verdict
from tests.factories import (
    CompetencyFactory,
    LevelFactory,
    MembershipFactory,
    QuestionFactory,
    TrackFactory,
    make_kit,
    make_position,
)

from .conftest import rate_all

pytestmark = pytest.mark.django_db

LIVE = CandidateSession.Mode.LIVE
TAKE_HOME = CandidateSession.Mode.TAKE_HOME


@pytest.fixture
def kit():
    """Six items (three per competency): enough evidence for a decision with a panel of two."""
    return make_kit(6)


@pytest.fixture
def ivan(interviewer):
    interviewer.first_name, interviewer.last_name = "Ivan", "Petrov"
    interviewer.save()
    return interviewer


def rate(session, user, values, recommendation="yes", notes="") -> None:
    """Submit a scorecard: ``values`` is one rating for every criterion, or {criterion: rating}."""
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            value = values if isinstance(values, int) else values[crit["key"]]
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = recommendation
    data.overall_notes = notes
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)


def detail_url(application) -> str:
    return reverse("interviews:application_detail", args=[application.pk])


def visible_text(body: str) -> str:
    """What a reader sees: tags (and their attributes, e.g. SVG coordinates) removed."""
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# -- the debrief -------------------------------------------------------------------------------


def test_debrief_leads_with_the_verdict_then_explains_it(
    client, session, ivan, interviewer2, recruiter, org
):
    plant = TrackFactory(key="plant")
    level2 = LevelFactory(number=2)
    pe = CompetencyFactory()
    quality = CompetencyFactory(key="quality_operations")

    def q(prompt, **fields):
        return QuestionFactory(
            **{"track": plant, "level": level2, "competency": pe, "prompt": prompt, **fields}
        )

    unused = [
        q("UNUSED-PE walk me through a dispatch list."),
        q("UNUSED-QUALITY how do you handle a hold?", competency=quality),
        q("UNUSED-CORE own question.", track=None, organization=org),
    ]
    not_offered = [
        q("WRONG-LEVEL", level=LevelFactory(number=3)),
        q("WRONG-TRACK", track=TrackFactory(key="enterprise")),
        q("DRAFT-Q", status=Question.Status.DRAFT),
        q("FOREIGN-Q", organization=MembershipFactory().organization),
    ]
    # Ivan's criteria differ (accuracy 4 x1, depth 3 x2): his item rating is 10/3.
    rate(session, ivan, {"accuracy": 4, "depth": 3}, "yes", notes="IVAN-OVERALL")
    rate(session, interviewer2, 3, "strong_yes")
    application = Application.objects.get()
    verdict = Verdict.from_result(application.result)
    assert verdict.label in ("borderline", "above_bar")  # enough evidence: not incomplete

    client.force_login(recruiter)
    response = client.get(detail_url(application))
    assert response.status_code == 200
    body = response.content.decode()

    # Label and "N% likely above the bar" first, then the band against the bar, then the number.
    headline = f"{verdict.label_text}</span>, {verdict.p_above_percent}% likely above the bar"
    band = (
        f"90% band <strong>{verdict.band[0]:g}&ndash;{verdict.band[1]:g}</strong> against the bar "
        f"of 62.5"
    )
    number = f"Score {verdict.score:g}"
    assert headline in body and band in body and number in body
    assert body.index(headline) < body.index(band) < body.index(number)
    assert "<svg" in body

    # The sections follow in the order.
    order = [
        "How the band narrowed, stage by stage",
        ">Competencies<",
        "Track fit:",
        "Level fit:",
        "Next evidence",
        "Interviewers' ratings and notes",
    ]
    at = [body.index(marker) for marker in order]
    assert at == sorted(at)

    # Track fit in words: all items are plant, so enterprise evidence is missing.
    assert application.result["track"]["missing"] == {"plant": 0, "enterprise": 3}
    assert "Unclear: telling plant from enterprise needs 3 more enterprise items." in body
    # Level fit.
    assert f"Level fit: {verdict.level_fit_text}" in body
    assert verdict.level_fit == "2"
    assert "Level fit: Level 2" in body

    # Next evidence: the competencies, each with unused bank questions of the right kind.
    suggestions = response.context["suggestions"]
    assert [s["competency"] for s in suggestions] == [
        n["competency"] for n in application.result["next_evidence"]
    ]
    offered = {q.pk for s in suggestions for q in s["questions"]}
    assert offered == {q.pk for q in unused}
    kit_questions = set(SessionItem.objects.values_list("question_id", flat=True))
    assert not offered & kit_questions
    for question in unused:
        assert question.prompt in body
    for question in not_offered:
        assert question.prompt not in body
    for n in application.result["next_evidence"]:
        assert f"band to &plusmn;{n['band_halfwidth']:g}" in body

    # Each interviewer's ratings: display names, question text, rounded values.
    assert "Ivan Petrov: <strong>Yes</strong>" in body
    assert "ines: <strong>Strong yes</strong>" in body  # no full name: the username
    assert "ivan: <strong>" not in body
    assert "IVAN-OVERALL" in body
    for item in session.items.all():
        assert item.prompt in body
        assert item.question_key not in visible_text(body)  # never codes
    text = visible_text(body)
    assert "3.3" in re.findall(r"\d+(?:\.\d+)?", text)
    assert not re.search(r"\d\.\d{3,}", text), re.search(r".{40}\d\.\d{3,}.{20}", text)
    assert "3.333" not in body


def test_debrief_lists_discrepant_questions_and_critical_flags_in_words(
    client, session, ivan, interviewer2, recruiter
):
    first = session.items.order_by("order").first()
    rate(session, ivan, {"accuracy": 4, "depth": 3}, "strong_yes")  # 10/3 on every item
    card = services.scorecard_for(session=session, interviewer=interviewer2)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = 1 if item.pk == first.pk else 3
    data.red_flags[first.pk] = [0]  # "Places MES at Level 4", critical in the bank
    data.recommendation = "no"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)
    application = Application.objects.get()
    kinds = [f["kind"] for f in application.result["flags"]]
    assert kinds.count("discrepant") == 1 and kinds.count("critical_red_flag") == 1
    assert application.result["label"] != "above_bar"  # capped by the critical flag

    client.force_login(recruiter)
    body = client.get(detail_url(application)).content.decode()
    section = body[body.index("Discrepant questions") : body.index("Critical red flags")]
    assert first.prompt in section and "ratings 3.3, 1" in section
    assert first.question_key not in visible_text(section)
    critical = body[body.index("Critical red flags") :]
    assert "Places MES at Level 4" in critical and first.prompt in critical
    assert "Red flag: Places MES at Level 4" in body  # on ines's row for that question
    assert not re.search(r"\d\.\d{3,}", visible_text(body))


def test_the_debrief_says_why_the_label_differs_from_a_unanimous_yes(
    client, session, ivan, interviewer2, recruiter
):
    rate(session, ivan, 2, "yes")
    rate(session, interviewer2, 2, "strong_yes")
    application = Application.objects.get()
    assert application.result["label"] != "above_bar"
    client.force_login(recruiter)
    response = client.get(detail_url(application))
    sentence = response.context["disagreement"]
    assert sentence == Verdict.from_result(application.result).disagreement(["yes", "strong_yes"])
    assert sentence.startswith("The interviewers said yes, but the ratings")
    assert sentence.endswith(".") and sentence.count(". ") == 0  # one sentence
    body = response.content.decode()
    assert "Why this differs from the interviewers:</strong> " + html.escape(sentence) in body


def test_thin_evidence_is_the_reason_when_the_label_is_incomplete(client, org, recruiter):
    kit = make_kit(3)
    position = make_position(org, kit)
    candidate = services.candidate_create(organization=org, name="Thin", email="t@example.com")
    panel = [MembershipFactory(organization=org, role="interviewer").user for _ in range(2)]
    session = services.session_create(position=position, candidate=candidate, interviewers=panel)
    for user in panel:
        rate_all(session, user, 4, recommendation="strong_yes")
    application = session.application
    application.refresh_from_db()
    assert application.result["label"] == "incomplete"
    client.force_login(recruiter)
    body = client.get(detail_url(application)).content.decode()
    assert "Why this differs from the interviewers:</strong>" in body
    assert "the evidence is thin: 1.5 answers per weighted competency" in body


def test_no_explanation_when_the_label_agrees_with_the_panel(client, org, recruiter):
    kit = make_kit(10)
    position = make_position(org, kit)
    candidate = services.candidate_create(organization=org, name="Strong", email="s@example.com")
    panel = [MembershipFactory(organization=org, role="interviewer").user for _ in range(2)]
    session = services.session_create(position=position, candidate=candidate, interviewers=panel)
    for user in panel:
        rate_all(session, user, 4, recommendation="strong_yes")
    application = session.application
    application.refresh_from_db()
    assert application.result["label"] == "above_bar"
    client.force_login(recruiter)
    response = client.get(detail_url(application))
    assert response.context["disagreement"] is None
    assert "Why this differs" not in response.content.decode()


def test_an_application_with_nothing_submitted_says_so(client, session, recruiter):
    client.force_login(recruiter)
    body = client.get(detail_url(session.application)).content.decode()
    assert "nothing to score" in body
    assert "likely above the bar" not in body


# -- blind and walled --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER])
def test_a_manager_on_the_panel_sees_the_debrief_only_after_submitting(
    client, session, org, interviewer, role
):
    manager = MembershipFactory(organization=org, role=role).user
    session.interviewers.add(manager)
    rate_all(session, interviewer, 4, notes="SECRET-NOTE")
    client.force_login(manager)
    url = detail_url(session.application)
    assert client.get(url).status_code == 404
    # Nor can they act on it before submitting.
    decide = reverse("interviews:application_decide", args=[session.application.pk])
    assert client.post(decide, {"state": "advanced"}).status_code == 404
    rate_all(session, manager, 3)
    response = client.get(url)
    assert response.status_code == 200 and b"SECRET-NOTE" in response.content


def test_a_panel_member_pending_on_any_stage_is_blind(client, session, take_home_for, ivan):
    """Submitted on the live stage, still pending on the take-home: still 404."""
    rate_all(session, ivan, 3)
    client.force_login(ivan)
    assert client.get(detail_url(session.application)).status_code == 200
    stage = take_home_for(session, [ivan])
    assert client.get(detail_url(session.application)).status_code == 404
    rate_all(stage, ivan, 3)
    assert client.get(detail_url(session.application)).status_code == 200


def test_an_interviewer_not_on_any_stage_gets_404(client, session, interviewer, org):
    rate_all(session, interviewer, 3)
    stranger = MembershipFactory(organization=org, role="interviewer").user
    client.force_login(stranger)
    assert client.get(detail_url(session.application)).status_code == 404


def test_a_member_of_a_stage_cancelled_before_rating_stays_blind(client, session, interviewer, org):
    """Regression: assignment to a cancelled stage used to open the pooled debrief (with the
    other interviewers' notes) to someone who never rated."""
    rate_all(session, interviewer, 4, notes="SECRET-NOTE")
    late = MembershipFactory(organization=org, role="interviewer").user
    stage = services.session_create(
        position=session.position, candidate=session.candidate, interviewers=[late]
    )
    services.session_cancel(session=stage)
    client.force_login(late)
    response = client.get(detail_url(session.application))
    assert response.status_code == 404 and b"SECRET-NOTE" not in response.content


def test_a_member_who_rated_a_stage_later_cancelled_still_sees_the_debrief(
    client, session, interviewer, interviewer2, take_home_for
):
    stage = take_home_for(session, [interviewer2])
    rate_all(stage, interviewer2, 3)
    services.session_cancel(session=stage)
    rate_all(session, interviewer, 3)
    client.force_login(interviewer2)
    # interviewer2 is also on the live stage and has not rated it: blind.
    assert client.get(detail_url(session.application)).status_code == 404
    session.interviewers.remove(interviewer2)
    assert client.get(detail_url(session.application)).status_code == 200


def test_an_interviewer_who_submitted_sees_the_debrief_without_manager_forms(
    client, session, interviewer
):
    rate_all(session, interviewer, 3)
    client.force_login(interviewer)
    response = client.get(detail_url(session.application))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Record the decision" not in body
    assert "Create the next stage" not in body
    decide = reverse("interviews:application_decide", args=[session.application.pk])
    assert client.post(decide, {"state": "offer"}).status_code == 404
    assert Application.objects.get().state == "active"


@pytest.fixture
def take_home_for(recruiter):
    def make(session, interviewers, with_answers=True):
        stage = services.session_create(
            position=session.position,
            candidate=session.candidate,
            mode=TAKE_HOME,
            interviewers=interviewers,
            created_by=recruiter,
        )
        if with_answers:
            for item in stage.items.all():
                Answer.objects.create(item=item, text=f"Answer to {item.question_key}")
        return stage

    return make


def test_other_organizations_get_404_on_every_application_page(
    client, session, interviewer, interviewer2, outsider, take_home_for
):
    stage = take_home_for(session, [interviewer2])
    rate_all(session, interviewer, 3)
    answer = Answer.objects.filter(item__session=stage).first()
    application = session.application
    question = QuestionFactory()
    client.force_login(outsider)
    assert client.get(detail_url(application)).status_code == 404
    assert (
        client.post(
            reverse("interviews:application_decide", args=[application.pk]),
            {"state": "rejected", "reason": "from outside"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("interviews:application_next_stage", args=[application.pk]),
            {"questions": [question.pk]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("interviews:answer_discussed", args=[session.pk, answer.pk]),
            {"discussed": "1"},
        ).status_code
        == 404
    )
    application.refresh_from_db()
    answer.refresh_from_db()
    assert application.state == "active" and not ApplicationDecision.objects.exists()
    assert CandidateSession.objects.filter(application=application).count() == 2
    assert answer.discussed_live_at is None


# -- decision ----------------------------------------------------------------------------------


def test_recording_a_decision_from_the_page(client, session, interviewer, recruiter):
    rate_all(session, interviewer, 3)
    client.force_login(recruiter)
    url = reverse("interviews:application_decide", args=[session.application.pk])
    refused = client.post(url, {"state": "rejected", "reason": ""}, follow=True)
    assert "Say why, so the decision can be explained later." in refused.content.decode()
    assert not ApplicationDecision.objects.exists()
    response = client.post(url, {"state": "offer", "reason": "Great panel"})
    assert response.status_code == 302 and response["Location"] == detail_url(session.application)
    client.post(url, {"state": "offer", "reason": "Great panel"})  # double submit
    (row,) = ApplicationDecision.objects.all()
    assert (row.state, row.reason, row.decided_by) == ("offer", "Great panel", recruiter)
    body = client.get(detail_url(session.application)).content.decode()
    assert "Offer since" in body and "Great panel" in body


# -- next stage --------------------------------------------------------------------------------


def test_next_stage_creates_a_live_session_of_the_chosen_questions(
    client, session, interviewer, interviewer2, recruiter, org
):
    rate_all(session, interviewer, 3)
    chosen = [QuestionFactory(), QuestionFactory(organization=org)]
    foreign = QuestionFactory(organization=MembershipFactory().organization)
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:application_next_stage", args=[session.application.pk]),
        {"questions": [q.pk for q in chosen] + [foreign.pk], "interviewers": [interviewer2.pk]},
    )
    assert response.status_code == 302
    stage = CandidateSession.objects.exclude(pk=session.pk).get()
    assert response["Location"] == reverse("interviews:session_detail", args=[stage.pk])
    assert stage.application_id == session.application_id
    assert stage.mode == LIVE
    assert list(stage.interviewers.all()) == [interviewer2]
    items = list(stage.items.order_by("order"))
    assert {i.question_id for i in items} == {q.pk for q in chosen}  # never the foreign one
    assert {i.weight for i in items} == {1.0}
    assert stage.role_weights == session.application.role_weights


def test_next_stage_without_a_visible_question_creates_nothing(client, session, recruiter):
    foreign = QuestionFactory(organization=MembershipFactory().organization)
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:application_next_stage", args=[session.application.pk]),
        {"questions": [foreign.pk, "x"]},
        follow=True,
    )
    assert "Pick at least one question for the next stage." in response.content.decode()
    assert CandidateSession.objects.count() == 1


# -- discussed live ----------------------------------------------------------------------------


def test_the_live_panel_marks_a_take_home_answer_discussed_live(
    client, session, interviewer, interviewer2, recruiter, take_home_for
):
    """``session`` is the live stage (ivan and ines); the take-home was rated by ines."""
    stage = take_home_for(session, [interviewer2])
    rate_all(stage, interviewer2, 3)
    answer = Answer.objects.filter(item__session=stage).order_by("item__order").first()
    application = session.application
    application.refresh_from_db()
    before = application.result
    url = reverse("interviews:answer_discussed", args=[session.pk, answer.pk])

    client.force_login(interviewer)
    page = client.get(reverse("interviews:scorecard", args=[session.pk])).content.decode()
    assert url in page and "Mark as discussed live" in page
    response = client.post(url, {"discussed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:scorecard", args=[session.pk])
    answer.refresh_from_db()
    assert answer.discussed_live_at is not None and answer.discussed_live_by == interviewer
    application.refresh_from_db()
    assert application.result["competencies"] != before["competencies"]
    client.post(url, {"discussed": "0"})
    answer.refresh_from_db()
    assert answer.discussed_live_at is None
    application.refresh_from_db()
    assert application.result["competencies"] == before["competencies"]


def test_only_the_live_stage_panel_may_mark_discussed_live(
    client, session, interviewer, interviewer2, recruiter, org_admin, org, take_home_for
):
    only_take_home = MembershipFactory(organization=org, role="interviewer").user
    stage = take_home_for(session, [only_take_home])
    answer = Answer.objects.filter(item__session=stage).first()
    # A live stage of another candidate's application, with its own panel member.
    other_candidate = services.candidate_create(organization=org, name="O", email="o@example.com")
    other_panel = MembershipFactory(organization=org, role="interviewer").user
    other_live = services.session_create(
        position=session.position, candidate=other_candidate, interviewers=[other_panel]
    )
    attempts = [
        (only_take_home, session.pk),  # not on the live stage
        (only_take_home, stage.pk),  # the take-home itself is not a live stage
        (recruiter, session.pk),  # a manager who is not on the panel
        (org_admin, session.pk),
        (other_panel, other_live.pk),  # a live stage, but of another application
        (other_panel, session.pk),
    ]
    for user, session_pk in attempts:
        client.force_login(user)
        url = reverse("interviews:answer_discussed", args=[session_pk, answer.pk])
        assert client.post(url, {"discussed": "1"}).status_code == 404, (user, session_pk)
    answer.refresh_from_db()
    assert answer.discussed_live_at is None
    # A cancelled take-home's answers cannot be marked either.
    services.session_cancel(session=stage)
    client.force_login(interviewer)
    url = reverse("interviews:answer_discussed", args=[session.pk, answer.pk])
    assert client.post(url, {"discussed": "1"}).status_code == 404
    # GET is not allowed.
    assert client.get(url).status_code == 405


def test_a_cancelled_live_stage_cannot_mark_discussed_live(
    client, session, interviewer, interviewer2, take_home_for
):
    stage = take_home_for(session, [interviewer2])
    answer = Answer.objects.filter(item__session=stage).first()
    services.session_cancel(session=session)
    client.force_login(interviewer)
    url = reverse("interviews:answer_discussed", args=[session.pk, answer.pk])
    assert client.post(url, {"discussed": "1"}).status_code == 404
    answer.refresh_from_db()
    assert answer.discussed_live_at is None


# -- position page -----------------------------------------------------------------------------


def test_position_page_groups_candidates_by_label_not_by_score(client, org, recruiter):
    kit = make_kit(6)
    position = make_position(org, kit)
    panel = [MembershipFactory(organization=org, role="interviewer").user for _ in range(2)]
    for name, value in (("Zed Strong", 4), ("Amy Weak", 1), ("Bob Strong", 4), ("Cat New", None)):
        candidate = services.candidate_create(
            organization=org, name=name, email=f"{name.split()[0].lower()}@example.com"
        )
        session = services.session_create(
            position=position, candidate=candidate, interviewers=panel
        )
        if value is not None:
            for user in panel:
                rate_all(session, user, value)
    client.force_login(recruiter)
    response = client.get(reverse("interviews:position_detail", args=[position.pk]))
    groups = response.context["groups"]
    labels = [g["label"] for g in groups]
    assert labels == ["above_bar", "below_bar", None]
    strong = [r["application"].candidate.name for r in groups[0]["rows"]]
    assert strong == ["Bob Strong", "Zed Strong"]  # by name within a group
    body = response.content.decode()
    assert body.index("Bob Strong") < body.index("Zed Strong") < body.index("Amy Weak")
    assert "Not scored yet (1)" in body and "likely above the bar" in body


# -- query counts ------------------------------------------------------------------------------


def _application_with_stages(org, n: int) -> Application:
    """One application with ``n`` stages (alternating take-home and live), each rated by its
    own interviewer, every take-home answer discussed live."""
    kit = make_kit(4)
    position = make_position(org, kit)
    candidate = services.candidate_create(organization=org, name="Q", email="q@example.com")
    for i in range(n):
        user = MembershipFactory(organization=org, role="interviewer").user
        user.first_name, user.last_name = "Rater", str(i)
        user.save()
        stage = services.session_create(
            position=position,
            candidate=candidate,
            mode=TAKE_HOME if i % 2 else LIVE,
            interviewers=[user],
        )
        rate_all(stage, user, 2 + i % 3, notes=f"note {i}")
        if stage.mode == TAKE_HOME:
            for item in stage.items.all():
                answer = Answer.objects.create(item=item, text="x", saved_at=timezone.now())
                services.answer_mark_discussed_live(answer=answer, by=user)
    return Application.objects.get(candidate=candidate)


@pytest.mark.parametrize("n", [1, 50])
def test_application_detail_query_count_is_constant(
    client, org, recruiter, django_assert_max_num_queries, n
):
    application = _application_with_stages(org, n)
    QuestionFactory.create_batch(3)  # suggestions for next evidence
    client.force_login(recruiter)
    # 17 at 1 stage and at 50 (session, auth and page queries included; one is the ISA-95 map).
    with django_assert_max_num_queries(17):
        response = client.get(detail_url(application))
    assert response.status_code == 200
    assert len(response.context["panels"]) == n
    assert response.context["verdict"].scorecards == n


@pytest.mark.parametrize("n", [1, 50])
def test_position_detail_query_count_is_constant(
    client, org, recruiter, django_assert_max_num_queries, n
):
    kit = make_kit(4)
    position = make_position(org, kit)
    user = MembershipFactory(organization=org, role="interviewer").user
    for i in range(n):
        candidate = services.candidate_create(
            organization=org, name=f"C{i:02d}", email=f"c{i}@example.com"
        )
        session = services.session_create(
            position=position, candidate=candidate, interviewers=[user]
        )
        if i % 3:
            rate_all(session, user, 1 + i % 4)
        if i % 5 == 0:
            services.session_create(position=position, candidate=candidate, mode=TAKE_HOME)
    client.force_login(recruiter)
    # 15 at 1 candidate and at 50 (3 of them list the questions a new live interview can ask;
    # 2 count the page's applications in all and per verdict label).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("interviews:position_detail", args=[position.pk]))
    assert response.status_code == 200
    assert sum(len(g["rows"]) for g in response.context["groups"]) == n
