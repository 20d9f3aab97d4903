"""`python -m apps.scoring FILE.json`, run as a user would: in a subprocess from the repo root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

VALID: dict[str, Any] = {
    "role": {"track": "enterprise", "level": 3, "weights": {"isa95": 0.5, "integration": 0.5}},
    "items": [
        {
            "id": "A1",
            "competency": "isa95",
            "track": "enterprise",
            "level": 3,
            "weight": 1.0,
            "source": "live",
            "ratings": [3, 4],
            "critical_flags": 0,
        },
        {
            "id": "A2",
            "competency": "integration",
            "track": "plant",
            "level": 4,
            "weight": 1.0,
            "source": "take_home",
            "ratings": [2],
        },
    ],
}


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apps.scoring", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "session.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_scores_a_file_and_prints_the_result_json(tmp_path: Path) -> None:
    proc = run(write(tmp_path, VALID))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # isa95: y = 3.5/4 = .875, n = 1: theta = .36*.875 + .32 = .635
    # integration: take-home one level up, v = .5*.5 = .25 but alone, so n = 1 still:
    #   y = .5, theta = .36*.5 + .32 = .5
    # C = .5*.635 + .5*.5 = .5675 -> 56.8
    assert out["competencies"]["isa95"]["estimate"] == 63.5
    assert out["competencies"]["integration"]["estimate"] == 50.0
    assert out["score"] == 56.8
    assert out["label"] == "incomplete"
    assert out["constants"]["tau"] == 0.15
    assert proc.stdout.startswith("{\n  ")  # indent 2
    assert proc.stderr == ""


def test_reads_standard_input_with_a_dash() -> None:
    proc = run("-", stdin=json.dumps(VALID))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["scoring_version"]


def test_constants_can_be_overridden() -> None:
    data = {**VALID, "constants": {"tau": 0.2, "level_factor": {"0": 1.0}}}
    proc = run("-", stdin=json.dumps(data))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["constants"]["tau"] == 0.2
    # A2 is one level away and level_factor no longer lists distance 1: excluded.
    assert out["competencies"]["integration"]["n_eff"] == 0
    assert {"kind": "no_evidence", "competency": "integration"} in out["flags"]


def with_item(**changes: object) -> dict[str, Any]:
    item = {**VALID["items"][1], **changes}
    for key in [k for k, v in changes.items() if v is ...]:
        del item[key]
    return {**VALID, "items": [VALID["items"][0], item]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (with_item(ratings=[2, 5]), "item 'A2', field 'ratings': rating 5 is outside 0..4"),
        (with_item(ratings=[-1]), "item 'A2', field 'ratings': rating -1 is outside 0..4"),
        (with_item(ratings="3"), "item 'A2', field 'ratings': must be a list"),
        (with_item(track="mom"), "item 'A2', field 'track'"),
        (with_item(source="email"), "item 'A2', field 'source'"),
        (with_item(level="3"), "item 'A2', field 'level'"),
        (with_item(weight=0), "item 'A2', field 'weight'"),
        (with_item(competency=...), "item 'A2', field 'competency': missing"),
        (with_item(rating=[3]), "item 'A2', field 'rating': unknown field"),
        (with_item(id=...), "items[1], field 'id'"),
        (with_item(id="A1"), "item 'A1', field 'id': duplicate"),
        (
            {**VALID, "role": {**VALID["role"], "weights": {"isa95": 0.5, "integration": 0.4}}},
            "role, field 'weights': competency weights sum to 0.9, not 1",
        ),
        ({**VALID, "role": {**VALID["role"], "track": "core"}}, "role, field 'track'"),
        ({"items": []}, "field 'role': missing"),
        ({**VALID, "constants": {"tau": -1}}, "constants, field 'tau'"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_input_names_the_item_and_field_and_exits_2(
    tmp_path: Path, data: object, expected: str
) -> None:
    proc = run(write(tmp_path, data))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert expected in proc.stderr
    assert proc.stderr.count("\n") == 1  # one line


def test_invalid_json_exits_2() -> None:
    proc = run("-", stdin='{"role": ')
    assert proc.returncode == 2
    assert "invalid JSON" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    proc = run(str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert "missing.json: cannot read" in proc.stderr


def test_the_cli_runs_without_django_settings(tmp_path: Path) -> None:
    # The engine needs no settings or database: a bare environment is enough.
    proc = subprocess.run(
        [sys.executable, "-m", "apps.scoring", write(tmp_path, VALID)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
