import pytest
from django.urls import reverse

from apps.interviews import selectors, services
from apps.interviews.models import Position
from tests.factories import CandidateSessionFactory, MembershipFactory, make_kit

from .conftest import rate_all

pytestmark = pytest.mark.django_db


# -- blind until submitted --------------------------------------------------------------------


def test_interviewer_cannot_see_other_scorecards_before_submitting(
    client, session, interviewer, interviewer2, org
):
    rate_all(session, interviewer2, 4, notes="SECRET-NOTE-OF-INES", recommendation="strong_yes")
    client.force_login(interviewer)
    page = client.get(reverse("interviews:scorecard", args=[session.pk]))
    assert page.status_code == 200
    assert b"SECRET-NOTE-OF-INES" not in page.content
    assert client.get(reverse("interviews:debrief", args=[session.pk])).status_code == 404
    assert client.get(reverse("interviews:report", args=[session.pk])).status_code == 404
    # Query level: the selector returns only the interviewer's own scorecard.
    visible = selectors.scorecards_visible(interviewer, org, session)
    assert {sc.interviewer for sc in visible} <= {interviewer}


def test_after_submitting_the_interviewer_sees_the_debrief(
    client, session, interviewer, interviewer2, org
):
    rate_all(session, interviewer2, 4, notes="SECRET-NOTE-OF-INES", recommendation="strong_yes")
    rate_all(session, interviewer, 3)
    client.force_login(interviewer)
    page = client.get(reverse("interviews:debrief", args=[session.pk]))
    assert page.status_code == 200
    assert b"SECRET-NOTE-OF-INES" in page.content and b"Strong yes" in page.content
    visible = selectors.scorecards_visible(interviewer, org, session)
    assert {sc.interviewer for sc in visible} == {interviewer, interviewer2}


def test_debrief_shows_label_and_band_first(client, session, interviewer, interviewer2, recruiter):
    rate_all(session, interviewer, 3)
    rate_all(session, interviewer2, 4)
    session.refresh_from_db()
    client.force_login(recruiter)
    body = client.get(reverse("interviews:debrief", args=[session.pk])).content.decode()
    low, high = session.result["band"]
    assert f"{low}&ndash;{high}" in body
    assert body.index("Decision:") < body.index(f"Score {session.result['score']}")
    assert "<svg" in body and "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    report = client.get(reverse("interviews:report", args=[session.pk]))
    assert report.status_code == 200 and b"Candidate report" in report.content


# -- scorecard page ---------------------------------------------------------------------------


def test_scorecard_form_shows_anchor_text_as_choices(client, session, interviewer):
    client.force_login(interviewer)
    body = client.get(reverse("interviews:scorecard", args=[session.pk])).content.decode()
    item = session.items.first()
    assert f'name="r-{item.pk}-depth" value="3"' in body
    assert f"depth 3 of {item.question_key}" in body


def test_submit_with_missing_ratings_points_at_them_and_keeps_input(client, session, interviewer):
    client.force_login(interviewer)
    item = session.items.first()
    url = reverse("interviews:scorecard", args=[session.pk])
    response = client.post(
        url, {f"r-{item.pk}-accuracy": "2", f"n-{item.pk}": "typed notes", "submit": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Question 1: rate \u201cDepth\u201d before submitting." in body
    assert "typed notes" in client.get(url).content.decode()


def test_full_form_submit_locks_and_double_submit_is_harmless(client, session, interviewer):
    client.force_login(interviewer)
    url = reverse("interviews:scorecard", args=[session.pk])
    data = {"recommendation": "yes", "submit": "1"}
    for item in session.items.all():
        for crit in item.rubric:
            data[f"r-{item.pk}-{crit['key']}"] = "3"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code in (200, 302)
    card = session.scorecards.get(interviewer=interviewer)
    assert card.is_submitted
    page = client.get(url).content.decode()
    assert "read-only" in page and "<fieldset disabled>" in page


def test_autosave_saves_one_field(client, session, interviewer):
    client.force_login(interviewer)
    item = session.items.first()
    response = client.post(
        reverse("interviews:autosave", args=[session.pk]), {f"r-{item.pk}-depth": "4"}
    )
    assert response.status_code == 200 and b"Draft saved" in response.content
    card = session.scorecards.get(interviewer=interviewer)
    assert card.ratings.get(item=item, criterion_key="depth").value == 4


def test_autosave_after_submit_is_refused(client, session, interviewer):
    rate_all(session, interviewer, 3)
    client.force_login(interviewer)
    item = session.items.first()
    response = client.post(
        reverse("interviews:autosave", args=[session.pk]), {f"r-{item.pk}-depth": "0"}
    )
    assert response.status_code == 409 and b"read-only" in response.content


# -- roles and tenant walls -------------------------------------------------------------------


def test_interviewer_sees_only_assigned_sessions(client, session, org):
    other = MembershipFactory(organization=org, role="interviewer").user
    client.force_login(other)
    assert client.get(reverse("interviews:scorecard", args=[session.pk])).status_code == 404
    assert client.get(reverse("interviews:session_detail", args=[session.pk])).status_code == 404
    assert client.get(reverse("interviews:position_list")).status_code == 404
    mine = client.get(reverse("interviews:my_sessions"))
    assert list(mine.context["rows"]) == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("interviews:position_detail", "position"),
        ("interviews:position_edit", "position"),
        ("interviews:candidate_detail", "candidate"),
        ("interviews:session_detail", "session"),
        ("interviews:scorecard", "session"),
        ("interviews:interview_mode", "session"),
        ("interviews:interview_prep", "session"),
        ("interviews:session_questions_preview", "position"),
        ("interviews:debrief", "session"),
        ("interviews:report", "session"),
    ],
)
def test_other_tenants_rows_are_404(client, outsider, session, name, kind):
    target = {"position": session.position, "candidate": session.candidate, "session": session}
    client.force_login(outsider)
    assert client.get(reverse(name, args=[target[kind].pk])).status_code == 404


def test_other_tenants_session_cannot_be_written(client, outsider, session):
    client.force_login(outsider)
    assert client.post(reverse("interviews:session_cancel", args=[session.pk])).status_code == 404
    assert (
        client.post(
            reverse("interviews:session_create", args=[session.position.pk]),
            {"candidate": session.candidate.pk, "mode": "live"},
        ).status_code
        == 404
    )
    session.refresh_from_db()
    assert session.status != "cancelled"


def test_correction_page_is_admin_only(client, session, interviewer, recruiter, org_admin):
    card = rate_all(session, interviewer, 2)
    url = reverse("interviews:scorecard_correct", args=[session.pk, card.pk])
    client.force_login(recruiter)
    assert client.get(url).status_code == 404
    client.force_login(org_admin)
    item = session.items.first()
    response = client.post(url, {f"r-{item.pk}-accuracy": "4", "reason": "Mis-click"})
    assert response.status_code == 302
    assert card.corrections.get().new_value == "4"


# -- role brief and candidates ----------------------------------------------------------------


def test_position_form_rejects_weights_not_adding_up(client, recruiter, kit):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:position_create"),
        {
            "client_company": "Contoso",
            "title": "MES Engineer",
            "track": kit.track.pk,
            "level": kit.level.pk,
            "job_description": "Shop floor dispatching.",
            "w_production_execution": "60",
            "w_quality_operations": "30",
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "add up to 100%; they add up to 90.0%" in response.content.decode()
    assert Position.objects.count() == 0


def test_position_form_suggests_the_kit_and_saves_the_brief_check(client, recruiter, kit):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:position_create"),
        {
            "client_company": "Contoso",
            "title": "MES Engineer",
            "track": kit.track.pk,
            "level": kit.level.pk,
            "job_description": "Own work orders, dispatching and genealogy on the shop floor.",
            "save": "1",
        },
    )
    position = Position.objects.get()
    assert response["Location"] == reverse("interviews:position_detail", args=[position.pk])
    assert position.kit == kit
    assert position.competency_weights == kit.competency_weights
    assert position.brief_check["reading"] in {"plant", "unclear", "mixed", "enterprise"}


def test_candidate_form_shows_the_duplicate(client, recruiter, candidate):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:candidate_create"), {"name": "Dup", "email": "PRIYA@example.com"}
    )
    assert response.status_code == 200
    assert response.context["duplicate"] == candidate


# -- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_scorecard_page_query_count_is_constant(client, django_assert_max_num_queries, n):
    session = CandidateSessionFactory(n_items=n)
    user = MembershipFactory(organization=session.organization, role="interviewer").user
    session.interviewers.add(user)
    rate_all(session, user, 3)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("interviews:scorecard", args=[session.pk]))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_debrief_query_count_is_constant(client, django_assert_max_num_queries, n):
    session = CandidateSessionFactory(n_items=n)
    org = session.organization
    for _ in range(2):
        user = MembershipFactory(organization=org, role="interviewer").user
        session.interviewers.add(user)
        rate_all(session, user, 3)
    manager = MembershipFactory(organization=org, role="recruiter").user
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("interviews:debrief", args=[session.pk]))
    assert response.status_code == 200 and len(response.context["scorecards"]) == 2


def test_make_kit_helper_has_weights():
    assert sum(make_kit(2).competency_weights.values()) == pytest.approx(1)


def test_services_module_exposes_brief_check(db):
    check = services.brief_check_run(title="MES Engineer", description="")
    assert check["reading"] == "unclear"


def test_recruiter_assigns_interviewers_later(client, session, recruiter, org):
    newcomer = MembershipFactory(organization=org, role="interviewer").user
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:session_assign", args=[session.pk]), {"interviewers": [newcomer.pk]}
    )
    assert response.status_code == 302
    assert newcomer in session.interviewers.all()


def test_assigning_is_walled(client, session, outsider, other_org):
    stranger = MembershipFactory(organization=other_org, role="interviewer").user
    client.force_login(outsider)
    url = reverse("interviews:session_assign", args=[session.pk])
    assert client.post(url, {"interviewers": [stranger.pk]}).status_code == 404
    assert stranger not in session.interviewers.all()


def test_correction_with_a_bad_rating_is_refused_and_records_nothing(
    client, session, interviewer, org_admin
):
    card = rate_all(session, interviewer, 2)
    item = session.items.first()
    client.force_login(org_admin)
    response = client.post(
        reverse("interviews:scorecard_correct", args=[session.pk, card.pk]),
        {f"r-{item.pk}-accuracy": "7", "reason": "typo"},
    )
    assert response.status_code == 200
    assert "Choose one of the anchors" in response.content.decode()
    assert card.corrections.count() == 0


def test_scorecard_admin_shows_history_read_only(client, session, interviewer):
    from tests.factories import UserFactory

    card = rate_all(session, interviewer, 3)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    body = client.get(reverse("admin:interviews_scorecard_change", args=[card.pk])).content
    assert b"accuracy" in body and b'name="ratings-0-value"' not in body


def test_interviewer_choices_follow_the_role_in_this_organization(org, other_org):
    from apps.interviews.forms import SessionForm

    both = MembershipFactory(organization=org, role="interviewer").user
    MembershipFactory(organization=other_org, role="recruiter", user=both)
    only_recruiter = MembershipFactory(organization=org, role="recruiter").user
    choices = set(SessionForm(organization=org).fields["interviewers"].queryset)
    assert both in choices and only_recruiter not in choices


def test_an_admin_on_the_panel_is_blind_until_submitting(client, org, session, interviewer):
    """Blindness is a rule about panel members, whatever their role (issue 13)."""
    from apps.accounts.models import Role

    admin = MembershipFactory(organization=org, role=Role.ADMIN, user__username="ada-panel").user
    session.interviewers.add(admin)
    rate_all(session, interviewer, 3)
    client.force_login(admin)
    assert client.get(reverse("interviews:debrief", args=[session.pk])).status_code == 404
    card = session.scorecards.get(interviewer=interviewer)
    correct = reverse("interviews:scorecard_correct", args=[session.pk, card.pk])
    assert client.get(correct).status_code == 404
    assert (
        client.get(
            reverse("interviews:application_detail", args=[session.application_id])
        ).status_code
        == 404
    )
    rate_all(session, admin, 3)
    assert client.get(reverse("interviews:debrief", args=[session.pk])).status_code == 200
    assert client.get(correct).status_code == 200


def test_nobody_corrects_or_reads_a_draft_scorecard(client, org_admin, session, interviewer):
    draft = services.scorecard_for(session=session, interviewer=interviewer)
    client.force_login(org_admin)
    url = reverse("interviews:scorecard_correct", args=[session.pk, draft.pk])
    assert client.get(url).status_code == 404
