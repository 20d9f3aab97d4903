"""The question bank's YAML schema and its cross-file rules.

Pure Python (pydantic + PyYAML, no Django) so that content authors can validate files without a
database: ``python -m apps.bank.schema fixtures/bank/*.yaml``. The importer
(``apps.bank.importer``) uses the same :func:`load_bank` and refuses to write anything while
:func:`load_bank` reports an error.

Every error names the file, the line, the question (or kit) key and the field, and all errors are
collected before any is reported, so an author fixes a file in one pass.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from apps.bank import isa95

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
CORE_TRACK = "core"
RATINGS = (0, 1, 2, 3, 4)
KINDS = ("oral", "written", "scenario")
STATUSES = ("draft", "published", "retired")
ISA95_AREAS = (
    "architecture",
    "production",
    "quality",
    "maintenance",
    "inventory",
    "integration",
    "performance",
    "compliance",
    "security",
    "programme",
)
# Kits draw on the target level and the levels next to it (SCORING.md: items two or more levels
# away carry no weight, so putting them in a kit would waste interview time).
KIT_LEVEL_SPAN = 1

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=KEY_PATTERN, max_length=80)]


class _Strict(BaseModel):
    # Unknown fields are errors: a misspelt `guidence:` must not silently drop the guidance.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackIn(_Strict):
    key: Key
    name: Text
    description: str = ""


class LevelIn(_Strict):
    number: int = Field(ge=1, le=9)
    name: Text


class CompetencyIn(_Strict):
    key: Key
    name: Text
    isa95_area: Literal[ISA95_AREAS]  # type: ignore[valid-type]
    tracks: list[Key] = Field(min_length=1)
    description: str = ""


class SourceIn(_Strict):
    tag: Annotated[str, StringConstraints(pattern=r"^S\d+[a-z]?$")]
    title: Text


class RedFlagIn(_Strict):
    text: Text
    critical: bool = False


class CriterionIn(_Strict):
    key: Key
    label: Text
    weight: float = Field(gt=0, le=100)
    anchors: dict[int, Text]

    @field_validator("anchors")
    @classmethod
    def _all_ratings(cls, anchors: dict[int, str]) -> dict[int, str]:
        missing = [r for r in RATINGS if r not in anchors]
        extra = sorted(r for r in anchors if r not in RATINGS)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing rating(s) {missing}")
            if extra:
                parts.append(f"unknown rating(s) {extra}")
            raise ValueError(f"needs exactly one anchor for each rating 0-4 ({'; '.join(parts)})")
        return {r: anchors[r] for r in RATINGS}


class Isa95In(_Strict):
    """A question's ISA-95 tags (``apps.bank.isa95``). The rules between the fields (fixed
    lists, a category needs an activity, ``outside`` only when nothing else applies) are checked
    by ``isa95.tag_problems`` in :func:`_check_references`, so each error names its field."""

    categories: list[Annotated[str, StringConstraints(strip_whitespace=True)]] = []
    activities: list[Annotated[str, StringConstraints(strip_whitespace=True)]] = []
    boundary: bool = False
    outside: Annotated[str, StringConstraints(strip_whitespace=True)] = ""

    def tags(self) -> isa95.Tags:
        return isa95.Tags(
            categories=tuple(self.categories),
            activities=tuple(self.activities),
            boundary=self.boundary,
            outside=self.outside,
        )


class QuestionIn(_Strict):
    key: Key
    competency: Key
    track: Key
    level: int = Field(ge=1, le=9)
    kind: Literal[KINDS]  # type: ignore[valid-type]
    status: Literal[STATUSES] = "published"  # type: ignore[valid-type]
    expected_minutes: int = Field(ge=1, le=240)
    sources: list[Annotated[str, StringConstraints(strip_whitespace=True)]] = Field(min_length=1)
    prompt: Text
    guidance: Text
    key_points: list[Text] = Field(min_length=3, max_length=6)
    follow_ups: list[Text] = Field(min_length=1)
    red_flags: list[RedFlagIn] = Field(min_length=1)
    rubric: list[CriterionIn] = Field(min_length=1)
    # Required of every shipped question (issue 12; fixtures/bank/README.md, "ISA-95 tags"):
    # None only so that the missing mapping is reported by _check_references with the
    # question's file and line.
    isa95: Isa95In | None = None

    @field_validator("rubric")
    @classmethod
    def _unique_criteria(cls, rubric: list[CriterionIn]) -> list[CriterionIn]:
        dupes = [k for k, n in Counter(c.key for c in rubric).items() if n > 1]
        if dupes:
            raise ValueError(f"criterion keys must be unique within a question: {dupes}")
        return rubric


def weights_sum_to_one(weights: dict[str, float]) -> dict[str, float]:
    """Kit and plan weights: every one positive, summing to 1 (the engine's tolerance)."""
    if any(w <= 0 for w in weights.values()):
        raise ValueError("every competency weight must be positive")
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"competency weights must sum to 1 (they sum to {total:.4f})")
    return weights


class KitItemIn(_Strict):
    question: Key
    weight: float = Field(default=1.0, gt=0, le=100)


class KitIn(_Strict):
    key: Key
    name: Text
    track: Key
    level: int = Field(ge=1, le=9)
    take_home: bool = False
    description: str = ""
    competency_weights: dict[Key, float] = Field(min_length=1)
    items: list[KitItemIn] = Field(min_length=1)

    @field_validator("competency_weights")
    @classmethod
    def _weights_sum_to_one(cls, weights: dict[str, float]) -> dict[str, float]:
        return weights_sum_to_one(weights)

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[KitItemIn]) -> list[KitItemIn]:
        dupes = [k for k, n in Counter(i.question for i in items).items() if n > 1]
        if dupes:
            raise ValueError(f"a question may appear only once in a kit: {dupes}")
        return items


PLAN_MODES = ("live", "take_home")


class PlanStageIn(_Strict):
    name: Text
    kit: Key
    mode: Literal[PLAN_MODES]  # type: ignore[valid-type]
    # How many interviewers rate each item. A take-home is rated by one unless said otherwise.
    interviewers: int = Field(default=1, ge=1, le=10)
    # Unset: the sum of the kit's questions' expected minutes (resolved where it is shown).
    expected_minutes: int | None = Field(default=None, ge=1, le=480)


class PlanIn(_Strict):
    key: Key
    name: Text
    track: Key
    level: int = Field(ge=1, le=9)
    description: str = ""
    competency_weights: dict[Key, float] = Field(min_length=1)
    stages: list[PlanStageIn] = Field(min_length=1)

    @field_validator("competency_weights")
    @classmethod
    def _weights_sum_to_one(cls, weights: dict[str, float]) -> dict[str, float]:
        return weights_sum_to_one(weights)


SECTIONS: dict[str, type[_Strict]] = {
    "tracks": TrackIn,
    "levels": LevelIn,
    "competencies": CompetencyIn,
    "sources": SourceIn,
    "questions": QuestionIn,
    "kits": KitIn,
    "plans": PlanIn,
}
_IDENTITY = {"levels": "number", "sources": "tag"}  # every other section is identified by `key`
_LABEL = {"tracks": "track", "levels": "level", "competencies": "competency",
          "sources": "source", "questions": "question", "kits": "kit",
          "plans": "plan"}  # fmt: skip


@dataclass(frozen=True)
class BankError:
    """One problem, located well enough for an author to fix it without searching."""

    path: str
    line: int | None
    where: str  # "question 'isa-foo'" or "file"
    field: str  # dotted path inside the entry, "" for the entry itself
    message: str

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line else self.path
        fld = f" {self.field}:" if self.field else ""
        return f"{loc}: {self.where}:{fld} {self.message}"


@dataclass
class Bank:
    """Everything the files declare, merged, each entry with the file and line it came from."""

    tracks: dict[str, TrackIn] = field(default_factory=dict)
    levels: dict[int, LevelIn] = field(default_factory=dict)
    competencies: dict[str, CompetencyIn] = field(default_factory=dict)
    sources: dict[str, SourceIn] = field(default_factory=dict)
    questions: dict[str, QuestionIn] = field(default_factory=dict)
    kits: dict[str, KitIn] = field(default_factory=dict)
    plans: dict[str, PlanIn] = field(default_factory=dict)
    origin: dict[tuple[str, Any], tuple[str, int | None]] = field(default_factory=dict)
    # The YAML of each entry as read (with line numbers), so that a cross-entry error can point
    # at the line of the field it is about, not only at the entry.
    raw: dict[tuple[str, Any], Any] = field(default_factory=dict, repr=False, compare=False)


# -- YAML with line numbers -------------------------------------------------------------------


class _LineDict(dict):
    line: int | None = None
    key_lines: dict[Any, int]


class _LineList(list):
    line: int | None = None


# Bounds on what a bank file may cost to read, far above what real content needs (the largest
# shipped file is about 100 kB, nests under 10 levels and uses no alias), so that a hostile or
# broken file is refused quickly with its line instead of exhausting memory or the stack.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_ALIASES = 100
# Nodes after every alias is expanded: what the rest of the loader (and pydantic) will walk.
# A "billion laughs" file is a few hundred bytes that expands to billions of nodes.
MAX_EXPANDED_NODES = 1_000_000


class _Refused(yaml.MarkedYAMLError):
    """A file over one of the bounds above."""


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping, list and mapping key, and refuses
    files that nest too deep or expand too far through aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self.last_mark = None  # the node being constructed, to locate errors that have no mark

    def compose_node(self, parent, index):  # type: ignore[override]
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(problem=f"more than {MAX_ALIASES} aliases", problem_mark=mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self):  # type: ignore[override]
        node = super().compose_document()
        if node is not None and self._aliases:
            _check_expansion(node)
        return node

    def construct_object(self, node, deep=False):  # type: ignore[override]
        self.last_mark = node.start_mark
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        mapping = _LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, _value in node.value:
            try:
                key = self.construct_object(key_node, deep=deep)
            except (yaml.YAMLError, TypeError):
                continue
            try:
                first = mapping.key_lines.get(key)
            except TypeError:  # an unhashable key: PyYAML reports it above
                continue
            if first is not None:
                # YAML keeps the last value silently: a review slip ("critical: true" over an
                # old "critical: false") must be an error, not a quiet change of meaning.
                raise _Refused(
                    problem=f"has the key {key!r} twice (first at line {first})",
                    problem_mark=key_node.start_mark,
                )
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node, deep=False):  # type: ignore[override]
        seq = _LineList(super().construct_sequence(node, deep=deep))
        seq.line = node.start_mark.line + 1
        return seq


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand past MAX_EXPANDED_NODES or refer to themselves.
    Counts each distinct node once (memoised), so the check costs no more than the file."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    # Iterative post-order walk: the depth is bounded already, but no recursion is needed.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_EXPANDED_NODES:
                raise _Refused(
                    problem=f"expands to more than {MAX_EXPANDED_NODES} nodes through aliases",
                    problem_mark=node.start_mark,
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _Refused(problem="an alias refers to itself", problem_mark=node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise _Refused(problem="an alias refers to itself", problem_mark=child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest part of ``loc`` that the YAML still knows about."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, dict):
            line = getattr(node, "key_lines", {}).get(part, line)
            if part not in node:
                break
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        line = getattr(node, "line", None) or line
    return line


def _plain(value: Any) -> Any:
    """Strip the line-number wrappers so pydantic sees ordinary dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- loading ----------------------------------------------------------------------------------


def load_bank(paths: list[str | Path]) -> tuple[Bank, list[BankError]]:
    """Parse and validate every file, then check the references between them.

    Returns the merged bank and the list of every error found; the bank is only fit to import
    when the list is empty.
    """
    bank = Bank()
    errors: list[BankError] = []
    if not paths:
        errors.append(BankError("(no files)", None, "command", "", "name at least one YAML file"))
    for path in paths:
        _load_file(Path(path), bank, errors)
    if not errors or all(e.where != "file" for e in errors):
        errors.extend(_check_references(bank))
    return bank, errors


def _load_file(path: Path, bank: Bank, errors: list[BankError]) -> None:
    name = str(path)
    try:
        # Read at most one byte past the limit: a huge file is refused without loading it.
        with path.open("rb") as handle:
            raw_bytes = handle.read(MAX_FILE_BYTES + 1)
        if len(raw_bytes) > MAX_FILE_BYTES:
            errors.append(
                BankError(name, None, "file", "", f"is larger than {MAX_FILE_BYTES} bytes")
            )
            return
        text = raw_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(BankError(name, None, "file", "", f"cannot be read ({exc})"))
        return
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        errors.append(BankError(name, line, "file", "", f"is refused: {exc.problem}"))
        return
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(BankError(name, line, "file", "", f"is not valid YAML: {problem}"))
        return
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML's constructors let some of these through (an impossible date, for one).
        line = loader.last_mark.line + 1 if loader.last_mark else None
        errors.append(BankError(name, line, "file", "", f"has a value YAML cannot read ({exc})"))
        return
    finally:
        loader.dispose()
    if data is None:
        errors.append(BankError(name, None, "file", "", "is empty"))
        return
    if not isinstance(data, dict):
        errors.append(BankError(name, 1, "file", "", "must be a mapping of sections"))
        return
    unknown = [k for k in data if k not in SECTIONS]
    for key in unknown:
        errors.append(
            BankError(
                name,
                _line_of(data, (key,)),
                "file",
                str(key),
                f"unknown section (expected one of {', '.join(SECTIONS)})",
            )
        )
    for section, model in SECTIONS.items():
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list):
            errors.append(
                BankError(name, _line_of(data, (section,)), "file", section, "must be a list")
            )
            continue
        for index, raw in enumerate(entries):
            _load_entry(name, data, section, model, index, raw, bank, errors)


def _load_entry(
    name: str,
    data: dict,
    section: str,
    model: type[_Strict],
    index: int,
    raw: Any,
    bank: Bank,
    errors: list[BankError],
) -> None:
    ident_field = _IDENTITY.get(section, "key")
    ident = raw.get(ident_field) if isinstance(raw, dict) else None
    where = f"{_LABEL[section]} {ident!r}" if ident is not None else f"{section}[{index}]"
    entry_line = _line_of(data, (section, index))
    if not isinstance(raw, dict):
        errors.append(BankError(name, entry_line, where, "", "must be a mapping"))
        return
    try:
        entry = model.model_validate(_plain(raw))
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            # Pydantic appends the failing validator's name for some errors; keep data paths.
            field_path = ".".join(str(p) for p in loc)
            line = _line_of(raw, loc) or entry_line
            errors.append(BankError(name, line, where, field_path, err["msg"]))
        return
    ident = getattr(entry, ident_field)
    store: dict = getattr(bank, section)
    if ident in store:
        first_path, first_line = bank.origin[(section, ident)]
        errors.append(
            BankError(
                name,
                entry_line,
                where,
                ident_field,
                f"duplicate {ident_field}; first defined at {first_path}:{first_line}",
            )
        )
        return
    store[ident] = entry
    bank.origin[(section, ident)] = (name, entry_line)
    bank.raw[(section, ident)] = raw


def _check_references(bank: Bank) -> list[BankError]:
    """Rules that span entries: every reference resolves, kits fit their track and level."""
    errors: list[BankError] = []

    def err(section: str, ident: Any, field_path: str, message: str) -> None:
        path, line = bank.origin[(section, ident)]
        loc = tuple(int(p) if p.isdigit() else p for p in field_path.split(".") if p)
        line = _line_of(bank.raw.get((section, ident)), loc) or line
        errors.append(BankError(path, line, f"{_LABEL[section]} {ident!r}", field_path, message))

    track_keys = set(bank.tracks)
    for key, comp in bank.competencies.items():
        for track in comp.tracks:
            if track not in track_keys:
                err("competencies", key, "tracks", f"unknown track {track!r}")

    for key, q in bank.questions.items():
        comp = bank.competencies.get(q.competency)
        if comp is None:
            err("questions", key, "competency", f"unknown competency {q.competency!r}")
        if q.track != CORE_TRACK and q.track not in track_keys:
            err("questions", key, "track", f"unknown track {q.track!r} (or 'core')")
        elif comp is not None and q.track != CORE_TRACK and q.track not in comp.tracks:
            err("questions", key, "track", f"competency {comp.key!r} does not apply to {q.track!r}")
        if q.level not in bank.levels:
            err("questions", key, "level", f"unknown level {q.level}")
        unknown = [s for s in q.sources if s not in bank.sources]
        if unknown:
            err("questions", key, "sources", f"unknown source tag(s) {unknown}")
        if q.isa95 is None:
            err("questions", key, "isa95", "is required (ISA-95 categories and activities)")
        else:
            for fld, reason in isa95.tag_problems(q.isa95.tags()):
                err("questions", key, f"isa95.{fld}", reason)

    for key, kit in bank.kits.items():
        if kit.track not in track_keys:
            err("kits", key, "track", f"unknown track {kit.track!r}")
        if kit.level not in bank.levels:
            err("kits", key, "level", f"unknown level {kit.level}")
        for comp_key in kit.competency_weights:
            if comp_key not in bank.competencies:
                err("kits", key, f"competency_weights.{comp_key}", "unknown competency")
        for index, item in enumerate(kit.items):
            q = bank.questions.get(item.question)
            fld = f"items.{index}.question"
            if q is None:
                err("kits", key, fld, f"unknown question {item.question!r}")
                continue
            if q.status != "published":
                err("kits", key, fld, f"question {q.key!r} is {q.status}, not published")
            # Items of the other track are welcome: a live kit needs both tracks for track fit
            # to be decidable (SCORING.md; the rule itself is in apps.bank.kit_rules).
            if q.track != CORE_TRACK and q.track not in track_keys:
                err("kits", key, fld, f"question {q.key!r} is on unknown track {q.track!r}")
            if abs(q.level - kit.level) > KIT_LEVEL_SPAN:
                err(
                    "kits", key, fld, f"question {q.key!r} is level {q.level}, too far from the kit"
                )
            if kit.take_home and q.kind == "oral":
                err(
                    "kits",
                    key,
                    fld,
                    f"question {q.key!r} is oral; take-home kits need written or scenario",
                )
            if q.competency not in kit.competency_weights:
                err(
                    "kits",
                    key,
                    fld,
                    f"question {q.key!r} is in competency {q.competency!r}, which has no weight",
                )

    for key, plan in bank.plans.items():
        _check_plan(bank, key, plan, err)
    return errors


def check_references(bank: Bank) -> list[BankError]:
    """The rules between entries, for a bank assembled elsewhere: the question editor
    (``apps.bank.authoring``) checks one question against the taxonomy in the database with
    the same rules the importer applies to files."""
    return _check_references(bank)


def _check_plan(bank: Bank, key: str, plan: PlanIn, err: Callable[..., None]) -> None:
    """A plan's references: its track, level, weighted competencies and each stage's kit."""
    if plan.track not in bank.tracks:
        err("plans", key, "track", f"unknown track {plan.track!r}")
    if plan.level not in bank.levels:
        err("plans", key, "level", f"unknown level {plan.level}")
    for comp_key in plan.competency_weights:
        comp = bank.competencies.get(comp_key)
        if comp is None:
            err("plans", key, f"competency_weights.{comp_key}", "unknown competency")
        elif plan.track in bank.tracks and plan.track not in comp.tracks:
            err(
                "plans",
                key,
                f"competency_weights.{comp_key}",
                f"competency does not apply to track {plan.track!r}",
            )
    names = Counter(stage.name for stage in plan.stages)
    for index, stage in enumerate(plan.stages):
        fld = f"stages.{index}"
        if names[stage.name] > 1:
            err("plans", key, f"{fld}.name", f"stage name {stage.name!r} is used twice")
        kit = bank.kits.get(stage.kit)
        if kit is None:
            err("plans", key, f"{fld}.kit", f"unknown kit {stage.kit!r}")
            continue
        if kit.take_home != (stage.mode == "take_home"):
            what = "a take-home kit" if kit.take_home else "a live kit"
            err("plans", key, f"{fld}.kit", f"kit {kit.key!r} is {what}; the stage is {stage.mode}")
        if kit.track != plan.track:
            err("plans", key, f"{fld}.kit", f"kit {kit.key!r} is for track {kit.track!r}")
        if abs(kit.level - plan.level) > KIT_LEVEL_SPAN:
            err("plans", key, f"{fld}.kit", f"kit {kit.key!r} is level {kit.level}, too far")


# -- command line -----------------------------------------------------------------------------


def _summary(bank: Bank) -> str:
    rows = Counter((q.track, q.level, q.kind) for q in bank.questions.values())
    lines = [f"{len(bank.questions)} questions, {len(bank.kits)} kits"]
    for (track, level, kind), n in sorted(rows.items()):
        lines.append(f"  {track:<10} L{level} {kind:<9} {n}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m apps.bank.schema FILE.yaml [FILE.yaml ...]", file=sys.stderr)
        return 2
    bank, errors = load_bank(argv)
    for error in errors:
        print(error, file=sys.stderr)
    print(_summary(bank))
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
