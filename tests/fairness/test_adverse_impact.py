"""The adverse-impact report against hand-computed data, and the walls around self-reports."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.bank.models import Kit
from apps.fairness import services
from apps.fairness.models import SelfReport
from apps.fairness.report import adverse_impact_report
from apps.interviews import services as interview_services
from apps.interviews.models import (
    Application,
    ApplicationDecision,
    CandidateSession,
    PositionStage,
)
from tests.factories import make_kit, make_position
from tests.takehome.conftest import submit

pytestmark = pytest.mark.django_db


def _position(org, title="MES Engineer"):
    return make_position(org, make_kit(2), title=title)


def _application(org, position, n, *, state=Application.State.ACTIVE):
    candidate = interview_services.candidate_create(
        organization=org, name=f"Person {position.pk}-{n}", email=f"p{position.pk}-{n}@example.com"
    )
    return Application.objects.create(
        organization=org,
        candidate=candidate,
        position=position,
        role_track="plant",
        role_level=2,
        state=state,
    )


def _cohort(org, position, group, *, hired, of, dimension="sex"):
    """``of`` applications whose candidates report ``group``; ``hired`` of them hired."""
    apps = []
    for i in range(of):
        state = Application.State.HIRED if i < hired else Application.State.REJECTED
        app = _application(org, position, f"{group}-{i}", state=state)
        services.record(candidate=app.candidate, answers={dimension: group})
        apps.append(app)
    return apps


def _step(steps, name, dimension="sex"):
    return next(s for s in steps if s.name == name and s.dimension == dimension)


def test_exactly_four_fifths_is_not_adverse_impact(org):
    # 2 of 6 against 5 of 12: exactly 4/5, which floating point computes as 0.7999999999999999.
    position = _position(org)
    _cohort(org, position, "female", hired=2, of=6)
    _cohort(org, position, "male", hired=5, of=12)
    hired = _step(adverse_impact_report(org), "Hired")
    rows = {r.label: r for r in hired.rows}
    assert (rows["Female"].selected, rows["Female"].applicants) == (2, 6)
    assert (rows["Male"].selected, rows["Male"].applicants) == (5, 12)
    assert str(rows["Female"].ratio) == "4/5"
    assert rows["Female"].adverse_impact is False
    assert rows["Male"].highest is True


def test_below_four_fifths_is_flagged(org):
    # 2 of 7 against 5 of 12: (2/7) / (5/12) = 24/35 = 0.686.
    position = _position(org)
    _cohort(org, position, "female", hired=2, of=7)
    _cohort(org, position, "male", hired=5, of=12)
    rows = {r.label: r for r in _step(adverse_impact_report(org), "Hired").rows}
    assert str(rows["Female"].ratio) == "24/35"
    assert rows["Female"].adverse_impact is True
    assert rows["Male"].adverse_impact is False


def test_small_groups_are_suppressed_and_left_out_of_the_comparison(org):
    position = _position(org)
    _cohort(org, position, "female", hired=1, of=6)
    _cohort(org, position, "male", hired=3, of=6)
    _cohort(org, position, "another", hired=4, of=4)  # the highest rate, but only 4 people
    rows = {r.label: r for r in _step(adverse_impact_report(org), "Hired").rows}
    assert rows["Another / non-binary"].suppressed is True
    assert rows["Another / non-binary"].applicants is None
    # Compared with the male group (3/6), not with the suppressed 4/4.
    assert str(rows["Female"].ratio) == "1/3"
    assert rows["Male"].highest is True


def test_unanswered_and_prefer_not_are_counted_apart(org):
    position = _position(org)
    _cohort(org, position, "female", hired=3, of=5)
    _cohort(org, position, "male", hired=3, of=5)
    _cohort(org, position, "prefer_not_to_say", hired=0, of=3)
    _application(org, position, "silent", state=Application.State.HIRED)
    step = _step(adverse_impact_report(org), "Hired")
    assert step.not_reported == 4
    assert {r.label for r in step.rows} == {"Female", "Male"}


def test_decisions_form_a_ladder_and_history_counts(org):
    # An offer counts as advanced; a rejected application that was once advanced counts too.
    position = _position(org)
    apps = _cohort(org, position, "female", hired=0, of=5)
    for app in apps[:2]:
        ApplicationDecision.objects.create(application=app, state=Application.State.ADVANCED)
    Application.objects.filter(pk=apps[2].pk).update(state=Application.State.OFFER)
    rows = {r.label: r for r in _step(adverse_impact_report(org), "Advanced").rows}
    assert (rows["Female"].selected, rows["Female"].applicants) == (3, 5)
    rows = {r.label: r for r in _step(adverse_impact_report(org), "Offer").rows}
    assert rows["Female"].selected == 1


def test_a_stage_selects_those_who_went_further(org):
    position = _position(org)
    kit = Kit.objects.get(pk=position.kit_id)
    screen = PositionStage.objects.create(position=position, order=0, name="Screen", kit=kit)
    final = PositionStage.objects.create(position=position, order=1, name="Final", kit=kit)
    apps = _cohort(org, position, "female", hired=0, of=5) + _cohort(
        org, position, "male", hired=0, of=5
    )
    for i, app in enumerate(apps):
        stages = [screen, final] if i in (0, 5, 6, 7) else [screen]
        for stage in stages:
            CandidateSession.objects.create(
                organization=org, candidate=app.candidate, position=position, application=app,
                stage=stage, role_track="plant", role_level=2, kit_key=kit.key,
            )  # fmt: skip
    step = _step(adverse_impact_report(org), f"{position.title}: stage 1, Screen")
    rows = {r.label: r for r in step.rows}
    assert (rows["Female"].selected, rows["Female"].applicants) == (1, 5)
    assert (rows["Male"].selected, rows["Male"].applicants) == (3, 5)
    assert str(rows["Female"].ratio) == "1/3"
    assert rows["Female"].adverse_impact is True


def test_the_page_reads_the_exact_boundary_in_words(client, org, org_admin):
    position = _position(org)
    _cohort(org, position, "female", hired=2, of=6)
    _cohort(org, position, "male", hired=5, of=12)
    client.force_login(org_admin)
    response = client.get("/fairness/")
    assert response.status_code == 200
    html = response.content.decode()
    hired = html[html.index("Decision: Hired") :]
    hired = hired[: hired.index("</table>")]
    assert "0.80" in hired and "0.80 or above" in hired
    assert "evidence of adverse impact</strong>" not in hired


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_admins_see_the_report(client, org, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/fairness/").status_code == 404


def test_another_tenant_sees_none_of_it_and_its_positions_are_404(client, org, outsider):
    position = _position(org)
    _cohort(org, position, "female", hired=2, of=6)
    client.force_login(outsider)
    response = client.get("/fairness/")
    assert response.status_code == 200
    assert "Female" not in response.content.decode()
    assert client.get(f"/fairness/?position={position.pk}").status_code == 404


def test_the_report_costs_the_same_queries_at_any_size(
    client, org, org_admin, django_assert_max_num_queries
):
    client.force_login(org_admin)
    position = _position(org)
    _cohort(org, position, "female", hired=1, of=5)
    with django_assert_max_num_queries(12):
        assert client.get("/fairness/").status_code == 200
    for n in range(6):
        _cohort(org, _position(org, f"Role {n}"), "male", hired=2, of=8, dimension="sex")
    with django_assert_max_num_queries(12):
        assert client.get("/fairness/").status_code == 200


# -- the candidate's voluntary answers ---------------------------------------------------------


def _collecting(org):
    org.collects_self_reported_groups = True
    org.save(update_fields=["collects_self_reported_groups"])


def test_a_candidate_answers_after_submitting_and_nobody_else_sees_it(
    started, org, recruiter, interviewer
):
    candidate_client, created = started
    _collecting(org)
    assert candidate_client.get("/takehome/about-you/").status_code == 404  # not submitted yet
    submit(candidate_client, created)
    receipt = candidate_client.get("/takehome/receipt/").content.decode()
    assert "/takehome/about-you/" in receipt
    page = candidate_client.get("/takehome/about-you/")
    assert page.status_code == 200 and "voluntary" in page.content.decode()
    response = candidate_client.post(
        "/takehome/about-you/", {"sex": "female", "ethnicity": "asian", "age": ""}
    )
    assert response.status_code == 302
    candidate = created.invitation.session.candidate
    assert dict(
        SelfReport.objects.filter(candidate=candidate).values_list("dimension", "value")
    ) == {"sex": "female", "ethnicity": "asian"}
    # Evaluators' pages never show it.
    session = created.invitation.session
    for user in (recruiter, interviewer):
        staff = Client()
        staff.force_login(user)
        for url in (
            f"/interviews/candidates/{candidate.pk}/",
            f"/interviews/sessions/{session.pk}/",
            f"/interviews/applications/{session.application_id}/",
        ):
            html = staff.get(url).content.decode()
            assert not re.search(r"\bAsian\b|\bFemale\b", html), (user, url)


def test_a_bad_answer_is_a_400_and_saves_nothing(started, org):
    candidate_client, created = started
    _collecting(org)
    submit(candidate_client, created)
    response = candidate_client.post(
        "/takehome/about-you/", {"sex": "martian", "ethnicity": "asian"}
    )
    assert response.status_code == 400
    assert "martian" in response.content.decode() or "valid choice" in response.content.decode()
    assert not SelfReport.objects.exists()


def test_organizations_that_do_not_collect_never_ask(started, org):
    candidate_client, created = started
    submit(candidate_client, created)
    assert "/takehome/about-you/" not in candidate_client.get("/takehome/receipt/").content.decode()
    assert candidate_client.get("/takehome/about-you/").status_code == 404


def test_forget_deletes_a_candidates_answers_only(org):
    position = _position(org)
    a, b = _cohort(org, position, "female", hired=0, of=2)
    assert services.forget(a.candidate) == 1
    assert list(SelfReport.objects.values_list("candidate_id", flat=True)) == [b.candidate_id]


def test_unknown_dimensions_and_values_are_refused(org):
    position = _position(org)
    (app,) = _cohort(org, position, "female", hired=0, of=1)
    with pytest.raises(ValueError, match="martian"):
        services.record(candidate=app.candidate, answers={"sex": "martian"})
    with pytest.raises(ValueError, match="not a question"):
        services.record(candidate=app.candidate, answers={"religion": "x"})
    assert SelfReport.objects.get(candidate=app.candidate).value == "female"
