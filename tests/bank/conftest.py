import textwrap
from pathlib import Path

import pytest

from tests.conftest import BANK_DIR

QUESTION = """
questions:
  - key: {key}
    competency: production_execution
    track: plant
    level: 2
    kind: oral
    status: published
    expected_minutes: 8
    sources: [S12]
    isa95:
      categories: [production]
      activities: [dispatching]
    prompt: {prompt}
    guidance: Listen for dispatching as a Level 3 activity that follows the detailed schedule.
    key_points:
      - Issues work orders to the line
      - Assigns local resources
      - Reports status and problems back to scheduling
    follow_ups:
      - What do you do when a machine breaks down mid-order?
    red_flags:
      - text: Places MES at Level 4
        critical: true
    rubric:
      - key: accuracy
        label: Dispatching
        weight: 1
        anchors:
          0: Cannot say what dispatching is.
          1: Says "the MES dispatches" without saying what it sends.
          2: Describes releasing orders but not resource assignment or feedback.
          3: Describes release, resource assignment and status feedback at their plant.
          4: Adds how dispatching tells scheduling when the plan becomes infeasible.
"""


@pytest.fixture
def taxonomy_files():
    return [BANK_DIR / "taxonomy.yaml", BANK_DIR / "sources.yaml"]


@pytest.fixture
def write_yaml(tmp_path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def question_yaml(write_yaml):
    def make(name="q.yaml", key="pe-dispatch-test", prompt="How do you dispatch at your plant?"):
        return write_yaml(name, QUESTION.format(key=key, prompt=prompt))

    return make
