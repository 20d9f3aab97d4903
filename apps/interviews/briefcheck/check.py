"""Reading a job ad against the phrasebook: matches, the reading, warnings, a summary."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .phrasebook import (
    TRACKS,
    Phrase,
    PhraseBook,
    SynonymPattern,
    TitlePattern,
)

#: Each repeat of a phrase adds half its weight again...
REPEAT_BONUS = 0.5
#: ...up to 2.5 times its weight (reached at the fourth occurrence).
REPEAT_CAP = 2.5
#: Below this total (P + E) the ad says too little about scope to read: about two strong phrases.
MIN_SIGNAL = 4.0
#: share_enterprise at or below this reads "plant": enterprise phrases are under 30% of the signal.
PLANT_MAX_SHARE = 0.3
#: share_enterprise at or above this reads "enterprise"; between the two cut-offs reads "mixed".
ENTERPRISE_MIN_SHARE = 0.7
#: How many disagreeing body phrases a mismatch warning names.
MISMATCH_PHRASES = 3
#: How many phrases per track the summary and the mixed-scope warning name.
SUMMARY_PHRASES = 3
_TRACK_LABEL = {"plant": "plant-level MES", "enterprise": "enterprise-level MOM"}
_ROLE_LABEL = {"plant": "a plant-level MES role", "enterprise": "an enterprise-level MOM role"}


_REFERENCE = re.compile(r"\s*(?:DOMAIN|SCORING)\.md(?:\s+\d+(?:\.\d+)*)?|\s*\[S\d+[a-z]?\]")


def without_references(text: str) -> str:
    """The phrasebook's ``why`` as people read it: the source tags that tie it to our research
    notes ("DOMAIN.md 1.6 [S12]") stay in the YAML, not on the page."""
    text = _REFERENCE.sub("", text)
    text = re.sub(r",\s*\)", ")", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Match:
    """One phrase found in the description, and how much it added to its track's score.

    ``found`` holds up to three spellings as they appear in the ad ("multisite", "multi-site").
    """

    phrase: str
    track: str
    weight: float
    count: int
    why: str
    contribution: float
    found: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "track": self.track,
            "weight": self.weight,
            "count": self.count,
            "why": self.why,
            "contribution": round(self.contribution, 3),
            "found": list(self.found),
        }


@dataclass(frozen=True)
class BriefWarning:
    """Something the recruiter should look at; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


#: The name the brief uses. Inside this module it shadows the builtin, which is never needed here.
Warning = BriefWarning


@dataclass(frozen=True)
class SynonymHit:
    """Text of the ad that writes MES and MOM as one thing, and why that matters."""

    text: str
    where: str  # "title" or "description"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "where": self.where, "message": self.message}


@dataclass(frozen=True)
class BriefCheck:
    """The advisory reading of one job ad: scores, reading, the phrases behind it, warnings."""

    title: str
    title_track: str | None
    reading: str
    plant_score: float
    enterprise_score: float
    share_enterprise: float | None
    matches: tuple[Match, ...]
    warnings: tuple[BriefWarning, ...]
    synonyms: tuple[SynonymHit, ...]
    summary: str

    @property
    def signal(self) -> float:
        """P + E: how much scope the description states at all."""
        return self.plant_score + self.enterprise_score

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)

    def top(self, track: str, n: int = SUMMARY_PHRASES) -> tuple[Match, ...]:
        """The ``n`` phrases that added most to ``track`` (matches are sorted already)."""
        return tuple(m for m in self.matches if m.track == track)[:n]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data for storage (``Position.brief_check``) and templates."""
        share = self.share_enterprise
        return {
            "title": self.title,
            "title_track": self.title_track,
            "reading": self.reading,
            "plant_score": round(self.plant_score, 3),
            "enterprise_score": round(self.enterprise_score, 3),
            "share_enterprise": None if share is None else round(share, 3),
            "matches": [m.to_dict() for m in self.matches],
            "warnings": [w.to_dict() for w in self.warnings],
            "synonyms": [s.to_dict() for s in self.synonyms],
            "summary": self.summary,
            "thresholds": {
                "min_signal": MIN_SIGNAL,
                "plant_max_share": PLANT_MAX_SHARE,
                "enterprise_min_share": ENTERPRISE_MIN_SHARE,
            },
        }


def _contribution(weight: float, count: int) -> float:
    return weight * min(1.0 + REPEAT_BONUS * (count - 1), REPEAT_CAP)


def _find_phrases(text: str, phrases: Sequence[Phrase]) -> tuple[Match, ...]:
    """Every phrase found, with overlaps resolved in favour of the longer span."""
    candidates: list[tuple[int, int, int, Phrase]] = []
    for order, phrase in enumerate(phrases):
        for pattern in phrase.patterns:
            for m in pattern.finditer(text):
                candidates.append((m.start(), m.end(), order, phrase))
    # Longest span first; on a tie the heavier phrase, then the earlier entry in the file.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), -c[3].weight, c[2], c[0]))
    taken: list[tuple[int, int, int]] = []
    for start, end, order, _phrase in candidates:
        if not any(start < e and s < end for s, e, _o in taken):
            taken.append((start, end, order))
    counts: dict[int, int] = {}
    found: dict[int, list[str]] = {}
    for start, end, order in sorted(taken):  # in reading order, for the spellings shown
        counts[order] = counts.get(order, 0) + 1
        spelling = " ".join(text[start:end].split())
        seen = found.setdefault(order, [])
        if len(seen) < 3 and spelling.lower() not in (s.lower() for s in seen):
            seen.append(spelling)
    matches = [
        Match(
            phrase=phrases[order].phrase,
            track=phrases[order].track,
            weight=phrases[order].weight,
            count=count,
            why=without_references(phrases[order].why),
            contribution=_contribution(phrases[order].weight, count),
            found=tuple(found[order]),
        )
        for order, count in counts.items()
    ]
    matches.sort(key=lambda m: (-m.contribution, -m.count, m.phrase.lower()))
    return tuple(matches)


def _title_track(title: str, patterns: Sequence[TitlePattern]) -> str | None:
    """The track of the longest title pattern found (the most specific wins)."""
    best: tuple[int, int, str] | None = None
    for order, tp in enumerate(patterns):
        if tp.regex is None:
            continue
        for m in tp.regex.finditer(title):
            key = (m.end() - m.start(), -order, tp.track)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def _find_synonyms(
    texts: Mapping[str, str], patterns: Sequence[SynonymPattern]
) -> tuple[tuple[SynonymHit, ...], dict[str, str]]:
    """The synonym hits, and each text with the hits blanked out.

    Text that writes MES and MOM as one thing says nothing about scope, so it is removed (same
    length, offsets kept) before the title and the body are read: "MES/MOM Engineer" gets no
    title track from its "MOM", and "MES/MOM platform" adds no enterprise signal.
    """
    hits: list[SynonymHit] = []
    seen: set[str] = set()
    blanked: dict[str, str] = {}
    for where, text in texts.items():
        chars = list(text)
        for sp in patterns:
            if sp.regex is None:
                continue
            for m in sp.regex.finditer(text):
                chars[m.start() : m.end()] = " " * (m.end() - m.start())
                quoted = " ".join(m.group(0).split())
                if quoted.lower() not in seen:
                    seen.add(quoted.lower())
                    hits.append(SynonymHit(quoted, where, sp.message))
        blanked[where] = "".join(chars)
    return tuple(hits), blanked


def _reading(plant: float, enterprise: float) -> tuple[str, float | None]:
    total = plant + enterprise
    share = enterprise / total if total > 0 else None
    if total < MIN_SIGNAL or share is None:
        return "unclear", share
    if share <= PLANT_MAX_SHARE:
        return "plant", share
    if share >= ENTERPRISE_MIN_SHARE:
        return "enterprise", share
    return "mixed", share


def _quote(matches: Iterable[Match]) -> str:
    names = [f'"{m.phrase}"' for m in matches]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _percent(share: float | None) -> str:
    return "no" if share is None else f"{round(100 * share)}%"


def _warnings(
    *,
    title: str,
    title_track: str | None,
    reading: str,
    share: float | None,
    signal: float,
    matches: Sequence[Match],
    synonyms: Sequence[SynonymHit],
) -> list[BriefWarning]:
    def top(track: str, n: int) -> list[Match]:
        return [m for m in matches if m.track == track][:n]

    warnings: list[BriefWarning] = []
    if title_track in TRACKS and reading in TRACKS and reading != title_track:
        warnings.append(
            BriefWarning(
                "title_body_mismatch",
                f'The title "{title.strip()}" reads as {_ROLE_LABEL[title_track]}, but the '
                f"description reads as {_TRACK_LABEL[reading]} ({_percent(share)} enterprise "
                f"signal), mainly because of {_quote(top(reading, MISMATCH_PHRASES))}. Either "
                "the title or the scope is wrong: an MES engineer owns production execution at "
                "one site, a MOM architect owns the operations layer across sites. Fix one of "
                "them before the ad goes out.",
            )
        )
    if synonyms:
        quoted = ", ".join(f'"{s.text}"' for s in synonyms)
        warnings.append(
            BriefWarning(
                "synonyms",
                f"MES and MOM are used as synonyms: {quoted}. {synonyms[0].message}",
            )
        )
    if reading == "mixed":
        warnings.append(
            BriefWarning(
                "mixed_scope",
                "The description mixes plant-level MES scope "
                f"({_quote(top('plant', SUMMARY_PHRASES))}) with enterprise-level MOM scope "
                f"({_quote(top('enterprise', SUMMARY_PHRASES))}), {_percent(share)} enterprise "
                "signal. Ask the client which role they actually need: an MES engineer who owns "
                "production execution at one site, or a MOM architect who owns operations across "
                "sites. Hiring one for the other tends to end in a mismatch within months. If "
                "they really need both, say which comes first.",
            )
        )
    if reading == "unclear":
        warnings.append(
            BriefWarning(
                "unclear",
                f"The description says too little about scope to read it (signal {signal:.1f}, "
                f"{MIN_SIGNAL:.0f} needed). Add what the person will own day to day: one site's "
                "production execution (lines, work orders, shop-floor integration), or the "
                "operations layer across sites (template, standardisation, architecture).",
            )
        )
    return warnings


def _summary(
    reading: str,
    share: float | None,
    matches: Sequence[Match],
    warnings: Sequence[BriefWarning],
) -> str:
    if reading == "unclear":
        text = "Too little scope signal to tell plant-level MES from enterprise-level MOM."
    elif reading == "mixed":
        text = (
            f"Reads as a mix of plant-level MES and enterprise-level MOM ({_percent(share)} "
            f"enterprise signal): plant {_quote([m for m in matches if m.track == 'plant'][:2])}, "
            f"enterprise {_quote([m for m in matches if m.track == 'enterprise'][:2])}."
        )
    else:
        top = [m for m in matches if m.track == reading][:SUMMARY_PHRASES]
        text = (
            f"Reads as {_TRACK_LABEL[reading]} ({_percent(share)} enterprise signal), mainly "
            f"because of {_quote(top)}."
        )
    labels = {
        "title_body_mismatch": "the title and the body disagree",
        "synonyms": "MES and MOM are used as synonyms",
        "mixed_scope": "clarify which role is needed",
        "unclear": "add scope to the description",
    }
    named = [labels.get(w.code, w.code) for w in warnings if w.code != "unclear"]
    if named:
        text += " Check: " + "; ".join(named) + "."
    return text + " Advice only: you decide."


def check_brief(*, title: str, description: str, book: PhraseBook) -> BriefCheck:
    """Read a job ad as plant-level MES, enterprise-level MOM, mixed, or unclear.

    Only the description is scored; the title is mapped to a track separately so that the two
    can be compared. See the module docstring for the method and its limits. The result is
    advice for the recruiter, never a decision.
    """
    title = title or ""
    description = description or ""
    synonyms, blanked = _find_synonyms(
        {"title": title, "description": description}, book.synonym_patterns
    )
    matches = _find_phrases(blanked["description"], book.phrases)
    plant = math.fsum(m.contribution for m in matches if m.track == "plant")
    enterprise = math.fsum(m.contribution for m in matches if m.track == "enterprise")
    reading, share = _reading(plant, enterprise)
    title_track = _title_track(blanked["title"], book.title_patterns)
    warnings = _warnings(
        title=title,
        title_track=title_track,
        reading=reading,
        share=share,
        signal=plant + enterprise,
        matches=matches,
        synonyms=synonyms,
    )
    return BriefCheck(
        title=title,
        title_track=title_track,
        reading=reading,
        plant_score=plant,
        enterprise_score=enterprise,
        share_enterprise=share,
        matches=matches,
        warnings=tuple(warnings),
        synonyms=synonyms,
        summary=_summary(reading, share, matches, warnings),
    )
