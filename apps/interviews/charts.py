"""Server-rendered SVG charts for the debrief (no script, no external request, printable).

Text labels carry the numbers, so colour is never the only signal.
"""

from __future__ import annotations

import itertools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.bank.isa95 import ACTIVITIES, Cell, Isa95Map

BAR = 62.5  # the default bar on the 0-100 scale (between rating 2 and 3); results carry their own


def _boxed(svg: str) -> SafeString:
    """The chart in a box that scrolls sideways on a narrow screen: the SVG keeps a width at
    which its 12-unit text is at least 11 px (site.css ``.chart-box .chart``), and the page
    itself never scrolls sideways. Focusable, so keyboard users can scroll it too."""
    return mark_safe(  # noqa: S308 - the callers escape every text they put in the SVG
        f'<div class="chart-box" tabindex="0" role="group" aria-label="Chart">{svg}</div>'
    )


def _x(value: float, left: float, width: float) -> float:
    return left + width * max(0.0, min(100.0, value)) / 100.0


def competency_bars(
    competencies: dict, names: dict[str, str], weights: dict, bar: float = BAR
) -> SafeString:
    """One row per competency: observed mean (thin bar), estimate with its 90% band (thick bar
    and whisker), the evidence count, and the bar."""
    rows = [(k, v) for k, v in competencies.items() if k in weights] or list(competencies.items())
    left, width, row_h = 230, 330, 34
    height = 30 + row_h * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 110} {height}" '
        f'role="img" aria-labelledby="comp-title" class="chart" font-size="12">',
        '<title id="comp-title">Competency estimates with 90% bands</title>',
    ]
    bar_x = _x(bar, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="10" x2="{bar_x}" y2="{height - 5}" stroke="#555" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{bar_x + 3}" y="18" fill="#333">bar {bar:g}</text>'
    )
    for i, (key, c) in enumerate(rows):
        y = 28 + i * row_h
        est, se = c.get("estimate"), c.get("se") or 0
        obs = c.get("observed")
        label = escape(names.get(key, key))
        label = label if len(label) <= 34 else label[:33] + "\u2026"
        parts.append(f'<text x="0" y="{y + 12}" fill="#222">{label}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width}" height="16" fill="#eee" stroke="#ccc"/>'
        )
        if est is not None:
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{_x(est, 0, width)}" height="10" '
                'fill="#3b6ea8"><title>estimate</title></rect>'
            )
            lo, hi = _x(est - 1.645 * se, left, width), _x(est + 1.645 * se, left, width)
            parts.append(
                f'<line x1="{lo}" y1="{y + 8}" x2="{hi}" y2="{y + 8}" stroke="#111" '
                'stroke-width="1.5"/>'
            )
        if obs is not None:
            ox = _x(obs, left, width)
            parts.append(
                f'<path d="M{ox} {y - 1} l-4 -5 h8 z" fill="#c05a00"><title>observed</title></path>'
            )
        obs_text = "\u2014" if obs is None else f"{obs:.0f}"
        est_text = "\u2014" if est is None else f"{est:.0f}"
        parts.append(
            f'<text x="{left + width + 8}" y="{y + 12}" fill="#222">{est_text} '
            f"(obs {obs_text}, n {c.get('n_eff', 0):g})</text>"
        )
    parts.append("</svg>")
    return _boxed("".join(parts))  # every interpolated text is escaped above


def track_profile(track: dict, bar: float = BAR) -> SafeString:
    """Plant vs enterprise estimates side by side, each with its 90% band."""
    left, width = 110, 330
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 120} 100" '
        'role="img" aria-labelledby="track-title" class="chart" font-size="12">',
        '<title id="track-title">Plant versus enterprise profile</title>',
    ]
    for i, (key, label) in enumerate((("plant", "Plant MES"), ("enterprise", "Enterprise MOM"))):
        y = 15 + i * 40
        value, se, n = track.get(key), track.get(f"se_{key}") or 0, track.get(f"n_{key}") or 0
        parts.append(f'<text x="0" y="{y + 13}" fill="#222">{label}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width}" height="18" fill="#eee" stroke="#ccc"/>'
        )
        if value is None or n == 0:
            # With no items on a track its estimate is only the prior: do not draw it.
            parts.append(f'<text x="{left + 8}" y="{y + 13}" fill="#222">no items</text>')
            continue
        fill = "#5a8f29" if key == "plant" else "#3b6ea8"
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{_x(value, 0, width)}" height="12" '
            f'fill="{fill}"/>'
        )
        parts.append(
            f'<line x1="{_x(value - 1.645 * se, left, width)}" y1="{y + 9}" '
            f'x2="{_x(value + 1.645 * se, left, width)}" y2="{y + 9}" stroke="#111"/>'
        )
        parts.append(
            f'<text x="{left + width + 8}" y="{y + 13}" fill="#222">{value:.0f} (n {n:g})</text>'
        )
    bar_x = _x(bar, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="8" x2="{bar_x}" y2="95" stroke="#555" stroke-dasharray="4 3"/>'
    )
    parts.append("</svg>")
    return _boxed("".join(parts))  # no user text in this chart


def _axis(parts: list[str], left: float, width: float, y: float) -> None:
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick, left, width)
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 4}" stroke="#777"/>'
            f'<text x="{x}" y="{y + 16}" fill="#333" text-anchor="middle">{tick}</text>'
        )


def verdict_band(band: tuple[float, float], score: float | None, bar: float) -> SafeString:
    """The 90% band on the 0-100 axis against the bar, the score as a tick inside it."""
    left, width = 10, 520
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left * 2 + width} 74" '
        'role="img" aria-labelledby="band-title" class="chart" font-size="12">',
        f'<title id="band-title">90% band {band[0]:g} to {band[1]:g} against the bar of '
        f"{bar:g}</title>",
        f'<rect x="{left}" y="20" width="{width}" height="20" fill="#eee" stroke="#ccc"/>',
    ]
    lo, hi = _x(band[0], left, width), _x(band[1], left, width)
    parts.append(
        f'<rect x="{lo}" y="22" width="{max(hi - lo, 1.5)}" height="16" fill="#3b6ea8" '
        'fill-opacity="0.75"/>'
    )
    if score is not None:
        sx = _x(score, left, width)
        parts.append(f'<line x1="{sx}" y1="18" x2="{sx}" y2="42" stroke="#111" stroke-width="2"/>')
    bar_x = _x(bar, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="6" x2="{bar_x}" y2="46" stroke="#b00" stroke-width="2" '
        'stroke-dasharray="5 3"/>'
        f'<text x="{bar_x + 4}" y="14" fill="#222">bar {bar:g}</text>'
    )
    _axis(parts, left, width, 46)
    parts.append("</svg>")
    return _boxed("".join(parts))  # numbers only


def stage_bands(stages: list[dict], bar: float, names: dict[str, str]) -> SafeString:
    """How the band narrowed stage by stage: one row per stage, the pooled band after it."""
    if not stages:
        return mark_safe("")
    left, width, row_h = 170, 360, 28
    height = 24 + row_h * len(stages) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 110} {height}" '
        'role="img" aria-labelledby="stages-title" class="chart" font-size="12">',
        '<title id="stages-title">The 90% band after each stage</title>',
    ]
    for i, stage in enumerate(stages):
        y = 14 + i * row_h
        lo, hi = stage["band"]
        name = escape(names.get(stage.get("mode", ""), stage.get("mode", "")))
        parts.append(f'<text x="0" y="{y + 13}" fill="#222">After stage {i + 1}: {name}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width}" height="18" fill="#eee" stroke="#ccc"/>'
        )
        x0, x1 = _x(lo, left, width), _x(hi, left, width)
        parts.append(
            f'<rect x="{x0}" y="{y + 3}" width="{max(x1 - x0, 1.5)}" height="12" '
            'fill="#3b6ea8" fill-opacity="0.75"/>'
        )
        parts.append(
            f'<text x="{left + width + 8}" y="{y + 13}" fill="#222">{lo:g}\u2013{hi:g}</text>'
        )
    bar_x = _x(bar, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="8" x2="{bar_x}" y2="{height - 22}" stroke="#b00" '
        'stroke-dasharray="5 3"/>'
    )
    _axis(parts, left, width, height - 22)
    parts.append("</svg>")
    return _boxed("".join(parts))  # mode names escaped above


# -- the ISA-95 competency map ------------------------------------------------------------------

# Five shades, light to dark; the two darkest carry white text (contrast above 4.5:1 for both).
_MAP_SHADES = ("#e3edf8", "#bcd3ee", "#8fb4e0", "#2f6aa8", "#1b3f6b")
_MAP_WHITE_TEXT = 3
_map_ids = itertools.count(1)


_MAP_COUNT_STEPS = (1, 2, 4, 7)  # planned items: 1, 2, 3-4, 5-7, 8 or more


def _map_shade(cell: Cell, rated: bool) -> int:
    if rated:
        return min(4, int(cell.mean or 0))  # mean 0-1, 1-2, 2-3, 3-4, 4
    return sum(1 for step in _MAP_COUNT_STEPS if cell.count > step)


def _map_none(rated: bool) -> str:
    return "not probed" if rated else "not planned"


def _map_cell(parts: list[str], cell: Cell, x: float, y: float, w: float, h: float, rated: bool,
              hatch: str, wide: bool = False) -> None:  # fmt: skip
    cx, cy = x + w / 2, y + h / 2
    if not cell.probed:
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#{hatch})" '
            'stroke="#666" stroke-dasharray="4 3"/>'
            f'<text x="{cx}" y="{cy + 4}" text-anchor="middle" fill="#222">'
            f"{_map_none(rated)}</text>"
        )
        return
    if rated and cell.mean is None:
        fill, ink, lines = "#f4f4f4", "#222", [f"{cell.count} asked", "not rated"]
    else:
        shade = _map_shade(cell, rated)
        fill, ink = _MAP_SHADES[shade], "#fff" if shade >= _MAP_WHITE_TEXT else "#111"
        items = f"{cell.count} item{'' if cell.count == 1 else 's'}"
        lines = [items, f"mean {cell.mean:.1f}"] if rated else [items, "planned"]
    if wide:
        lines = [", ".join(lines)]
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="#fff"/>')
    first = cy + 4 - 7 * (len(lines) - 1)
    for n, line in enumerate(lines):
        parts.append(
            f'<text x="{cx}" y="{first + 14 * n}" text-anchor="middle" fill="{ink}">{line}</text>'
        )


def isa95_map_svg(grid: Isa95Map) -> SafeString:
    """The ISA-95 map (``apps.bank.isa95.Isa95Map``): the four operations categories by the
    eight generic activities, plus the Level 3-4 boundary row.

    Each probed cell prints its item count and, for a candidate, the mean rating 0-4; the shade
    repeats it (darker = higher). A cell no item probed is hatched, dash-bordered and says "not
    probed" ("not planned" on a plan's map), so colour is never the only signal. Text is 13 px
    at the drawn size (800 px wide), so still 11 px when printed at an A4 page's width.
    """
    uid = next(_map_ids)
    hatch, title_id, desc_id = f"isa95-hatch-{uid}", f"isa95-title-{uid}", f"isa95-desc-{uid}"
    left, col_w, head_h, row_h = 112, 86, 44, 44
    width = left + col_w * len(ACTIVITIES)
    top = head_h + 4
    boundary_y = top + row_h * len(grid.rows) + 10
    legend_y = boundary_y + row_h + 16
    height = legend_y + 44
    kind = "mean rating" if grid.rated else "planned items"
    probed = grid.probed_cells
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="chart isa95-map" font-size="13">',
        f'<title id="{title_id}">ISA-95 map: {kind} by operations category and activity</title>',
        f'<desc id="{desc_id}">{probed} of {grid.total_cells} category and activity cells '
        "probed, by "
        f"{grid.items} item{'' if grid.items == 1 else 's'}; the Level 3-4 boundary by "
        f"{grid.boundary.count}.</desc>",
        f'<defs><pattern id="{hatch}" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#d6d6d6" stroke-width="3"/></pattern></defs>',
    ]
    for n, name in enumerate(ACTIVITIES.values()):
        cx = left + col_w * n + col_w / 2
        words = name.split(" ", 1)
        for m, word in enumerate(words):
            y = head_h - 8 - 14 * (len(words) - 1 - m)
            parts.append(
                f'<text x="{cx}" y="{y}" text-anchor="middle" fill="#222" '
                f'font-weight="bold">{escape(word)}</text>'
            )
    for r, (_key, name, cells) in enumerate(grid.rows):
        y = top + row_h * r
        parts.append(
            f'<text x="0" y="{y + row_h / 2 + 4}" fill="#222" font-weight="bold">'
            f"{escape(name)}</text>"
        )
        for n, (_activity, cell) in enumerate(cells):
            _map_cell(parts, cell, left + col_w * n, y, col_w, row_h, grid.rated, hatch)
    words = ("Level 3-4", "boundary and", "integration")
    for m, word in enumerate(words):
        parts.append(
            f'<text x="0" y="{boundary_y + 10 + 14 * m}" fill="#222" font-weight="bold">'
            f"{word}</text>"
        )
    _map_cell(parts, grid.boundary, left, boundary_y, col_w * len(ACTIVITIES), row_h,
              grid.rated, hatch, wide=True)  # fmt: skip
    # Legend: the shades with their meaning, and the "not probed" cell.
    steps = ("0-1", "1-2", "2-3", "3-4", "4") if grid.rated else ("1", "2", "3-4", "5-7", "8+")
    parts.append(
        f'<text x="0" y="{legend_y + 14}" fill="#222">'
        f"{'Mean rating 0-4' if grid.rated else 'Items planned'}:</text>"
    )
    for n, (shade, step) in enumerate(zip(_MAP_SHADES, steps, strict=True)):
        x = left + 60 * n
        ink = "#fff" if n >= _MAP_WHITE_TEXT else "#111"
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="56" height="20" fill="{shade}"/>'
            f'<text x="{x + 28}" y="{legend_y + 14}" text-anchor="middle" fill="{ink}">'
            f"{step}</text>"
        )
    x = left + 60 * 5 + 8
    parts.append(
        f'<rect x="{x}" y="{legend_y}" width="86" height="20" fill="url(#{hatch})" '
        'stroke="#666" stroke-dasharray="4 3"/>'
        f'<text x="{x + 43}" y="{legend_y + 14}" text-anchor="middle" fill="#222">'
        f"{_map_none(grid.rated)}</text>"
    )
    notes = []
    if grid.outside.count:
        n = grid.outside.count
        notes.append(
            f"{n} {'item samples' if n == 1 else 'items sample'} no ISA-95 Part 3 activity "
            "(for example OT security or behavioural questions)."
        )
    if grid.untagged.count:
        n = grid.untagged.count
        notes.append(f"{n} {'item carries' if n == 1 else 'items carry'} no ISA-95 tags yet.")
    if notes:
        parts.append(f'<text x="0" y="{legend_y + 38}" fill="#222">{" ".join(notes)}</text>')
    parts.append("</svg>")
    return _boxed("".join(parts))  # names escaped above, the rest are numbers
