"""A stored scoring result, read through one typed accessor, and explained in words.

Pages, charts, e-mails and integrations read a result here rather than by raw JSON keys, so a
change to the stored shape has one place to follow. Version 1 results (no bar of their own, no
`p_above`) still read: their bar was 75.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LABELS = {
    "above_bar": "Above the bar",
    "below_bar": "Below the bar",
    "borderline": "Borderline",
    "incomplete": "Incomplete evidence",
}
TRACK_NAMES = {"plant": "plant", "enterprise": "enterprise"}
FIT_TEXT = {"match": "Match", "mismatch": "Mismatch", "unclear": "Unclear"}
ORIENTATION_TEXT = {
    "plant": "plant-level MES",
    "enterprise": "enterprise-level MOM",
    "balanced": "balanced between plant and enterprise",
}
#: The bar of version 1 results, which stored none of their own.
V1_BAR = 75.0
POSITIVE = {"yes", "strong_yes"}
NEGATIVE = {"no", "strong_no"}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Verdict:
    """What a recruiter reads first: the label, how likely above the bar, the band, the bar."""

    label: str
    score: float | None
    band: tuple[float, float]
    bar: float
    p_above: float | None
    se: float | None
    coverage: float
    competencies: dict[str, dict]
    track: dict[str, Any]
    level_fit: str
    flags: list[dict]
    next_evidence: list[dict]
    stages: list[dict]
    scorecards: int
    scoring_version: str
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_result(cls, result: dict | None) -> Verdict | None:
        if not result or "label" not in result:
            return None
        band = result.get("band") or [0.0, 100.0]
        return cls(
            label=result["label"],
            score=_num(result.get("score")),
            band=(float(band[0]), float(band[1])),
            bar=_num(result.get("bar")) or V1_BAR,
            p_above=_num(result.get("p_above")),
            se=_num(result.get("se")),
            coverage=_num(result.get("coverage")) or 0.0,
            competencies=dict(result.get("competencies") or {}),
            track=dict(result.get("track") or {}),
            level_fit=str(result.get("level_fit", "none")),
            flags=list(result.get("flags") or []),
            next_evidence=list(result.get("next_evidence") or []),
            stages=list(result.get("stages") or []),
            scorecards=int(result.get("scorecards") or 0),
            scoring_version=str(result.get("scoring_version", "")),
            raw=result,
        )

    # -- the headline -------------------------------------------------------------------------

    @property
    def label_text(self) -> str:
        return LABELS.get(self.label, self.label)

    @property
    def p_above_percent(self) -> int | None:
        return None if self.p_above is None else round(100 * self.p_above)

    @property
    def p_above_text(self) -> str | None:
        """ "78%"; never a certain-sounding 0% or 100% for a probability (under 1%, over 99%)."""
        if self.p_above is None:
            return None
        if self.p_above > 0.99:
            return "over 99%"
        if self.p_above < 0.01:
            return "under 1%"
        return f"{self.p_above_percent}%"

    @property
    def headline(self) -> str:
        """E.g. "Borderline, 78% likely above the bar"."""
        if self.p_above is None:
            return self.label_text
        return f"{self.label_text}, {self.p_above_text} likely above the bar"

    @property
    def bar_text(self) -> str:
        return f"{self.bar:g}"

    @property
    def label_reason(self) -> str:
        if self.label == "incomplete":
            return (
                "Too little evidence to decide: competencies with at least two answers carry "
                f"{round(100 * self.coverage)}% of the role's weight, and a decision needs 80%."
            )
        if self.critical and self.band[0] >= self.bar:
            return "The band clears the bar, but a critical red flag caps the decision."
        if self.label == "above_bar":
            return "The whole 90% band is at or above the bar."
        if self.label == "below_bar":
            return "The whole 90% band is below the bar."
        return "The 90% band straddles the bar: more evidence could change the decision."

    # -- flags ----------------------------------------------------------------------------------

    @property
    def critical(self) -> list[dict]:
        return [f for f in self.flags if f.get("kind") == "critical_red_flag"]

    @property
    def discrepant(self) -> list[dict]:
        return [f for f in self.flags if f.get("kind") == "discrepant"]

    # -- track and level ------------------------------------------------------------------------

    @property
    def track_fit(self) -> str:
        return str(self.track.get("fit", "unclear"))

    @property
    def track_fit_text(self) -> str:
        return FIT_TEXT.get(self.track_fit, self.track_fit)

    @property
    def orientation_text(self) -> str:
        orientation = str(self.track.get("orientation", "balanced"))
        return ORIENTATION_TEXT.get(orientation, orientation)

    def track_explanation(self, target: str) -> str:
        """Track fit in one sentence, saying what is missing when it cannot be decided."""
        missing = {k: v for k, v in (self.track.get("missing") or {}).items() if v}
        other = "enterprise" if target == "plant" else "plant"
        if self.track_fit == "unclear" and missing:
            needs = " and ".join(
                f"{count} more {track} item{'s' if count != 1 else ''}"
                for track, count in sorted(missing.items())
            )
            return f"Unclear: telling plant from enterprise needs {needs}."
        if self.track_fit == "mismatch":
            return (
                f"Mismatch: the answers lean {self.orientation_text}, but the role is "
                f"{TRACK_NAMES.get(target, target)}. Consider the candidate for "
                f"{'an enterprise' if other == 'enterprise' else 'a plant'} role."
            )
        if self.track_fit == "match":
            return f"Match: the {target} answers reach the bar and do not lean {other}."
        return (
            f"Unclear: the {target} answers do not yet reach the bar, though they do not lean "
            f"{other} either."
        )

    @property
    def level_fit_text(self) -> str:
        if self.level_fit in ("none", "None", ""):
            return "No level reached yet"
        return f"Level {self.level_fit}"

    # -- disagreement with the interviewers ------------------------------------------------------

    def disagreement(self, recommendations: list[str]) -> str | None:
        """One sentence when the interviewers' recommendations and the label point different
        ways, saying why the computed label differs (thin evidence, a flag, the band)."""
        counts = Counter(recommendations)
        positive = sum(counts[r] for r in POSITIVE)
        negative = sum(counts[r] for r in NEGATIVE)
        if not recommendations:
            return None
        leaning_yes = positive > negative and positive * 2 >= len(recommendations)
        leaning_no = negative > positive and negative * 2 >= len(recommendations)
        if leaning_yes and self.label in ("above_bar",):
            return None
        if leaning_no and self.label in ("below_bar",):
            return None
        if not (leaning_yes or leaning_no):
            return None
        if self.critical and leaning_yes:
            return (
                "The interviewers said yes, but a critical red flag was observed, which caps the "
                "decision at borderline until someone looks at it."
            )
        per_competency = self._items_per_competency()
        if self.label == "incomplete" or (per_competency is not None and per_competency < 2):
            shown = "fewer than 2" if per_competency is None else f"{per_competency:g}"
            return (
                "The interviewers' recommendations and the label differ because the evidence is "
                f"thin: {shown} answers per weighted competency on average, so the 90% band is "
                "wide."
            )
        if leaning_yes:
            return (
                "The interviewers said yes, but the ratings they gave put the band across or "
                "below the bar: the recommendations are opinions, the label follows the ratings."
            )
        return (
            "The interviewers said no, but the ratings they gave put the band at or above the "
            "bar: check whether the ratings or the recommendations say what was meant."
        )

    def _items_per_competency(self) -> float | None:
        counts = [
            float(c.get("n_eff") or 0)
            for c in self.competencies.values()
            if c.get("n_eff") is not None
        ]
        if not counts:
            return None
        return round(sum(counts) / len(counts), 1)


def application_summary(result: dict | None) -> dict[str, Any] | None:
    """The v2 verdict an ATS shows: label first, how likely above the bar, band, fits.

    No ``score`` when the label is ``incomplete``: ATS users filter and bulk-reject on that
    number, and one stage alone cannot decide."""
    if not result:
        return None
    track = result.get("track") or {}
    summary = {
        "label": result.get("label"),
        "p_above": result.get("p_above"),
        "band": result.get("band"),
        "bar": result.get("bar"),
        "score": result.get("score"),
        "track_fit": track.get("fit"),
        "track_orientation": track.get("orientation"),
        "level_fit": result.get("level_fit"),
        "scoring_version": result.get("scoring_version"),
    }
    if summary["label"] == "incomplete":
        summary["score"] = None
    return summary
