"""ISA-95 tags on questions and the ISA-95 competency map.

Every question says which ISA-95 Part 3 operations categories (production, maintenance, quality,
inventory: DOMAIN.md 1.5) and which of the eight generic activities (DOMAIN.md 1.6) it samples,
whether it is about the Level 3-4 boundary or ERP/MES integration (DOMAIN.md 1.4, 1.7, 1.8), and,
when it samples no Part 3 activity at all, why (``outside``). This module holds the fixed lists,
the one validation of a tag set (:func:`tag_problems`, which the YAML schema calls)
and :func:`build_map`, the pure function behind the map (categories x activities) that the
candidate report and the position plan page draw.

Pure Python, no Django: the map takes plain items and returns plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Part 3 order (DOMAIN.md 1.5), with the display names users see.
CATEGORIES: dict[str, str] = {
    "production": "Production",
    "maintenance": "Maintenance",
    "quality": "Quality",
    "inventory": "Inventory",
}
# The generic activity model in the standard's order (DOMAIN.md 1.6).
ACTIVITIES: dict[str, str] = {
    "definition_management": "Definition management",
    "resource_management": "Resource management",
    "detailed_scheduling": "Detailed scheduling",
    "dispatching": "Dispatching",
    "execution_management": "Execution management",
    "data_collection": "Data collection",
    "tracking": "Tracking",
    "performance_analysis": "Performance analysis",
}
OUTSIDE_MAX_LENGTH = 200
# The model fields that store a tag set, on Question and on the SessionItem that froze it.
FIELDS = ("isa95_categories", "isa95_activities", "isa95_boundary", "isa95_outside")


@dataclass(frozen=True)
class Tags:
    """The ISA-95 tags of one question (or of a frozen session item)."""

    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    boundary: bool = False
    outside: str = ""

    @classmethod
    def of(cls, obj: Any) -> Tags:
        """The tags stored on a Question or SessionItem (the :data:`FIELDS`)."""
        return cls.from_fields(*(getattr(obj, name) for name in FIELDS))

    @classmethod
    def from_fields(cls, categories: Any, activities: Any, boundary: Any, outside: Any) -> Tags:
        """The tags from the stored values in :data:`FIELDS` order (e.g. a ``values_list`` row)."""
        return cls(tuple(categories or ()), tuple(activities or ()), bool(boundary), outside or "")

    def as_fields(self) -> dict[str, Any]:
        """The model field values that store these tags (the inverse of :meth:`of`)."""
        values = (list(self.categories), list(self.activities), self.boundary, self.outside)
        return dict(zip(FIELDS, values, strict=True))

    @property
    def empty(self) -> bool:
        return not (self.categories or self.activities or self.boundary or self.outside)

    def as_yaml(self) -> dict[str, Any]:
        """The ``isa95:`` mapping as written in the bank files (optional keys only when set)."""
        data: dict[str, Any] = {
            "categories": list(self.categories),
            "activities": list(self.activities),
        }
        if self.boundary:
            data["boundary"] = True
        if self.outside:
            data["outside"] = self.outside
        return data


def tag_problems(tags: Tags) -> list[tuple[str, str]]:
    """Every problem with one tag set, as ``(field, reason)`` pairs; empty when valid.

    The rules (fixtures/bank/README.md, "ISA-95 tags"): keys from the fixed lists, no repeats;
    a category needs an activity and an activity a category; a question that samples no
    category and is not about the boundary says why in ``outside``, and only such a question
    may.
    """
    categories, activities, boundary = list(tags.categories), list(tags.activities), tags.boundary
    problems: list[tuple[str, str]] = []
    for name, given, allowed in (
        ("categories", categories, CATEGORIES),
        ("activities", activities, ACTIVITIES),
    ):
        unknown = [k for k in given if k not in allowed]
        if unknown:
            problems.append((name, f"unknown {name} {unknown}; expected any of {list(allowed)}"))
        repeated = sorted({k for k in given if given.count(k) > 1})
        if repeated:
            problems.append((name, f"lists {repeated} more than once"))
    if categories and not activities:
        problems.append(("activities", "a question that samples a category names an activity"))
    if activities and not categories:
        problems.append(("categories", "a question that samples an activity names a category"))
    outside = tags.outside.strip()
    if not categories and not boundary and not outside:
        problems.append(
            ("outside", "say why the question samples no ISA-95 Part 3 activity (or tag one)")
        )
    if outside and (categories or boundary):
        problems.append(
            ("outside", "only for a question with no category that is not about the boundary")
        )
    if len(outside) > OUTSIDE_MAX_LENGTH:
        problems.append(("outside", f"at most {OUTSIDE_MAX_LENGTH} characters"))
    return problems


# -- the map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapItem:
    """One item on the map: its tags and the evidence for it.

    ``rating`` is the candidate's mean rating 0-4 on the item, or None when the item was
    planned or asked but not (yet) rated.
    """

    tags: Tags
    rating: float | None = None


@dataclass
class Cell:
    count: int = 0  # items that sample this cell
    rated: int = 0  # of those, items with a rating
    total: float = 0.0

    @property
    def mean(self) -> float | None:
        return round(self.total / self.rated, 2) if self.rated else None

    @property
    def probed(self) -> bool:
        return self.count > 0


@dataclass
class Isa95Map:
    """The grid: one row per category, one cell per activity, plus the boundary row.

    ``rated`` says whether the map carries ratings (a candidate) or only coverage (a plan)."""

    rows: list[tuple[str, str, list[tuple[str, Cell]]]] = field(default_factory=list)
    boundary: Cell = field(default_factory=Cell)
    outside: Cell = field(default_factory=Cell)
    # Items with no tags at all: an organization's own question nobody has tagged yet. Kept
    # apart from ``outside`` so that "samples no ISA-95 activity" is only said when it is known.
    untagged: Cell = field(default_factory=Cell)
    items: int = 0
    rated: bool = True

    def cell(self, category: str, activity: str) -> Cell:
        for cat, _name, cells in self.rows:
            if cat == category:
                return dict(cells)[activity]
        raise KeyError(category)

    @property
    def total_cells(self) -> int:
        return sum(len(cells) for _c, _n, cells in self.rows)

    @property
    def probed_cells(self) -> int:
        return sum(1 for _c, _n, cells in self.rows for _a, cell in cells if cell.probed)


def build_map(items: Iterable[MapItem], *, rated: bool = True) -> Isa95Map:
    """Count the items (and average their ratings) in every category x activity cell.

    An item that samples two categories and two activities counts in all four cells: the tags
    say the item probes each pairing, and a hiring manager reads the map cell by cell. The
    boundary row counts items about the Level 3-4 boundary; ``outside`` the items that sample
    no Part 3 activity (OT security, commercial or behavioural questions); ``untagged`` those
    that carry no tags at all.
    """
    grid: dict[str, dict[str, Cell]] = {c: {a: Cell() for a in ACTIVITIES} for c in CATEGORIES}
    result = Isa95Map(rated=rated)
    for item in items:
        result.items += 1
        targets = [
            grid[c][a]
            for c in item.tags.categories
            for a in item.tags.activities
            if c in grid and a in ACTIVITIES
        ]
        if item.tags.boundary:
            targets.append(result.boundary)
        if not targets:
            targets.append(result.untagged if item.tags.empty else result.outside)
        for cell in targets:
            cell.count += 1
            if item.rating is not None:
                cell.rated += 1
                cell.total += item.rating
    result.rows = [(c, CATEGORIES[c], [(a, grid[c][a]) for a in ACTIVITIES]) for c in CATEGORIES]
    return result
