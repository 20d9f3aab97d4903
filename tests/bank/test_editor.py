"""An organization's own questions: create, edit (in place or as a new version), publish,
retire and export them, with the importer's validation and tenant walls (issue 14)."""

import pytest
from django.urls import reverse

from apps.bank import authoring, editor, importer, schema
from apps.bank.models import Anchor, Criterion, KitItem, Question, Source
from apps.interviews import services as interview_services
from apps.interviews.models import SessionItem
from tests.conftest import BANK_DIR
from tests.factories import (
    CompetencyFactory,
    KitItemFactory,
    LevelFactory,
    QuestionFactory,
    TrackFactory,
    make_kit,
    make_position,
)
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db

ANCHORS = {
    0: "Cannot say what dispatching is.",
    1: "Says the MES dispatches without saying what it sends.",
    2: "Describes releasing orders but not resource assignment.",
    3: "Describes release, resource assignment and status feedback.",
    4: "Adds how dispatching tells scheduling when the plan is infeasible.",
}


@pytest.fixture
def taxonomy(db):
    """The taxonomy rows a question refers to (as the shipped bank names them)."""
    plant = TrackFactory(key="plant")
    TrackFactory(key="enterprise")
    LevelFactory(number=2)
    CompetencyFactory().tracks.add(plant)
    Source.objects.create(tag="S12", title="ISA-95 Part 3")
    return plant


def form_data(key="dispatch", **changes):
    data = {
        "key": key,
        "prompt": "How do you dispatch work orders at your plant?",
        "guidance": "Listen for dispatching as a Level 3 activity.",
        "competency": "production_execution",
        "track": "plant",
        "level": "2",
        "kind": "oral",
        "expected_minutes": "8",
        "key_points": "Issues work orders\nAssigns local resources\nReports status back",
        "follow_ups": "What happens when a machine breaks down?",
        "red_flags": "! Places MES at Level 4\nNever mentions feedback",
        "sources": "S12",
        "isa95_categories": ["production"],
        "isa95_activities": ["dispatching"],
        "criteria": "2",
        "c0_key": "accuracy",
        "c0_label": "Dispatching",
        "c0_weight": "1",
        **{f"c0_a{r}": text for r, text in ANCHORS.items()},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def question_data(**changes):
    """The YAML shape the editor builds from ``form_data(**changes)``."""
    form = editor.QuestionForm(form_data(**changes), n_criteria=2)
    assert form.is_valid(), form.errors
    return form.schema_data()


def create(client, **changes):
    return client.post(reverse("bank:question_new"), form_data(**changes))


def test_create_with_invalid_data_is_400_with_field_messages_and_writes_nothing(
    client, recruiter, taxonomy
):
    client.force_login(recruiter)
    response = create(
        client,
        c0_a3=None,  # a criterion with four anchors
        key_points="Only one\nand two",  # three to six key points
        c0_weight="0",
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["c0_a3"] == ["String should have at least 1 character"]
    assert "at least 3 items" in errors["key_points"][0]
    assert errors["c0_weight"] == ["Input should be greater than 0"]
    assert "The question was not saved" in response.content.decode()
    assert Question.objects.count() == Criterion.objects.count() == Anchor.objects.count() == 0


def test_create_with_unknown_references_is_400_as_the_importer_says(client, recruiter, taxonomy):
    client.force_login(recruiter)
    response = create(
        client,
        sources="S12 S999",  # an unknown source tag
        isa95_activities=None,  # a category with no activity
        track="enterprise",  # production_execution does not apply to enterprise here
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["sources"] == ["unknown source tag(s) ['S999']"]
    assert errors["isa95_activities"] == ["a question that samples a category names an activity"]
    assert errors["track"] == ["competency 'production_execution' does not apply to 'enterprise'"]
    assert Question.objects.count() == 0


def test_create_writes_a_prefixed_draft_of_the_organization(client, recruiter, org, taxonomy):
    client.force_login(recruiter)
    response = create(client)
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bank:question_detail", args=["acme-dispatch"])
    assert (question.key, question.version, question.status) == ("acme-dispatch", 1, "draft")
    assert question.organization == org
    assert question.red_flags == [
        {"text": "Places MES at Level 4", "critical": True},
        {"text": "Never mentions feedback", "critical": False},
    ]
    assert question.key_points == ["Issues work orders", "Assigns local resources",
                                   "Reports status back"]  # fmt: skip
    assert (question.isa95_categories, question.isa95_activities) == (
        ["production"],
        ["dispatching"],
    )
    criterion = question.criteria.get()
    assert (criterion.key, criterion.label, criterion.weight) == ("accuracy", "Dispatching", 1.0)
    assert {a.rating: a.text for a in criterion.anchors.all()} == ANCHORS


def test_a_double_submit_creates_one_question(client, recruiter, taxonomy):
    client.force_login(recruiter)
    data = {**form_data(), "form_key": "k" * 32}
    first = client.post(reverse("bank:question_new"), data)
    second = client.post(reverse("bank:question_new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Question.objects.count() == 1


def test_a_key_already_used_in_the_bank_is_refused(client, recruiter, taxonomy):
    QuestionFactory(key="acme-dispatch")  # shipped, or another organization's: the same rule
    client.force_login(recruiter)
    response = create(client)
    assert response.status_code == 400
    assert response.context["form"].errors["key"] == [
        "The key \u201cacme-dispatch\u201d is already used in the bank; choose another."
    ]
    assert Question.objects.count() == 1


def test_add_another_criterion_shows_one_more_block_and_saves_nothing(client, recruiter, taxonomy):
    client.force_login(recruiter)
    response = create(client, add_criterion="1", c0_a3=None)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.n_criteria == 3 and not form.errors
    assert "c2_a4" in form.fields and form.initial["c0_a1"] == ANCHORS[1]
    page = response.content.decode()
    assert 'name="c2_a4"' in page and "<legend>ISA-95 categories</legend>" in page
    assert 'value="production"' in page and 'value="3"' in page  # the next POST's count
    assert Question.objects.count() == 0


def test_a_second_criterion_block_is_written_in_order(client, recruiter, taxonomy):
    client.force_login(recruiter)
    extra = {"c1_key": "depth", "c1_label": "Depth", "c1_weight": "2"}
    extra.update({f"c1_a{r}": f"depth {r}" for r in range(5)})
    assert create(client, **extra).status_code == 302
    criteria = list(Question.objects.get().criteria.values_list("key", "weight", "order"))
    assert criteria == [("accuracy", 1.0, 0), ("depth", 2.0, 1)]


def test_edit_of_an_unused_question_changes_it_in_place(client, recruiter, org, taxonomy):
    question = authoring.question_create(organization=org, data=question_data())
    client.force_login(recruiter)
    page = client.get(reverse("bank:question_edit", args=[question.key]))
    assert page.status_code == 200
    assert page.context["form"].initial["red_flags"].startswith("! Places MES at Level 4")
    response = client.post(
        reverse("bank:question_edit", args=[question.key]),
        form_data(key=None, prompt="How do you release work to the line?"),
    )
    assert response.status_code == 302
    edited = Question.objects.get()
    assert (edited.pk, edited.version, edited.prompt) == (
        question.pk,
        1,
        "How do you release work to the line?",
    )
    assert edited.criteria.count() == 1 and Anchor.objects.count() == 5


def test_edit_with_invalid_data_is_400_and_changes_nothing(client, recruiter, org, taxonomy):
    question = authoring.question_create(organization=org, data=question_data())
    client.force_login(recruiter)
    response = client.post(
        reverse("bank:question_edit", args=[question.key]),
        form_data(key=None, prompt="Changed?", c0_weight="0"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["c0_weight"] == ["Input should be greater than 0"]
    assert Question.objects.get().prompt == question.prompt


def _used_question(org, interviewer):
    """A published question of the organization, asked and scored in a past session."""
    kit = make_kit(2, organization=org)
    question = authoring.question_create(organization=org, data=question_data())
    authoring.question_publish(question=question)
    KitItemFactory(kit=kit, question=question, order=5)
    position = make_position(org, kit, job_description="Shop floor MES.")
    candidate = interview_services.candidate_create(
        organization=org, name="Priya N", email="priya@example.com"
    )
    session = interview_services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    rate_all(session, interviewer, value=3)
    session.refresh_from_db()
    return question, session


def test_edit_of_a_used_question_makes_a_new_version_and_the_past_session_is_unchanged(
    client, recruiter, interviewer, org, taxonomy
):
    question, session = _used_question(org, interviewer)
    question.refresh_from_db()
    assert question.locked
    frozen_before = list(SessionItem.objects.filter(session=session).values_list("pk", "frozen_id"))
    result_before = session.result
    client.force_login(recruiter)
    edit = form_data(key=None, prompt="A reworded prompt?", c0_a4="A sharper top anchor.")
    response = client.post(reverse("bank:question_edit", args=[question.key]), edit)
    assert response.status_code == 302
    old, new = Question.objects.filter(key=question.key).order_by("version")
    assert (old.pk, old.version, old.is_latest, old.prompt) == (
        question.pk,
        1,
        False,
        question.prompt,
    )
    assert Anchor.objects.get(criterion__question=old, rating=4).text == ANCHORS[4]
    assert (new.version, new.is_latest, new.locked, new.status) == (2, True, False, "published")
    assert (new.prompt, new.organization_id) == ("A reworded prompt?", org.pk)
    assert KitItem.objects.filter(question=new).count() == 1  # kits follow the new version
    # The past session: same frozen items, same text, and the same score when rescored.
    item = SessionItem.objects.get(session=session, question_key=question.key)
    assert (item.question_version, item.prompt) == (1, question.prompt)
    assert item.rubric[0]["anchors"]["4"] == ANCHORS[4]
    assert list(SessionItem.objects.filter(session=session).values_list("pk", "frozen_id")) == (
        frozen_before
    )
    assert interview_services.session_rescore(session=session)["score"] == result_before["score"]


def test_publish_then_retire_with_a_confirm_step(client, recruiter, interviewer, org, taxonomy):
    question, session = _used_question(org, interviewer)
    client.force_login(recruiter)
    url = reverse("bank:question_retire", args=[question.key])
    ask = client.get(url)
    assert ask.status_code == 200 and "Past interviews keep the copy" in ask.content.decode()
    assert client.post(url).status_code == 400  # no tick: nothing happens
    assert Question.objects.get(pk=question.pk).status == "published"
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    question.refresh_from_db()
    assert question.status == "retired"
    assert not KitItem.objects.filter(question__key=question.key).exists()
    assert SessionItem.objects.filter(session=session, question_key=question.key).count() == 1


def test_publish_makes_a_draft_available(client, recruiter, org, taxonomy):
    question = authoring.question_create(organization=org, data=question_data())
    client.force_login(recruiter)
    page = client.get(reverse("bank:question_detail", args=[question.key])).content.decode()
    assert "Publish" in page and reverse("bank:question_edit", args=[question.key]) in page
    response = client.post(reverse("bank:question_publish", args=[question.key]))
    assert response.status_code == 302
    assert Question.objects.get().status == "published"


def test_export_round_trips_through_the_bank_schema(
    client, org_admin, org, other_org, taxonomy, tmp_path
):
    first = authoring.question_create(organization=org, data=question_data())
    authoring.question_create(
        organization=org,
        data=question_data(key="genealogy", isa95_categories=[], isa95_activities=[],
                       isa95_outside="Asks about people, not an activity."),
    )  # fmt: skip
    authoring.question_create(organization=other_org, data=question_data(key="secret"))
    QuestionFactory(key="shipped-one")
    client.force_login(org_admin)
    response = client.get(reverse("bank:questions_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-questions.yaml"'
    path = tmp_path / "acme.yaml"
    path.write_bytes(response.content)
    bank, errors = schema.load_bank([BANK_DIR / "taxonomy.yaml", BANK_DIR / "sources.yaml", path])
    assert errors == []
    assert sorted(bank.questions) == ["acme-dispatch", "acme-genealogy"]
    stored = Question.objects.prefetch_related("criteria__anchors").get(pk=first.pk)
    assert importer._incoming(bank.questions["acme-dispatch"]) == importer.question_data(stored)


def test_interviewers_get_404_on_every_authoring_page(client, interviewer, org, taxonomy):
    question = authoring.question_create(organization=org, data=question_data())
    client.force_login(interviewer)
    for name, args in [
        ("bank:question_new", []),
        ("bank:questions_export", []),
        ("interviews:item_statistics", []),
        ("bank:question_edit", [question.key]),
        ("bank:question_retire", [question.key]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name in ("bank:question_publish", "bank:question_open_version", "bank:question_retire"):
        assert client.post(reverse(name, args=[question.key])).status_code == 404, name
    assert Question.objects.get().status == "draft"


@pytest.mark.parametrize("owner", ["shipped", "other"])
def test_shipped_and_other_tenants_questions_are_404_on_every_write_page(
    client, recruiter, other_org, taxonomy, owner
):
    question = QuestionFactory(organization=other_org if owner == "other" else None, status="draft")
    client.force_login(recruiter)
    for name in ("bank:question_edit", "bank:question_retire"):
        assert client.get(reverse(name, args=[question.key])).status_code == 404, name
        assert (
            client.post(reverse(name, args=[question.key]), {"confirm": "yes"}).status_code == 404
        )
    for name in ("bank:question_publish", "bank:question_open_version"):
        assert client.post(reverse(name, args=[question.key])).status_code == 404, name
    question.refresh_from_db()
    assert (question.status, question.version, Question.objects.count()) == ("draft", 1, 1)


def test_the_export_has_only_the_tenants_questions(client, outsider, org, taxonomy):
    authoring.question_create(organization=org, data=question_data())
    client.force_login(outsider)
    response = client.get(reverse("bank:questions_export"))
    assert response.status_code == 200
    assert b"acme-dispatch" not in response.content
    assert schema.QuestionIn  # the empty export is still a bank file
    assert response.content.decode().rstrip().endswith("questions: []")


@pytest.mark.parametrize("count", [1, 8])
def test_export_and_edit_pages_cost_constant_queries(
    client, org_admin, org, taxonomy, django_assert_max_num_queries, count
):
    for n in range(count):
        question = authoring.question_create(organization=org, data=question_data(key=f"q{n}"))
    client.force_login(org_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bank:questions_export")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("bank:question_edit", args=[question.key])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bank:question_new")).status_code == 200
