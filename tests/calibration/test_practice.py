"""Practice answers: admins write a reference, members rate blind and only then compare."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.calibration import services
from apps.calibration.models import PracticeAnswer, PracticeRating

from .conftest import question_with

pytestmark = pytest.mark.django_db

NOTE = "Names the ISA-95 boundary but gives no plant example: meets accuracy, not depth."
ANSWER = "MES dispatches work orders at Level 3 and reports back to ERP at Level 4."


@pytest.fixture
def question(org):
    return question_with([("accuracy", 1.0), ("depth", 2.0)], organization=org)


@pytest.fixture
def practice(org, org_admin, question):
    return services.practice_answer_create(
        organization=org,
        question=question,
        answer=ANSWER,
        reference={"accuracy": 3, "depth": 1},
        note=NOTE,
        created_by=org_admin,
    )


def create_url(question) -> str:
    return f"{reverse('calibration:practice_create')}?question={question.key}"


def test_admin_creates_a_practice_answer_once(client, org, org_admin, question):
    client.force_login(org_admin)
    page = client.get(create_url(question))
    assert page.status_code == 200
    assert "accuracy anchor 4" in page.content.decode()  # the anchors, as on a scorecard
    data = {"answer": ANSWER, "note": NOTE, "c-accuracy": "3", "c-depth": "1",
            "form_key": "k" * 24}  # fmt: skip
    first = client.post(create_url(question), data)
    again = client.post(create_url(question), data)  # a double click
    (practice,) = PracticeAnswer.objects.all()
    assert first.status_code == again.status_code == 302
    assert (
        first["Location"]
        == again["Location"]
        == reverse("calibration:practice_detail", args=[practice.pk])
    )
    assert practice.organization == org and practice.question == question
    assert practice.reference == {"accuracy": 3, "depth": 1}
    assert practice.created_by == org_admin
    question.refresh_from_db()
    assert question.locked  # its rubric can no longer change under the reference


def test_every_criterion_needs_a_reference_rating(client, org_admin, question):
    client.force_login(org_admin)
    data = {"answer": ANSWER, "note": NOTE, "c-accuracy": "3", "c-depth": "7"}
    response = client.post(create_url(question), data)
    assert response.status_code == 400
    assert "Rate “Depth” with one of the anchors (0-4)." in response.content.decode()
    del data["c-depth"]
    response = client.post(create_url(question), data)
    assert response.status_code == 400
    assert "Rate “Depth” 0-4." in response.content.decode()
    assert not PracticeAnswer.objects.exists()


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({"accuracy": 3}, "Criterion 'depth': rate it 0-4."),
        ({"accuracy": 3, "depth": 5}, "Criterion 'depth': 5 is not a rating 0-4."),
        ({"accuracy": 3, "depth": True}, "Criterion 'depth': True is not a rating 0-4."),
        ({"accuracy": 3, "depth": 1, "speed": 2}, "Criterion 'speed' is not in this question"),
        ([3, 1], "Give one rating per criterion"),
    ],
)
def test_the_service_refuses_an_incomplete_reference(org, question, reference, message):
    with pytest.raises(ValidationError) as exc:
        services.practice_answer_create(
            organization=org, question=question, answer=ANSWER, reference=reference, note=NOTE
        )
    assert message in str(exc.value.message_dict["reference"])
    assert not PracticeAnswer.objects.exists()


def test_a_shipped_question_can_have_a_practice_answer(client, org_admin):
    shipped = question_with([("accuracy", 1.0)])  # organization NULL
    client.force_login(org_admin)
    data = {"answer": ANSWER, "note": NOTE, "c-accuracy": "2"}
    assert client.post(create_url(shipped), data).status_code == 302
    assert PracticeAnswer.objects.get().question == shipped


def test_another_organizations_question_is_a_404(client, org_admin, other_org):
    theirs = question_with([("accuracy", 1.0)], organization=other_org)
    client.force_login(org_admin)
    assert client.get(create_url(theirs)).status_code == 404
    with pytest.raises(ValidationError):
        services.practice_answer_create(
            organization=org_admin.memberships.get().organization,
            question=theirs,
            answer=ANSWER,
            reference={"accuracy": 1},
            note=NOTE,
        )


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_admins_write_practice_answers(client, request, who, question):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("calibration:practice_create")).status_code == 404
    assert client.get(create_url(question)).status_code == 404


def test_question_page_links_admins_to_a_new_practice_answer(client, org_admin, interviewer):
    question = question_with([("accuracy", 1.0)])
    url = reverse("bank:question_detail", args=[question.key])
    client.force_login(org_admin)
    assert create_url(question) in client.get(url).content.decode()
    client.force_login(interviewer)
    assert "practice answer" not in client.get(url).content.decode()


def test_the_reference_is_hidden_until_the_member_submits(client, interviewer, practice):
    url = reverse("calibration:practice_detail", args=[practice.pk])
    client.force_login(interviewer)
    before = client.get(url).content.decode()
    assert ANSWER in before and "depth anchor 2" in before
    assert NOTE not in before and "Reference" not in before

    refused = client.post(url, {"c-accuracy": "4"})  # depth missing
    assert refused.status_code == 400
    assert NOTE not in refused.content.decode()
    assert "Rate “Depth” 0-4." in refused.content.decode()
    assert not PracticeRating.objects.exists()

    assert client.post(url, {"c-accuracy": "4", "c-depth": "1"}).status_code == 302
    after = client.get(url).content.decode()
    assert NOTE in after
    assert "+1 (you rated higher)" in after and "0 (same)" in after
    rating = PracticeRating.objects.get()
    assert rating.user == interviewer and rating.ratings == {"accuracy": 4, "depth": 1}


def test_rating_again_replaces_the_earlier_rating(client, interviewer, practice):
    url = reverse("calibration:practice_detail", args=[practice.pk])
    client.force_login(interviewer)
    client.post(url, {"c-accuracy": "4", "c-depth": "1"})
    client.post(url, {"c-accuracy": "3", "c-depth": "0"})
    rating = PracticeRating.objects.get()
    assert rating.ratings == {"accuracy": 3, "depth": 0}
    assert "-1 (you rated lower)" in client.get(url).content.decode()


def test_a_members_rating_does_not_reveal_the_reference_to_another(
    client, interviewer, recruiter, practice
):
    services.practice_rating_submit(
        practice_answer=practice, user=recruiter, ratings={"accuracy": 3, "depth": 1}
    )
    client.force_login(interviewer)
    html = client.get(reverse("calibration:practice_detail", args=[practice.pk])).content
    assert NOTE not in html.decode()


def test_another_tenant_gets_404_on_a_practice_answer(client, outsider, practice):
    url = reverse("calibration:practice_detail", args=[practice.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"c-accuracy": "4", "c-depth": "1"}).status_code == 404
    assert ANSWER not in client.get(reverse("calibration:practice_list")).content.decode()
    assert not PracticeRating.objects.exists()


def test_members_list_practice_answers_and_see_which_they_rated(client, interviewer, practice):
    client.force_login(interviewer)
    html = client.get(reverse("calibration:practice_list")).content.decode()
    assert reverse("calibration:practice_detail", args=[practice.pk]) in html
    assert "not rated yet" in html
    services.practice_rating_submit(
        practice_answer=practice, user=interviewer, ratings={"accuracy": 3, "depth": 1}
    )
    assert ">rated<" in client.get(reverse("calibration:practice_list")).content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_practice_pages_do_not_grow_with_rows(
    client, org, interviewer, question, n, django_assert_max_num_queries
):
    for i in range(n):
        last = services.practice_answer_create(
            organization=org, question=question, answer=f"{ANSWER} {i}",
            reference={"accuracy": 3, "depth": 1}, note=NOTE,
        )  # fmt: skip
        services.practice_rating_submit(
            practice_answer=last, user=interviewer, ratings={"accuracy": 2, "depth": 2}
        )
    client.force_login(interviewer)
    client.get(reverse("calibration:practice_list"))  # the session is read and cached once
    with django_assert_max_num_queries(8):
        listed = client.get(reverse("calibration:practice_list"))
    assert listed.content.decode().count(">rated<") == n
    with django_assert_max_num_queries(10):
        detail = client.get(reverse("calibration:practice_detail", args=[last.pk]))
    assert NOTE in detail.content.decode()


def test_an_admin_corrects_a_practice_answer_and_members_compare_against_the_correction(
    client, org_admin, interviewer, practice
):
    detail = reverse("calibration:practice_detail", args=[practice.pk])
    edit = reverse("calibration:practice_edit", args=[practice.pk])
    client.force_login(interviewer)
    client.post(detail, {"c-accuracy": "3", "c-depth": "2"})
    assert edit not in client.get(detail).content.decode()  # members do not edit

    client.force_login(org_admin)
    assert edit in client.get(detail).content.decode()
    page = client.get(edit)
    assert page.status_code == 200 and ANSWER in page.content.decode()
    assert 'value="3" checked' in page.content.decode()  # the stored reference, pre-filled
    refused = client.post(edit, {"answer": ANSWER, "note": NOTE, "c-accuracy": "3"})
    assert refused.status_code == 400 and "Rate “Depth” 0-4." in refused.content.decode()
    practice.refresh_from_db()
    assert practice.reference == {"accuracy": 3, "depth": 1}  # unchanged

    data = {"answer": f"{ANSWER} With OEE.", "note": "Depth met.",
            "c-accuracy": "3", "c-depth": "2"}  # fmt: skip
    assert client.post(edit, data).status_code == 302
    practice.refresh_from_db()
    assert practice.reference == {"accuracy": 3, "depth": 2}
    assert practice.note == "Depth met." and practice.answer.endswith("With OEE.")
    # The audit trail says who corrected the reference, from what to what.
    from apps.audit.models import AuditEntry

    update = AuditEntry.objects.filter(
        content_type__model="practiceanswer", action=AuditEntry.Action.UPDATE
    ).get()
    assert update.actor == org_admin and update.organization == practice.organization
    assert set(update.changes) == {"answer", "reference", "note"}
    client.force_login(interviewer)
    assert "0 (same)" in client.get(detail).content.decode()
    assert "+1 (you rated higher)" not in client.get(detail).content.decode()


def test_an_admin_deletes_a_practice_answer_after_confirming(client, org_admin, practice):
    url = reverse("calibration:practice_delete", args=[practice.pk])
    client.force_login(org_admin)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 400  # not confirmed
    assert PracticeAnswer.objects.filter(pk=practice.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "calibration:practice_list"
    )
    assert not PracticeAnswer.objects.exists() and not PracticeRating.objects.exists()


@pytest.mark.parametrize("who", ["recruiter", "interviewer", "outsider"])
def test_only_the_organizations_admins_edit_or_delete_practice_answers(
    client, request, who, practice
):
    client.force_login(request.getfixturevalue(who))
    for name in ("calibration:practice_edit", "calibration:practice_delete"):
        url = reverse(name, args=[practice.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "yes", "answer": "x"}).status_code == 404
    assert PracticeAnswer.objects.get(pk=practice.pk).answer == ANSWER
