"""Server-rendered SVG charts for the debrief (no script, no external request, printable).

Text labels carry the numbers, so colour is never the only signal.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = 62.5  # the default bar on the 0-100 scale (between rating 2 and 3); results carry their own


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
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


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
    return mark_safe("".join(parts))  # noqa: S308 - no user text in this chart


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
    return mark_safe("".join(parts))  # noqa: S308 - numbers only


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
    return mark_safe("".join(parts))  # noqa: S308 - mode names escaped above
