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
    # isa95: y = 3.5/4 = .875, n = 1, k = 2: e = .03095, rho = .0225/.05345 = .420954
    #   theta = .5 + .375*.420954 = .657858, SE^2 = .0225*.579046 = .0130285
    # integration: take-home one level up, v = .5*.5 = .25 but alone, so n = 1 still:
    #   y = .5, k = 1: rho = .363489, theta = .5, SE^2 = .0225*.636511 = .0143215
    # C = .5*.657858 + .5*.5 = .578929 -> 57.9; SE = .5*sqrt(.0273500) = .082689 -> 8.3
    # band = .578929 -/+ .136024 = [.442905, .714953] -> [44.3, 71.5]
    # p_above = Phi((.578929 - .625)/.082689) = Phi(-.557164) = .288709 -> .29
    # next evidence (panel 2: one more item v 1, e .03095):
    #   isa95: two items k 2, SE^2 = .0091689:
    #     V' = .0068375 - .25*.0130285 + .25*.0091689 = .0058724 -> 1.645*.076632 = .126061
    #   integration: (v .25, e .0394) + (v 1, e .03095): err = (.0024625 + .03095)/1.5625
    #     = .021384, rho = .0225/.043884 = .512715, SE^2 = .0109639:
    #     V' = .0068375 - .25*.0143215 + .25*.0109639 = .0059981 -> 1.645*.077447 = .127401
    assert out["competencies"]["isa95"]["estimate"] == 65.8
    assert out["competencies"]["integration"]["estimate"] == 50.0
    assert out["score"] == 57.9
    assert out["se"] == 8.3
    assert out["band"] == [44.3, 71.5]
    assert out["bar"] == 62.5
    assert out["p_above"] == 0.29
    assert out["label"] == "incomplete"
    assert out["next_evidence"] == [
        {"competency": "isa95", "band_halfwidth": 12.6},
        {"competency": "integration", "band_halfwidth": 12.7},
    ]
    assert out["panel_size"] == 2
    assert out["scoring_version"] == "2"
    assert out["constants"]["tau"] == 0.15
    assert out["constants"]["sigma_i"] == 0.15
    assert out["constants"]["sigma_r"] == 0.13
    assert proc.stdout.startswith("{\n  ")  # indent 2
    assert proc.stderr == ""


def test_the_new_optional_fields_bar_panel_size_and_discussed_live(tmp_path: Path) -> None:
    # role.bar 75 (0..100 in the file), panel_size 3; a take-home isa95 item A3 rated 2 and
    # discussed live, so it weighs v = 1 (S = 1, level 3):
    #   isa95: (y .875, v 1, e .03095) + (y .5, v 1, e .0394): m = .6875, n = 2,
    #     err = .0703500/4 = .0175875, rho = .0225/.0400875 = .561272,
    #     theta = .5 + .1875*.561272 = .605239, SE^2 = .0225*.438728 = .0098714
    #   integration as before: theta .5, SE^2 .0143215
    #   C = .552620 -> 55.3; SE = .5*sqrt(.0241929) = .077770 -> 7.8
    #   p_above = Phi((.552620 - .75)/.077770) = Phi(-2.538) = .005574 -> .01
    # next evidence, panel 3 (e .028133):
    #   isa95: three items, err = (.03095 + .0394 + .028133)/9 = .0109426, rho = .672795,
    #     SE^2 = .0073621; V' = .0060482 - .0024679 + .0018405 = .0054209 -> .121116 -> 12.1
    #   integration: (v .25, e .0394) + (v 1, e .028133): err = .0305958/1.5625 = .0195813,
    #     rho = .534679, SE^2 = .0104697; V' = .0060482 - .0035804 + .0026174 = .0050853
    #     -> .117307 -> 11.7
    data = {
        "role": {**VALID["role"], "bar": 75, "panel_size": 3},
        "items": [
            *VALID["items"],
            {
                "id": "A3",
                "competency": "isa95",
                "track": "enterprise",
                "level": 3,
                "weight": 1.0,
                "source": "take_home",
                "discussed_live": True,
                "ratings": [2],
            },
        ],
    }
    proc = run(write(tmp_path, data))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["bar"] == 75.0
    assert out["panel_size"] == 3
    assert out["competencies"]["isa95"] == {
        "observed": 68.8,
        "estimate": 60.5,
        "se": 9.9,
        "n_eff": 2.0,
    }
    assert out["score"] == 55.3
    assert out["se"] == 7.8
    assert out["p_above"] == 0.01
    assert out["next_evidence"] == [
        {"competency": "integration", "band_halfwidth": 11.7},
        {"competency": "isa95", "band_halfwidth": 12.1},
    ]
    # Not discussed live: v = .5, m = (.875 + .25)/1.5 = .75, n = 1.8 (as SCORING.md step 2).
    data["items"][2]["discussed_live"] = False
    out = json.loads(run(write(tmp_path, data)).stdout)
    assert out["competencies"]["isa95"]["observed"] == 75.0
    assert out["competencies"]["isa95"]["n_eff"] == 1.8


def test_items_sharing_an_id_are_pooled(tmp_path: Path) -> None:
    # A1 asked again in a second session, rated 2: one item with ratings [3, 4, 2], k = 3,
    # y = 9/12 = .75, e = .028133, rho = .444371, theta = .611093 -> 61.1; n stays 1.
    # 4 - 2 = 2 -> discrepant.
    again = {**VALID["items"][0], "ratings": [2]}
    proc = run(write(tmp_path, {**VALID, "items": [*VALID["items"], again]}))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["competencies"]["isa95"] == {
        "observed": 75.0,
        "estimate": 61.1,
        "se": 11.2,
        "n_eff": 1.0,
    }
    assert {"kind": "discrepant", "item": "A1", "ratings": [3, 4, 2]} in out["flags"]


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
        (with_item(discussed_live="yes"), "item 'A2', field 'discussed_live': must be true"),
        (with_item(discussed_live=1), "item 'A2', field 'discussed_live'"),
        (
            {**VALID, "role": {**VALID["role"], "bar": "high"}},
            "role, field 'bar': must be a number 0-100, got 'high'",
        ),
        ({**VALID, "role": {**VALID["role"], "bar": True}}, "role, field 'bar'"),
        (
            {**VALID, "role": {**VALID["role"], "bar": 150}},
            "role, field 'bar': must lie in 0..100, got 150",
        ),
        (
            {**VALID, "role": {**VALID["role"], "panel_size": 0}},
            "role, field 'panel_size': must be an integer >= 1, got 0",
        ),
        ({**VALID, "role": {**VALID["role"], "panel_size": "2"}}, "role, field 'panel_size'"),
        ({**VALID, "role": {**VALID["role"], "panel": 2}}, "role, field 'panel': unknown field"),
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
