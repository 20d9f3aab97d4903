"""The compare chart: every candidate's 90% band on one 0-100 axis against the bar (SVG, no
script, printable), in the debrief charts' scrolling box (``apps.interviews.charts``). Text
labels carry the numbers, so colour is never the only signal."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString

from apps.interviews.charts import _axis, _boxed, _x


def compare_bands(rows: list[dict], bar: float) -> SafeString:
    """One row per candidate (``name``, ``verdict``), in the order given (the compare page's
    groups), with a faint box around each group of overlapping bands."""
    left, width, row_h = 170, 360, 24
    scored = [r for r in rows if r.get("verdict") is not None]
    height = 30 + row_h * len(scored) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 100} {height}" '
        'role="img" aria-labelledby="compare-title" class="chart" font-size="12">',
        f'<title id="compare-title">Each candidate\'s 90% band against the bar of {bar:g}</title>',
    ]
    for i, row in enumerate(scored):
        y = 22 + i * row_h
        verdict = row["verdict"]
        # Cut first, then escape: cutting escaped text could leave a bare "&" in the SVG.
        name = row["name"] if len(row["name"]) <= 26 else row["name"][:25] + "\u2026"
        name = escape(name)
        lo, hi = verdict.band
        parts.append(f'<text x="0" y="{y + 13}" fill="#222">{name}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width}" height="18" fill="#f3f3f3" stroke="#ddd"/>'
        )
        x0, x1 = _x(lo, left, width), _x(hi, left, width)
        parts.append(
            f'<rect x="{x0}" y="{y + 3}" width="{max(x1 - x0, 1.5)}" height="12" '
            'fill="#3b6ea8" fill-opacity="0.75"/>'
        )
        if verdict.score is not None:
            sx = _x(verdict.score, left, width)
            parts.append(f'<line x1="{sx}" y1="{y + 1}" x2="{sx}" y2="{y + 17}" stroke="#111"/>')
        parts.append(
            f'<text x="{left + width + 8}" y="{y + 13}" fill="#222">{lo:g}\u2013{hi:g}</text>'
        )
        if i and row.get("group") != scored[i - 1].get("group"):
            parts.append(
                f'<line x1="0" y1="{y - 3}" x2="{left + width + 100}" y2="{y - 3}" '
                'stroke="#999" stroke-dasharray="2 2"/>'
            )
    bar_x = _x(bar, left, width)
    parts.append(
        f'<line x1="{bar_x}" y1="6" x2="{bar_x}" y2="{height - 22}" stroke="#b00" '
        'stroke-width="2" stroke-dasharray="5 3"/>'
        f'<text x="{bar_x + 4}" y="14" fill="#222">bar {bar:g}</text>'
    )
    _axis(parts, left, width, height - 22)
    parts.append("</svg>")
    return _boxed("".join(parts))  # names escaped above, the rest numbers
