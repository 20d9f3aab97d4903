"""The kit builder: an organization builds its own kits (new or copied), adds questions from the
bank, removes and reorders them, and reads the rule warnings and the plan preview."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.bank import services
from apps.bank.models import Kit, KitItem, Plan, PlanStage, Question
from tests.factories import (
    CompetencyFactory,
    KitFactory,
    KitItemFactory,
    LevelFactory,
    MembershipFactory,
    QuestionFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

WEIGHTS = {"production_execution": 0.5, "quality_operations": 0.5}
PANEL = ["plant-1", "plant-2", "plant-3", "ent-1", "ent-2", "ent-3"]


@pytest.fixture
def bank():
    """A small shipped bank: plant and enterprise questions at L2, a screen and a panel kit
    (3 plant + 3 enterprise items each) and the plant L2 plan that chains them."""
    plant, enterprise = TrackFactory(key="plant"), TrackFactory(key="enterprise")
    for number in (1, 3):
        LevelFactory(number=number)
    l2 = LevelFactory(number=2)
    pe = CompetencyFactory()
    qual = CompetencyFactory(key="quality_operations", name="Quality", isa95_area="quality")

    def q(key, track, minutes=8, kind=Question.Kind.ORAL, competency=None, level=l2):
        return QuestionFactory(
            key=key, track=track, level=level, kind=kind, expected_minutes=minutes,
            competency=competency or (pe if track == plant else qual),
            prompt=f"Question {key}: how does it work at your plant?",
        )  # fmt: skip

    questions = {
        **{f"plant-{n}": q(f"plant-{n}", plant) for n in range(1, 6)},
        **{f"ent-{n}": q(f"ent-{n}", enterprise) for n in range(1, 6)},
        "core-1": q("core-1", None, competency=qual),
        # A head-on MES-versus-MOM question (kit_rules.HEAD_ON_KEYS), which live kits need
        # from L2 up.
        "isa-mes-vs-mom-terms": q("isa-mes-vs-mom-terms", None, minutes=6, competency=pe),
        "plant-written": q("plant-written", plant, kind=Question.Kind.WRITTEN, minutes=30),
    }

    def kit(key, keys, take_home=False):
        k = KitFactory(
            key=key, name=key.replace("-", " ").title(), track=plant, level=l2,
            take_home=take_home, competency_weights=WEIGHTS,
        )  # fmt: skip
        for order, name in enumerate(keys):
            KitItemFactory(kit=k, question=questions[name], order=order)
        return k

    panel = kit("plant-l2-panel", [*PANEL, "isa-mes-vs-mom-terms"])
    screen = kit("plant-l2-screen", ["plant-4", "plant-5", "ent-4", "ent-5"])
    plan = Plan.objects.create(
        key="plant-l2", name="MES Engineer (plant), L2", track=plant, level=l2,
        competency_weights=WEIGHTS,
    )  # fmt: skip
    PlanStage.objects.create(plan=plan, order=0, name="Technical screen", kit=screen)
    PlanStage.objects.create(plan=plan, order=1, name="Panel", kit=panel, panel_size=2)
    return {"questions": questions, "panel": panel, "screen": screen, "plan": plan}


@pytest.fixture
def rita(client, recruiter):
    client.force_login(recruiter)
    return client


def own_kit(org, bank, keys=("plant-1", "ent-1"), key="acme-kit"):
    kit = services.kit_copy(organization=org, source=bank["panel"], key=key, name="Acme kit")
    kit.items.all().delete()
    for order, name in enumerate(keys):
        KitItem.objects.create(kit=kit, question=bank["questions"][name], order=order)
    return kit


def item_keys(kit):
    return list(kit.items.order_by("order").values_list("question__key", flat=True))


def edit_url(kit):
    return reverse("bank:kit_edit", args=[kit.key])


# -- create, copy, add, remove, reorder -----------------------------------------------------


def test_recruiter_creates_a_kit_with_percent_weights(rita, org, bank):
    response = rita.post(
        reverse("bank:kit_new"),
        {
            "name": "Our plant panel", "key": "our-plant-panel", "track": bank["plan"].track_id,
            "level": 2, "description": "", "w_production_execution": "60",
            "w_quality_operations": "40",
        },
    )  # fmt: skip
    kit = Kit.objects.get(key="our-plant-panel")
    assert response.status_code == 302 and response["Location"] == edit_url(kit)
    assert kit.organization == org and not kit.take_home
    assert kit.competency_weights == pytest.approx(
        {"production_execution": 0.6, "quality_operations": 0.4}
    )


def test_weights_that_do_not_add_up_to_100_are_refused(rita, bank):
    response = rita.post(
        reverse("bank:kit_new"),
        {"name": "Bad", "key": "bad-kit", "track": bank["plan"].track_id, "level": 2,
         "w_production_execution": "60", "w_quality_operations": "30"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "must add up to 100%; they add up to 90.0%" in response.content.decode()
    assert not Kit.objects.filter(key="bad-kit").exists()


def test_a_kit_key_must_be_free(rita, bank):
    response = rita.post(
        reverse("bank:kit_new"),
        {"name": "Clash", "key": "plant-l2-panel", "track": bank["plan"].track_id, "level": 2},
    )
    assert "This key is already taken" in response.content.decode()
    response = rita.post(
        reverse("bank:kit_new"),
        {"name": "New", "key": "new", "track": bank["plan"].track_id, "level": 2},
    )
    assert "is reserved" in response.content.decode()


def test_copying_a_shipped_kit_copies_items_in_order(rita, org, bank):
    panel = bank["panel"]
    form = rita.get(reverse("bank:kit_copy", args=[panel.key]))
    assert form.context["form"].initial["key"] == "plant-l2-panel-acme"
    response = rita.post(
        reverse("bank:kit_copy", args=[panel.key]), {"name": "Acme panel", "key": "acme-panel"}
    )
    copy = Kit.objects.get(key="acme-panel")
    assert response["Location"] == edit_url(copy)
    assert (copy.organization, copy.track, copy.level) == (org, panel.track, panel.level)
    assert copy.competency_weights == panel.competency_weights
    assert item_keys(copy) == item_keys(panel)
    # The shipped kit is untouched and still shipped.
    panel.refresh_from_db()
    assert panel.organization is None and panel.items.count() == 7


def test_copying_an_own_kit(rita, org, bank):
    mine = own_kit(org, bank)
    rita.post(reverse("bank:kit_copy", args=[mine.key]), {"name": "Again", "key": "again"})
    assert item_keys(Kit.objects.get(key="again", organization=org)) == ["plant-1", "ent-1"]


def test_add_remove_and_reorder_through_the_builder(rita, org, bank):
    kit = own_kit(org, bank)
    add = reverse("bank:kit_item_add", args=[kit.key])
    response = rita.post(add, {"question": "ent-2", "track": "enterprise", "q": "ent"})
    # Back to the builder with the filters the recruiter had.
    assert response["Location"] == f"{edit_url(kit)}?q=ent&track=enterprise#bank"
    rita.post(add, {"question": "core-1"})
    assert item_keys(kit) == ["plant-1", "ent-1", "ent-2", "core-1"]

    def act(key, action, **extra):
        item = kit.items.get(question__key=key)
        url = reverse("bank:kit_item_change", args=[kit.key, item.pk])
        return rita.post(url, {"action": action, **extra})

    act("core-1", "up")
    assert item_keys(kit) == ["plant-1", "ent-1", "core-1", "ent-2"]
    act("plant-1", "down")
    assert item_keys(kit) == ["ent-1", "plant-1", "core-1", "ent-2"]
    act("ent-1", "up")  # already first: stays
    act("ent-2", "down")  # already last: stays
    assert item_keys(kit) == ["ent-1", "plant-1", "core-1", "ent-2"]
    act("plant-1", "remove")
    assert item_keys(kit) == ["ent-1", "core-1", "ent-2"]
    assert list(kit.items.order_by("order").values_list("order", flat=True)) == [0, 1, 2]
    act("core-1", "weight", weight="1.5")
    assert kit.items.get(question__key="core-1").weight == 1.5
    body = rita.get(edit_url(kit)).content.decode()
    assert body.index("item-ent-1") < body.index("item-core-1") < body.index("item-ent-2")


def test_a_question_is_added_only_once_and_only_if_published(rita, org, bank):
    kit = own_kit(org, bank)
    add = reverse("bank:kit_item_add", args=[kit.key])
    response = rita.post(add, {"question": "plant-1"}, follow=True)
    assert "This question is already in the kit." in response.content.decode()
    QuestionFactory(key="a-draft", status=Question.Status.DRAFT)
    assert rita.post(add, {"question": "a-draft"}).status_code == 404
    assert item_keys(kit) == ["plant-1", "ent-1"]


def test_the_builder_lists_bank_questions_with_filters(rita, org, bank):
    kit = own_kit(org, bank)
    response = rita.get(edit_url(kit), {"track": "enterprise", "kind": "oral"})
    keys = {q.key for q in response.context["page"]}
    assert keys == {f"ent-{n}" for n in range(1, 6)} | {"core-1", "isa-mes-vs-mom-terms"}
    body = response.content.decode()
    assert 'aria-label="Add ent-2"' in body and 'aria-label="Add ent-1"' not in body
    assert "In the kit" in body
    assert {q.key for q in rita.get(edit_url(kit), {"q": "plant-writ"}).context["page"]} == {
        "plant-written"
    }
    QuestionFactory(key="draft-q", status=Question.Status.DRAFT)
    assert "draft-q" not in {q.key for q in rita.get(edit_url(kit)).context["page"]}


def test_settings_are_saved(rita, org, bank):
    kit = own_kit(org, bank)
    response = rita.post(
        edit_url(kit),
        {"name": "Renamed", "key": "acme-renamed", "track": kit.track_id, "level": 3,
         "w_production_execution": "100", "save": "1"},
    )  # fmt: skip
    kit.refresh_from_db()
    assert response["Location"] == reverse("bank:kit_edit", args=["acme-renamed"])
    assert (kit.name, kit.key, kit.level_id) == ("Renamed", "acme-renamed", 3)
    assert kit.competency_weights == {"production_execution": 1.0}


def test_refused_settings_leave_the_kit_as_it_was(rita, org, bank):
    kit = own_kit(org, bank)
    response = rita.post(
        edit_url(kit),
        {"name": "Renamed", "key": "plant-l2-panel", "track": kit.track_id, "level": 2,
         "w_production_execution": "100", "save": "1"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and "This key is already taken" in body
    assert response.context["kit"].key == "acme-kit"
    assert reverse("bank:kit_item_add", args=["acme-kit"]) in body
    kit.refresh_from_db()
    assert (kit.key, kit.name) == ("acme-kit", "Acme kit")


def test_a_weight_must_be_positive(rita, org, bank):
    kit = own_kit(org, bank)
    item = kit.items.get(question__key="plant-1")
    url = reverse("bank:kit_item_change", args=[kit.key, item.pk])
    response = rita.post(url, {"action": "weight", "weight": "0"}, follow=True)
    assert "Ensure this value is greater than or equal to 0.1." in response.content.decode()
    with pytest.raises(ValidationError, match="more than 0"):
        services.kit_item_weight_set(item=item, weight=0)
    item.refresh_from_db()
    assert item.weight == 1.0


# -- warnings and preview -------------------------------------------------------------------


def test_warnings_for_a_kit_that_breaks_the_rules(rita, org, bank):
    kit = own_kit(org, bank, keys=["plant-1", "ent-1", "ent-2", "ent-3", "plant-written"])
    body = rita.get(edit_url(kit)).content.decode()
    assert "This kit breaks" in body
    # Too long for a live interview (4 x 8 + 30 minutes), a written question, too few plant.
    assert "A live interview is at most 60 expected minutes; this one is 62." in body
    assert "A live kit holds oral and scenario questions only: plant-written (written)." in body
    assert "Track fit needs at least 3 plant items within 1 level of L2; the kit has 2." in body
    assert "Expected time: <strong>62 minutes</strong> for 5 questions" in body
    assert "plant <strong>2</strong> · enterprise <strong>3</strong>" in body
    assert "L2 &times; 5" in body


def test_a_kit_that_meets_the_rules_says_so(rita, org, bank):
    kit = own_kit(org, bank, keys=[*PANEL, "isa-mes-vs-mom-terms"])
    body = rita.get(edit_url(kit)).content.decode()
    assert "This kit meets the kit rules." in body


def test_preview_runs_the_suggested_plan_with_this_kit_in_the_panel_stage(rita, org, bank):
    keys = ["plant-1", "plant-2", "plant-4", "ent-1", "ent-2", "ent-3"]  # one swapped in
    kit = own_kit(org, bank, keys=keys)
    response = rita.get(edit_url(kit))
    ctx = response.context
    assert ctx["plan"] == bank["plan"] and ctx["stage"] == 1  # the panel: most shared questions
    stages = ctx["preview"]["stages"]
    assert [(s["name"], s["kit"], s["panel_size"]) for s in stages] == [
        ("Technical screen", "plant-l2-screen", 1),
        ("Panel", "acme-kit", 2),
    ]
    body = response.content.decode()
    assert "What the plan can decide with this kit" in body
    assert "likely above the bar" in body and "Track fit decidable: <strong>" in body
    assert "with this kit in place of its stage <strong>Panel</strong>" in body
    # Choosing the screen instead.
    response = rita.get(edit_url(kit), {"stage": "0"})
    assert [s["kit"] for s in response.context["preview"]["stages"]] == [
        "acme-kit",
        "plant-l2-panel",
    ]


def test_without_a_plan_the_preview_runs_the_kit_alone(rita, org, bank):
    kit = own_kit(org, bank)
    kit.level_id = 3
    kit.save()
    response = rita.get(edit_url(kit))
    assert response.context["plan"] is None
    assert [s["kit"] for s in response.context["preview"]["stages"]] == ["acme-kit"]
    body = response.content.decode()
    assert "as a one-stage plan" in body and "likely above the bar" in body


def test_a_new_kit_without_weights_takes_the_plans(rita, org, bank):
    track = bank["plan"].track_id
    rita.post(reverse("bank:kit_new"), {"name": "E", "key": "e", "track": track, "level": 2})
    kit = Kit.objects.get(key="e")
    assert kit.competency_weights == WEIGHTS and kit.items.count() == 0
    response = rita.get(edit_url(kit))
    assert response.status_code == 200
    assert "The kit has no questions." in response.content.decode()
    # No plan at L3: the weights must be given.
    response = rita.post(
        reverse("bank:kit_new"), {"name": "F", "key": "f", "track": track, "level": 3}
    )
    assert "Enter the competency weights" in response.content.decode()
    assert not Kit.objects.filter(key="f").exists()


def test_a_take_home_kit_is_checked_as_a_take_home(rita, org, bank):
    kit = own_kit(org, bank, keys=["plant-written"])
    kit.take_home = True
    kit.save()
    response = rita.get(edit_url(kit))
    body = response.content.decode()
    assert "A take-home runs about 90 minutes (75-105); this one is 30." in body
    # The fixture's plan has no take-home stage: the kit is previewed alone, rated by one.
    assert [(s["mode"], s["panel_size"]) for s in response.context["preview"]["stages"]] == [
        ("take_home", 1)
    ]


# -- tenancy and roles ----------------------------------------------------------------------


def builder_requests(kit, item):
    """Every builder URL for ``kit``: (method, url, data)."""
    return [
        ("get", reverse("bank:kit_edit", args=[kit.key]), {}),
        ("post", reverse("bank:kit_edit", args=[kit.key]), {"name": "x", "key": "x-1"}),
        ("get", reverse("bank:kit_copy", args=[kit.key]), {}),
        ("post", reverse("bank:kit_copy", args=[kit.key]), {"name": "x", "key": "x-2"}),
        ("post", reverse("bank:kit_item_add", args=[kit.key]), {"question": "core-1"}),
        ("post", reverse("bank:kit_item_change", args=[kit.key, item.pk]), {"action": "remove"}),
    ]


def test_another_organizations_kit_is_404_on_every_builder_url(client, outsider, org, bank):
    kit = own_kit(org, bank)
    client.force_login(outsider)
    for method, url, data in builder_requests(kit, kit.items.first()):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert item_keys(kit) == ["plant-1", "ent-1"]
    assert not Kit.objects.filter(key__in=["x-1", "x-2"]).exists()


def test_an_item_of_another_kit_is_404(rita, org, other_org, bank):
    mine = own_kit(org, bank)
    theirs = own_kit(other_org, bank, key="rival-kit")
    url = reverse("bank:kit_item_change", args=[mine.key, theirs.items.first().pk])
    assert rita.post(url, {"action": "remove"}).status_code == 404
    assert theirs.items.count() == 2


def test_shipped_kits_cannot_be_edited_only_copied(rita, bank):
    panel = bank["panel"]
    edit_only = [r for r in builder_requests(panel, panel.items.first()) if "copy" not in r[1]]
    for method, url, data in edit_only:
        assert getattr(rita, method)(url, data).status_code == 404, (method, url)
    assert rita.get(reverse("bank:kit_copy", args=[panel.key])).status_code == 200
    assert item_keys(panel) == [*PANEL, "isa-mes-vs-mom-terms"]
    with pytest.raises(ValidationError, match="read-only"):
        services.kit_item_remove(item=panel.items.first())


def test_interviewer_cannot_build_kits(client, interviewer, org, bank):
    kit = own_kit(org, bank)
    client.force_login(interviewer)
    assert client.get(reverse("bank:kit_new")).status_code == 404
    for method, url, data in builder_requests(kit, kit.items.first()):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    # ...but still reads kits, without the builder's buttons.
    body = client.get(reverse("bank:kit_detail", args=[kit.key])).content.decode()
    assert "Copy this kit" not in body and "Edit this kit" not in body


def test_admin_builds_kits_too(client, org_admin, org, bank):
    client.force_login(org_admin)
    assert client.get(reverse("bank:kit_new")).status_code == 200
    body = client.get(reverse("bank:kit_detail", args=[bank["panel"].key])).content.decode()
    assert "Copy this kit" in body and "Edit this kit" not in body


def test_the_copy_key_is_free_and_names_the_organization(org, bank):
    first = services.kit_copy_key(organization=org, source=bank["panel"])
    services.kit_copy(organization=org, source=bank["panel"], key=first)
    assert first == "plant-l2-panel-acme"
    assert services.kit_copy_key(organization=org, source=bank["panel"]) == "plant-l2-panel-acme-2"


def test_a_kit_of_another_organization_cannot_be_copied_by_the_service(org, other_org, bank):
    theirs = own_kit(other_org, bank, key="rival-kit")
    with pytest.raises(ValidationError):
        services.kit_copy(organization=org, source=theirs, key="stolen")


# -- query counts ---------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


#: Measured: session user, membership, kit, its items, the weights' competencies, tracks and
#: levels for the forms, the bank page (count + rows), the plan, its stages and their items.
BUILDER_MAX_QUERIES = 17


def test_builder_queries_do_not_grow_with_the_kit(rita, org, bank, django_assert_max_num_queries):
    small = own_kit(org, bank, keys=["plant-1"])
    big = own_kit(org, bank, keys=[], key="acme-big")
    for n in range(30):
        KitItem.objects.create(kit=big, question=QuestionFactory(key=f"many-{n}"), order=n)
    one = count_queries(rita, edit_url(small))
    with django_assert_max_num_queries(one):
        rita.get(edit_url(big))
    assert one <= BUILDER_MAX_QUERIES


def test_builder_queries_do_not_grow_with_the_bank_list(
    rita, org, bank, django_assert_max_num_queries
):
    kit = own_kit(org, bank)
    QuestionFactory(key="needle-0", prompt="Needle question 0")
    one = count_queries(rita, edit_url(kit), {"q": "needle"})
    for n in range(1, 50):
        QuestionFactory(key=f"needle-{n}", prompt=f"Needle question {n}")
    with django_assert_max_num_queries(one):
        response = rita.get(edit_url(kit), {"q": "needle"})
    assert len(response.context["page"]) == 50
    assert one <= BUILDER_MAX_QUERIES


def test_copy_and_item_writes_use_a_constant_number_of_queries(
    rita, org, bank, django_assert_max_num_queries
):
    small = own_kit(org, bank, keys=["plant-1"])
    big = own_kit(org, bank, keys=[], key="acme-big")
    for n in range(30):
        KitItem.objects.create(kit=big, question=QuestionFactory(key=f"many-{n}"), order=n)

    def copy_queries(kit, key):
        with CaptureQueriesContext(connection) as ctx:
            rita.post(reverse("bank:kit_copy", args=[kit.key]), {"name": key, "key": key})
        return len(ctx.captured_queries)

    def move_queries(kit):
        item = kit.items.order_by("order").last()
        url = reverse("bank:kit_item_change", args=[kit.key, item.pk])
        with CaptureQueriesContext(connection) as ctx:
            rita.post(url, {"action": "up"})
        return len(ctx.captured_queries)

    assert copy_queries(big, "big-copy") == copy_queries(small, "small-copy")
    assert move_queries(big) == move_queries(small)


# -- plan_check with an organization's plan -------------------------------------------------


def test_plan_check_takes_an_organization_slug(org, bank):
    plan = Plan.objects.create(
        organization=org, key="ours", name="Ours", track=bank["plan"].track, level_id=2,
        competency_weights=WEIGHTS,
    )  # fmt: skip
    # A screen alone: too few plant items and no head-on question.
    PlanStage.objects.create(plan=plan, name="Screen", kit=bank["screen"], panel_size=1)
    out = io.StringIO()
    with pytest.raises(Exception, match="break a rule") as exc:
        call_command("plan_check", "ours", organization="acme", stdout=out)
    assert exc.type.__name__ == "CommandError"
    assert "ours: Ours (plant, L2)" in out.getvalue()
    with pytest.raises(Exception, match="no such organization: nobody"):
        call_command("plan_check", "ours", organization="nobody", stdout=io.StringIO())


def test_an_interviewer_of_another_organization_gets_404_on_new_kit(client, other_org):
    user = MembershipFactory(organization=other_org, role=Role.INTERVIEWER).user
    client.force_login(user)
    assert client.get(reverse("bank:kit_new")).status_code == 404
