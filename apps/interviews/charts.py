"""Server-rendered SVG charts for the debrief (no script, no external request, printable).

Text labels carry the numbers, so colour is never the only signal.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = 75.0  # the decision bar on the 0-100 scale (rating 3 of 4)


def _x(value: float, left: float, width: float) -> float:
    return left + width * max(0.0, min(100.0, value)) / 100.0


def competency_bars(competencies: dict, names: dict[str, str], weights: dict) -> SafeString:
    """One row per competency: observed mean (thin bar), estimate with its 90% band (thick bar
    and whisker), the evidence count, and the bar at 75."""
    rows = [(k, v) for k, v in competencies.items() if k in weights] or list(competencies.items())
    left, width, row_h = 230, 330, 34
    height = 30 + row_h * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 110} {height}" '
        f'role="img" aria-labelledby="comp-title" class="chart" font-size="12">',
        '<title id="comp-title">Competency estimates with 90% bands</title>',
    ]
    bar_x = _x(BAR, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="10" x2="{bar_x}" y2="{height - 5}" stroke="#555" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{bar_x + 3}" y="18" fill="#333">bar 75</text>'
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


def track_profile(track: dict) -> SafeString:
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
    bar_x = _x(BAR, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="8" x2="{bar_x}" y2="95" stroke="#555" stroke-dasharray="4 3"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - no user text in this chart
