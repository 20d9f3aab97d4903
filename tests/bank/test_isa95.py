"""ISA-95 tags on the bank (issue 12): every shipped question carries valid tags, the importer
refuses bad or missing tags with file, line, question and field and writes nothing, tags round
trip through export, and the map counts items per category x activity cell."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.bank import isa95, schema
from apps.bank.importer import BankImportError, export_bank, import_bank
from apps.bank.isa95 import MapItem, Tags, build_map, tag_problems
from apps.bank.models import Question
from apps.bank.services import questions_lock
from tests.conftest import BANK_DIR

# -- the shipped bank --------------------------------------------------------------------------


def _shipped():
    bank, errors = schema.load_bank(sorted(BANK_DIR.glob("*.yaml")))
    assert errors == []
    return bank


def test_every_shipped_question_carries_valid_isa95_tags():
    bank = _shipped()
    untagged = [k for k, q in bank.questions.items() if q.isa95 is None]
    assert untagged == []
    for key, q in bank.questions.items():
        assert tag_problems(q.isa95.tags()) == [], key
    # Every cell family is used somewhere: each category and each activity has questions.
    categories = Counter(c for q in bank.questions.values() for c in q.isa95.categories)
    activities = Counter(a for q in bank.questions.values() for a in q.isa95.activities)
    assert set(categories) == set(isa95.CATEGORIES)
    assert set(activities) == set(isa95.ACTIVITIES)
    assert any(q.isa95.boundary for q in bank.questions.values())


def test_the_four_tagged_files_samples_follow_domain_rules():
    """Spot checks against DOMAIN.md 1.5-1.6 on questions whose subject is unambiguous."""
    q = _shipped().questions
    assert q["pe-dispatching-vs-scheduling"].isa95.activities == [
        "detailed_scheduling",
        "dispatching",
    ]
    assert q["pe-genealogy-forward-backward"].isa95.categories == ["production"]
    assert "tracking" in q["pe-genealogy-forward-backward"].isa95.activities
    assert q["qual-control-vs-spec-limits"].isa95.categories == ["quality"]
    assert q["mnt-maintenance-generic-activities"].isa95.activities == list(isa95.ACTIVITIES)
    assert q["isa-ent-level3-4-information"].isa95.boundary is True
    # Behavioural questions sample no Part 3 activity and say so.
    assert q["pe-bhv-failed-go-live"].isa95.categories == []
    assert q["pe-bhv-failed-go-live"].isa95.outside.startswith("Behavioural")


# -- the rules of one tag set ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "field", "reason"),
    [
        ((["production", "finance"], ["tracking"], False, ""), "categories", "unknown"),
        ((["production"], ["tracking", "analysis"], False, ""), "activities", "unknown"),
        ((["quality", "quality"], ["tracking"], False, ""), "categories", "more than once"),
        ((["quality"], [], False, ""), "activities", "names an activity"),
        (([], ["tracking"], True, ""), "categories", "names a category"),
        (([], [], False, ""), "outside", "say why"),
        ((["quality"], ["tracking"], False, "security"), "outside", "only for"),
        (([], [], True, "security"), "outside", "only for"),
        (([], [], False, "x" * 201), "outside", "at most 200"),
    ],
)
def test_a_bad_tag_set_names_the_field_and_the_reason(tags, field, reason):
    problems = tag_problems(Tags(*tags))
    assert [f for f, _r in problems] == [field]
    assert reason in problems[0][1]


@pytest.mark.parametrize(
    "tags",
    [
        (["production", "quality"], ["dispatching", "tracking"], False, ""),
        ([], [], True, ""),
        (["inventory"], ["tracking"], True, ""),
        ([], [], False, "IEC 62443 zones and conduits"),
    ],
)
def test_good_tag_sets_have_no_problem(tags):
    assert tag_problems(Tags(*tags)) == []


# -- importer ----------------------------------------------------------------------------------

TAGS = "    isa95:\n      categories: [production]\n      activities: [dispatching]\n"


def _retagged(path, tags: str):
    """Rewrite the ``isa95:`` mapping of a ``question_yaml`` file (lines 10-12)."""
    text = path.read_text()
    assert TAGS in text
    path.write_text(text.replace(TAGS, tags))
    return path


def test_importer_refuses_bad_tags_with_file_line_and_field_and_changes_nothing(
    db, taxonomy_files, question_yaml
):
    import_bank([*taxonomy_files, question_yaml()])
    before = sorted(
        Question.objects.values_list("key", "version", "isa95_categories", "isa95_activities")
    )
    bad = _retagged(
        question_yaml("bad.yaml", key="pe-bad-tags"),
        "    isa95:\n      categories: [production, finance]\n      activities: []\n",
    )
    changed = question_yaml("changed.yaml", prompt="A changed prompt that must not land")
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, changed, bad])
    messages = [str(e) for e in exc.value.errors]
    assert f"{bad}:11: question 'pe-bad-tags': isa95.categories: unknown categories" in (
        "\n".join(messages)
    )
    assert any(
        m.startswith(f"{bad}:12: question 'pe-bad-tags': isa95.activities:") for m in messages
    )
    assert "'finance'" in "\n".join(messages)
    after = sorted(
        Question.objects.values_list("key", "version", "isa95_categories", "isa95_activities")
    )
    assert after == before


def test_a_shipped_question_without_tags_is_refused(db, taxonomy_files, question_yaml):
    untagged = _retagged(question_yaml("untagged.yaml", key="pe-untagged"), "")
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, untagged])
    (error,) = exc.value.errors
    assert (error.path, error.line, error.where, error.field) == (
        str(untagged),
        2,
        "question 'pe-untagged'",
        "isa95",
    )
    assert "is required" in error.message
    assert not Question.objects.filter(key="pe-untagged").exists()


def test_tags_are_stored_and_exported_back(db, taxonomy_files, question_yaml, tmp_path):
    import_bank([*taxonomy_files, question_yaml()])
    q = Question.objects.get(key="pe-dispatch-test")
    assert (q.isa95_categories, q.isa95_activities, q.isa95_boundary, q.isa95_outside) == (
        ["production"],
        ["dispatching"],
        False,
        "",
    )
    export_bank(tmp_path / "out")
    bank, errors = schema.load_bank(sorted((tmp_path / "out").glob("*.yaml")))
    assert errors == []
    exported = bank.questions["pe-dispatch-test"].isa95
    assert (exported.categories, exported.activities, exported.boundary) == (
        ["production"],
        ["dispatching"],
        False,
    )


def test_correcting_the_tags_of_a_used_question_makes_no_new_version(
    db, taxonomy_files, question_yaml, write_yaml
):
    """Sessions froze their own copy of the tags, so a tag fix does not version the question."""
    import_bank([*taxonomy_files, question_yaml()])
    questions_lock(question_ids=list(Question.objects.values_list("pk", flat=True)))
    retagged = question_yaml("retagged.yaml")
    retagged.write_text(
        retagged.read_text().replace(
            "activities: [dispatching]", "activities: [dispatching, tracking]\n      boundary: true"
        )
    )
    report = import_bank([*taxonomy_files, retagged])
    assert report.updated == ["pe-dispatch-test"] and report.versioned == []
    q = Question.objects.get(key="pe-dispatch-test")
    assert (q.version, q.isa95_activities, q.isa95_boundary) == (
        1,
        ["dispatching", "tracking"],
        True,
    )
    # A change of content with it still versions the question, as before.
    edited = write_yaml(
        "edited.yaml",
        retagged.read_text().replace("How do you dispatch", "How do you really dispatch"),
    )
    assert import_bank([*taxonomy_files, edited]).versioned == ["pe-dispatch-test"]


# -- the map -----------------------------------------------------------------------------------


def test_the_map_counts_every_category_activity_pair_and_averages_ratings():
    items = [
        MapItem(Tags(("production", "quality"), ("dispatching", "tracking")), 3.0),
        MapItem(Tags(("production",), ("dispatching",)), 1.0),
        MapItem(Tags(("production",), ("dispatching",)), None),  # asked, not rated
        MapItem(Tags((), (), True), 2.5),
        MapItem(Tags((), (), False, "OT security"), 4.0),
        MapItem(Tags(), 2.0),  # an organization's own question nobody tagged
    ]
    grid = build_map(items)
    assert [key for key, _name, _cells in grid.rows] == list(isa95.CATEGORIES)
    cell = grid.cell("production", "dispatching")
    assert (cell.count, cell.rated, cell.mean) == (3, 2, 2.0)
    assert (grid.cell("quality", "tracking").count, grid.cell("quality", "tracking").mean) == (1, 3)
    assert grid.cell("maintenance", "dispatching").probed is False
    assert grid.cell("maintenance", "dispatching").mean is None
    assert (grid.boundary.count, grid.boundary.mean) == (1, 2.5)
    assert (grid.outside.count, grid.untagged.count, grid.items) == (1, 1, 6)
    assert grid.probed_cells == 4  # production x {dispatching, tracking}, quality x both
