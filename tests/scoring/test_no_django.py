"""The scoring engine is a plain Python library: only apps.py may import Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "apps" / "scoring"


def engine_modules() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("*.py") if path.name != "apps.py")


def test_engine_sources_do_not_import_django() -> None:
    offenders = []
    for path in engine_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_importing_the_engine_loads_no_django() -> None:
    modules = [f"apps.scoring.{p.stem}" for p in engine_modules() if p.stem != "__main__"]
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stdout.strip() == "[]"
