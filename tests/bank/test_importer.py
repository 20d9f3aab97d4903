import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from apps.bank import schema
from apps.bank.importer import BankImportError, export_bank, import_bank
from apps.bank.models import Anchor, Criterion, Kit, KitItem, Question
from apps.bank.services import question_new_version, questions_lock

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "questions": sorted(
            Question.objects.values_list("key", "version", "is_latest", "prompt", "updated_at")
        ),
        "criteria": Criterion.objects.count(),
        "anchors": Anchor.objects.count(),
        "kits": sorted(Kit.objects.values_list("key", "updated_at")),
        "items": KitItem.objects.count(),
    }


def test_import_creates_question_with_full_rubric(taxonomy_files, question_yaml):
    report = import_bank([*taxonomy_files, question_yaml()])
    assert report.created == ["pe-dispatch-test"]
    q = Question.objects.get(key="pe-dispatch-test")
    assert (q.version, q.is_latest, q.track.key, q.level_id, q.kind) == (
        1,
        True,
        "plant",
        2,
        "oral",
    )
    assert q.red_flags == [{"text": "Places MES at Level 4", "critical": True}]
    anchors = list(Anchor.objects.filter(criterion__question=q).values_list("rating", flat=True))
    assert anchors == [0, 1, 2, 3, 4]


def test_reimport_changes_nothing(taxonomy_files, question_yaml):
    files = [*taxonomy_files, question_yaml()]
    import_bank(files)
    before = _snapshot()
    report = import_bank(files)
    assert report.created == report.updated == report.versioned == []
    assert report.unchanged == 1
    assert _snapshot() == before


def test_bad_file_reports_every_error_with_location_and_changes_nothing(
    taxonomy_files, question_yaml, write_yaml
):
    import_bank([*taxonomy_files, question_yaml()])
    before = _snapshot()
    bad = write_yaml(
        "bad.yaml",
        """
        questions:
          - key: pe-broken
            competency: production_execution
            track: plant
            level: 2
            kind: interview
            expected_minutes: 8
            sources: [S12]
            prompt: Describe genealogy.
            guidence: typo
            key_points: [one]
            follow_ups: [Why not]
            red_flags: [{text: Wrong}]
            rubric:
              - key: accuracy
                label: Accuracy
                weight: 1
                anchors: {0: a, 1: b, 2: c, 4: e}
        """,
    )
    changed = question_yaml("changed.yaml", prompt="A changed prompt that must not land")
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, changed, bad])
    messages = [str(e) for e in exc.value.errors]
    joined = "\n".join(messages)
    assert f"{bad}:6: question 'pe-broken': kind:" in joined
    assert f"{bad}:10: question 'pe-broken': guidence: Extra inputs are not permitted" in joined
    assert "question 'pe-broken': guidance: Field required" in joined
    assert f"{bad}:11: question 'pe-broken': key_points:" in joined
    assert "missing rating(s) [3]" in joined
    assert len(messages) >= 5
    # The valid change in the other file did not land either: all or nothing.
    assert _snapshot() == before
    assert (
        Question.objects.get(key="pe-dispatch-test").prompt == "How do you dispatch at your plant?"
    )


def test_invalid_yaml_names_file_and_line(taxonomy_files, write_yaml):
    bad = write_yaml("broken.yaml", "questions:\n  - key: x\n    prompt: [unclosed\n")
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, bad])
    (error,) = exc.value.errors
    assert error.path == str(bad) and error.line is not None
    assert "is not valid YAML" in str(error)


def test_unknown_references_are_reported(taxonomy_files, write_yaml, question_yaml):
    q = question_yaml()
    kits = write_yaml(
        "kits.yaml",
        """
        kits:
          - key: plant-test
            name: Plant test kit
            track: plant
            level: 4
            take_home: true
            competency_weights: {production_execution: 0.5, quality_operations: 0.4}
            items:
              - question: pe-dispatch-test
              - question: no-such-question
        """,
    )
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, q, kits])
    joined = "\n".join(str(e) for e in exc.value.errors)
    assert (
        "competency_weights: Value error, competency weights must sum to 1 (they sum to 0.9000)"
        in joined
    )


def test_kit_rules_between_files(taxonomy_files, write_yaml, question_yaml):
    q = question_yaml()
    kits = write_yaml(
        "kits.yaml",
        """
        kits:
          - key: plant-test
            name: Plant test kit
            track: plant
            level: 4
            take_home: true
            competency_weights: {production_execution: 1.0}
            items:
              - question: pe-dispatch-test
              - question: no-such-question
        """,
    )
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, q, kits])
    joined = "\n".join(str(e) for e in exc.value.errors)
    assert (
        "kit 'plant-test': items.0.question: question 'pe-dispatch-test' is level 2, too far"
        in joined
    )
    assert "is oral; take-home kits need written or scenario" in joined
    assert "items.1.question: unknown question 'no-such-question'" in joined


def test_duplicate_keys_across_files_name_both_places(taxonomy_files, question_yaml):
    a = question_yaml("a.yaml")
    b = question_yaml("b.yaml")
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, a, b])
    (error,) = exc.value.errors
    assert error.path == str(b)
    assert f"duplicate key; first defined at {a}:2" in str(error)


def test_editing_an_unused_question_updates_it_in_place(taxonomy_files, question_yaml):
    import_bank([*taxonomy_files, question_yaml()])
    report = import_bank([*taxonomy_files, question_yaml(prompt="Reworded prompt?")])
    assert report.updated == ["pe-dispatch-test"]
    assert list(Question.objects.values_list("version", "prompt")) == [(1, "Reworded prompt?")]


def test_editing_a_used_question_makes_a_new_version_and_keeps_the_old(
    taxonomy_files, question_yaml, write_yaml
):
    kits = write_yaml(
        "kits.yaml",
        """
        kits:
          - key: plant-l2-test
            name: Plant L2
            track: plant
            level: 2
            competency_weights: {production_execution: 1}
            items: [{question: pe-dispatch-test, weight: 2}]
        """,
    )
    import_bank([*taxonomy_files, question_yaml(), kits])
    old = Question.objects.get(key="pe-dispatch-test")
    questions_lock(question_ids=[old.pk])
    report = import_bank([*taxonomy_files, question_yaml(prompt="Reworded prompt?"), kits])
    assert report.versioned == ["pe-dispatch-test"]
    old.refresh_from_db()
    assert (old.version, old.is_latest, old.prompt) == (
        1,
        False,
        "How do you dispatch at your plant?",
    )
    assert old.criteria.get().anchors.count() == 5
    new = Question.objects.get(key="pe-dispatch-test", is_latest=True)
    assert (new.version, new.prompt, new.locked) == (2, "Reworded prompt?", False)
    assert KitItem.objects.get().question == new


def test_new_version_service_copies_rubric_as_draft(taxonomy_files, question_yaml):
    import_bank([*taxonomy_files, question_yaml()])
    old = Question.objects.get()
    questions_lock(question_ids=[old.pk])
    new = question_new_version(question=old)
    assert (new.version, new.status, new.locked) == (2, "draft", False)
    assert [a.text for a in new.criteria.get().anchors.all()] == [
        a.text for a in old.criteria.get().anchors.all()
    ]
    with pytest.raises(ValueError, match="not the latest"):
        question_new_version(question=old)


def test_export_round_trip_is_lossless(shipped_bank, tmp_path):
    from tests.conftest import BANK_DIR

    export_bank(tmp_path)
    original, errors = schema.load_bank(sorted(BANK_DIR.glob("*.yaml")))
    assert errors == []
    exported, errors = schema.load_bank(sorted(Path(tmp_path).glob("*.yaml")))
    assert errors == []
    for section in ("tracks", "levels", "competencies", "sources", "questions", "kits"):
        assert getattr(exported, section) == getattr(original, section), section
    # Importing the export back changes nothing.
    before = _snapshot()
    assert import_bank(sorted(Path(tmp_path).glob("*.yaml"))).unchanged == len(original.questions)
    assert _snapshot() == before


def test_export_files_are_plain_yaml(shipped_bank, tmp_path):
    call_command("export_bank", str(tmp_path), stdout=io.StringIO())
    data = yaml.safe_load((tmp_path / "kits.yaml").read_text())
    assert {k["key"] for k in data["kits"]} == set(Kit.objects.values_list("key", flat=True))


def test_import_command_lists_errors_and_fails(taxonomy_files, write_yaml):
    bad = write_yaml("bad.yaml", "questions: {}\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_bank", *map(str, taxonomy_files), str(bad), stderr=err)
    assert f"{bad}:1: file: questions: must be a list" in err.getvalue()
    assert Question.objects.count() == 0


def test_import_command_reports_time(taxonomy_files, question_yaml):
    out = io.StringIO()
    call_command("import_bank", *map(str, taxonomy_files), str(question_yaml()), stdout=out)
    assert "Imported 3 file(s) in" in out.getvalue()
    assert "1 created" in out.getvalue()
