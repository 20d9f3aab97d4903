"""Bad bank files are refused cleanly, with file and line, in bounded memory; a shipped kit
never overwrites an organization's own kit (issue 13)."""

import resource
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from apps.bank import schema
from apps.bank.importer import BankImportError, import_bank
from apps.bank.models import Kit
from tests.factories import make_kit

BILLION_LAUGHS = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
questions: [*i]
"""
# Few aliases, each doubling: under any alias count limit, still 2**40 nodes once expanded.
DOUBLING = (
    "\n".join(["l0: &l0 [x, x]"] + [f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}]" for n in range(1, 41)])
    + "\nquestions: [*l40]\n"
)


def _one_error(path):
    _bank, errors = schema.load_bank([path])
    assert len(errors) == 1, errors
    (error,) = errors
    assert error.path == str(path)
    return error


def _limit_memory():
    limit = 1024 * 1024 * 1024  # 1 GiB: before the fix, the billion laughs took 3 GB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("text", [BILLION_LAUGHS, DOUBLING], ids=["billion-laughs", "doubling"])
def test_alias_bomb_is_refused_fast_in_bounded_memory(tmp_path, text):
    """Run in a child process with a memory cap, so a regression fails instead of taking the
    machine down."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "apps.bank.schema", str(bomb)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{bomb}:" in result.stderr and "is refused:" in result.stderr
    assert "aliases" in result.stderr


def test_alias_bomb_error_names_file_and_line(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS.lstrip("\n"))
    error = _one_error(bomb)
    assert error.line is not None and "is refused" in error.message


def test_self_referencing_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("questions: &q [*q]\n")
    error = _one_error(path)
    assert error.line == 1 and "refers to itself" in error.message


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_an_error_not_a_recursion_traceback(tmp_path, opener):
    depth = 5000  # past Python's recursion limit in PyYAML's composer
    if opener == "- ":
        depth = 600  # block style: indentation grows with depth
        text = "".join("  " * n + "-\n" for n in range(depth)) + "  " * depth + "x\n"
    else:
        closer = "]" if opener == "[" else "}"
        text = "questions: " + opener * depth + "x" + closer * depth + "\n"
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    error = _one_error(path)
    assert "nested deeper than" in error.message and error.line is not None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("questions:\n  - key: q\n    date: 2026-13-45\n", 3),  # ValueError: month
        ("questions:\n  - key: q\n    date: 2026-02-30\n", 3),  # ValueError: day
    ],
)
def test_values_python_cannot_build_are_errors_with_a_line(tmp_path, text, line):
    path = tmp_path / "value.yaml"
    path.write_text(text)
    error = _one_error(path)
    assert error.line == line and "cannot read" in error.message


def test_oversized_file_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("questions:\n" + "# padding\n" * 200)
    error = _one_error(path)
    assert "larger than 1000 bytes" in error.message


def test_the_shipped_bank_is_within_the_bounds():
    files = sorted((settings.BASE_DIR / "fixtures" / "bank").glob("*.yaml"))
    assert all(f.stat().st_size < schema.MAX_FILE_BYTES for f in files)
    _bank, errors = schema.load_bank(files)
    assert not [e for e in errors if "is refused" in e.message or "larger than" in e.message]


def test_a_few_plain_aliases_still_load(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text(
        textwrap.dedent(
            """
            tracks:
              - &plant {key: plant-x, name: Plant X, description: d}
            """
        )
    )
    _bank, errors = schema.load_bank([path])
    assert not [e for e in errors if "is refused" in e.message]


@pytest.mark.django_db
def test_shipped_kit_key_does_not_overwrite_an_organizations_own_kit(
    org, taxonomy_files, question_yaml, write_yaml
):
    own = make_kit(2, organization=org)
    Kit.objects.filter(pk=own.pk).update(key="plant-test", name="Our own kit")
    kits = write_yaml(
        "kits.yaml",
        """
        kits:
          - key: plant-test
            name: Shipped kit
            track: plant
            level: 2
            take_home: false
            competency_weights: {production_execution: 1.0}
            items:
              - question: pe-dispatch-test
        """,
    )
    with pytest.raises(BankImportError) as exc:
        import_bank([*taxonomy_files, question_yaml(), kits])
    (error,) = exc.value.errors
    assert error.path == str(kits) and error.line == 2
    assert "already used by an organization's own kit" in str(error)
    kit = Kit.objects.get(key="plant-test")
    assert kit.organization == org and kit.name == "Our own kit"
    assert kit.items.count() == 2


def test_a_key_given_twice_in_one_mapping_is_refused_with_its_line(tmp_path):
    """YAML keeps the last of two equal keys silently; the bank refuses it (a review slip
    once turned four critical red flags non-critical this way)."""
    from apps.bank.schema import load_bank

    path = tmp_path / "dup.yaml"
    path.write_text(
        "questions:\n  - key: a-question\n    level: 2\n    level: 3\n", encoding="utf-8"
    )
    _bank, errors = load_bank([path])
    assert any(
        e.line == 4 and "twice" in e.message and "first at line 3" in e.message for e in errors
    ), errors
