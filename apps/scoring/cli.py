"""`python -m apps.scoring FILE.json`: score an application (or one session) from a JSON file.

`-` reads standard input.

Input:

    {"role": {"track": "enterprise", "level": 4, "weights": {"<competency>": 0.5, ...},
              "bar": 62.5, "panel_size": 2},
     "items": [{"id": "A1", "competency": "...", "track": "plant|enterprise|core", "level": 3,
                "weight": 1.0, "source": "live|take_home", "discussed_live": false,
                "ratings": [3, 4], "critical_flags": 0, "critical_flag_texts": []}, ...],
     "constants": {"tau": 0.15, ...}}

`role.bar` (0-100, default 62.5), `role.panel_size` (default 2), `discussed_live`,
`critical_flags`, `critical_flag_texts` and `constants` are optional. Items sharing an `id` are
pooled (one question asked in two sessions of an application is one item). The result JSON
(`Result.to_dict()`) goes to stdout. Bad input gives one line on stderr naming the item (by id,
or by index when the id itself is bad) and the field, and exit status 2. No Django here, so it
runs without settings or a database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from apps.scoring.engine import Constants, Item, Role, score

EXIT_BAD_INPUT = 2

ITEM_REQUIRED = ("id", "competency", "track", "level", "weight", "source", "ratings")
ITEM_OPTIONAL = ("critical_flags", "critical_flag_texts", "discussed_live")
ROLE_FIELDS = ("track", "level", "weights")
ROLE_OPTIONAL = ("bar", "panel_size")
TOP_LEVEL = ("role", "items", "constants")


class InputError(ValueError):
    """Input the engine cannot score; the message names where and which field."""


def _unknown(data: dict[str, Any], allowed: Sequence[str], where: str) -> None:
    # A misspelt optional field ("critical_flag") would otherwise be silently ignored.
    for key in data:
        if key not in allowed:
            raise InputError(f"{where}, field {key!r}: unknown field")


def parse_role(data: Any) -> Role:
    if not isinstance(data, dict):
        raise InputError("field 'role': must be an object")
    _unknown(data, ROLE_FIELDS + ROLE_OPTIONAL, "role")
    for name in ROLE_FIELDS:
        if name not in data:
            raise InputError(f"role, field {name!r}: missing")
    if not isinstance(data["weights"], dict):
        raise InputError("role, field 'weights': must be an object of competency weights")
    optional: dict[str, Any] = {}
    if "bar" in data:
        bar = data["bar"]
        if isinstance(bar, bool) or not isinstance(bar, int | float):
            raise InputError(f"role, field 'bar': must be a number 0-100, got {bar!r}")
        optional["bar"] = bar / 100  # the file speaks 0..100, the engine 0..1
    if "panel_size" in data:
        optional["panel_size"] = data["panel_size"]
    return Role(track=data["track"], level=data["level"], weights=data["weights"], **optional)


def parse_item(index: int, data: Any) -> Item:
    where = f"items[{index}]"
    if not isinstance(data, dict):
        raise InputError(f"{where}: must be an object")
    item_id = data.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise InputError(f"{where}, field 'id': must be a non-empty string, got {item_id!r}")
    where = f"item {item_id!r}"
    _unknown(data, ITEM_REQUIRED + ITEM_OPTIONAL, where)
    for name in ITEM_REQUIRED:
        if name not in data:
            raise InputError(f"{where}, field {name!r}: missing")
    for name in ("ratings", "critical_flag_texts"):
        if name in data and not isinstance(data[name], list):
            raise InputError(f"{where}, field {name!r}: must be a list")
    return Item(**data)


def parse_input(data: Any) -> tuple[Role, list[Item], Constants]:
    """JSON-shaped input -> the engine's dataclasses; InputError (a ValueError) when bad."""
    if not isinstance(data, dict):
        raise InputError("the input must be a JSON object with 'role' and 'items'")
    _unknown(data, TOP_LEVEL, "input")
    for name in ("role", "items"):
        if name not in data:
            raise InputError(f"field {name!r}: missing")
    try:
        role = parse_role(data["role"])
        if not isinstance(data["items"], list):
            raise InputError("field 'items': must be a list")
        items = [parse_item(i, item) for i, item in enumerate(data["items"])]
        constants = Constants.from_dict(data.get("constants", {}))
    except InputError:
        raise
    except (ValueError, TypeError) as exc:
        # The dataclasses' own messages already name the item (or role, or constant) and field.
        raise InputError(str(exc)) from None
    return role, items, constants


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as f:
        return f.read()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m apps.scoring",
        description="Score an application or one session (SCORING.md v2) and print JSON.",
    )
    parser.add_argument("file", help="input JSON file, or - for standard input")
    args = parser.parse_args(argv)
    name = "<stdin>" if args.file == "-" else args.file

    def fail(message: str) -> int:
        print(f"python -m apps.scoring: {name}: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    try:
        role, items, constants = parse_input(data)
        result = score(role, items, constants)
    except ValueError as exc:
        return fail(str(exc))
    json.dump(result.to_dict(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
