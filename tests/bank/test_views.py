import pytest
from django.urls import reverse

from apps.bank.models import Question
from tests.factories import KitFactory, KitItemFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("bank:question_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_interviewer_browses_shipped_and_own_questions(client, interviewer, org, other_org):
    shipped = QuestionFactory(prompt="Shipped: how do you dispatch?")
    own = QuestionFactory(organization=org, prompt="Own: how do you track genealogy?")
    foreign = QuestionFactory(organization=other_org, prompt="Foreign: secret question")
    client.force_login(interviewer)
    response = client.get(reverse("bank:question_list"))
    assert response.status_code == 200
    keys = {q.key for q in response.context["page"]}
    assert keys == {shipped.key, own.key}
    assert foreign.key not in response.content.decode()


def test_other_tenants_question_is_404(client, interviewer, other_org):
    foreign = QuestionFactory(organization=other_org)
    client.force_login(interviewer)
    assert client.get(reverse("bank:question_detail", args=[foreign.key])).status_code == 404


def test_other_tenants_kit_is_404(client, interviewer, other_org):
    kit = KitFactory(organization=other_org)
    client.force_login(interviewer)
    assert client.get(reverse("bank:kit_detail", args=[kit.key])).status_code == 404
    assert kit.name not in client.get(reverse("bank:kit_list")).content.decode()


def test_user_without_membership_gets_404(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="pw-for-tests-123")
    client.force_login(user)
    assert client.get(reverse("bank:question_list")).status_code == 404


def test_question_detail_shows_rubric_anchors(client, interviewer):
    q = QuestionFactory()
    client.force_login(interviewer)
    body = client.get(reverse("bank:question_detail", args=[q.key])).content.decode()
    for rating in range(5):
        assert f"anchor {rating} of {q.key}" in body
    assert "Critical:" in body and "Places MES at Level 4" in body


def test_question_detail_shows_latest_version(client, interviewer):
    old = QuestionFactory(key="versioned", prompt="Old wording", is_latest=False)
    QuestionFactory(key="versioned", version=2, prompt="New wording")
    client.force_login(interviewer)
    body = client.get(reverse("bank:question_detail", args=[old.key])).content.decode()
    assert "New wording" in body and "Old wording" not in body


def test_filters_narrow_the_list(client, interviewer):
    from tests.factories import LevelFactory, TrackFactory

    plant_q = QuestionFactory(track=TrackFactory(key="plant"))
    core_q = QuestionFactory(track=None)
    ent_q = QuestionFactory(track=TrackFactory(key="enterprise"), level=LevelFactory(number=3))
    client.force_login(interviewer)

    def keys(**params):
        response = client.get(reverse("bank:question_list"), params)
        return {q.key for q in response.context["page"]}

    assert keys(track="plant") == {plant_q.key, core_q.key}
    assert keys(track="core") == {core_q.key}
    assert keys(level=3) == {ent_q.key}
    assert keys(q=ent_q.prompt[:20]) >= {ent_q.key}
    draft = QuestionFactory(status=Question.Status.DRAFT)
    assert draft.key not in keys()
    assert keys(status="draft") == {draft.key}


@pytest.mark.parametrize("n", [3, 30])
def test_question_list_query_count_is_constant(
    client, interviewer, django_assert_max_num_queries, n
):
    QuestionFactory.create_batch(n)
    client.force_login(interviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("bank:question_list"))
    assert len(response.context["page"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_kit_detail_query_count_is_constant(client, interviewer, django_assert_max_num_queries, n):
    kit = KitFactory()
    KitItemFactory.create_batch(n, kit=kit)
    client.force_login(interviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("bank:kit_detail", args=[kit.key]))
    assert len(response.context["items"]) == n


def test_home_shows_bank_counts(client, interviewer, shipped_bank):
    client.force_login(interviewer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["total"] == Question.objects.filter(status="published", is_latest=True).count()
    assert all(n >= 16 for row in summary["rows"] for n in row["counts"])


def test_kit_pages_render_for_shipped_kits(client, interviewer, shipped_bank):
    from apps.bank.models import Kit

    client.force_login(interviewer)
    kit = Kit.objects.filter(organization__isnull=True).first()
    response = client.get(reverse("bank:kit_detail", args=[kit.key]))
    assert response.status_code == 200
    assert len(response.context["items"]) == kit.items.count() > 0
