"""The role-brief check: does a job description read as plant-level MES or enterprise-level MOM?

The seed's most common job-description mistake is using MES and MOM as synonyms (DOMAIN.md 0,
[S57]): an MES engineer owns production execution at one site, a MOM architect owns the ISA-95
Level 3 operations layer and, in practice, its standardisation across sites (DOMAIN.md 3.1). This
module reads the title and the body of an ad and says which scope the body describes, which
phrases made it think so, and when to look twice. It advises; the recruiter decides.

The method is deliberately plain, so that every reading can be explained and argued with:

1. Phrases are data: ``fixtures/role_phrases.yaml`` (next to the bank) lists plant and
   enterprise phrases, each with a weight (0.5-3) and a one-sentence ``why``. Nothing is
   learned or hidden.
2. Matching is case-insensitive (acronyms listed as ``acronyms`` are case-sensitive), on whole
   words, tolerant of spacing ("multi-site" = "multisite" = "multi site") and of a plural on the
   last word ("work orders"). When two phrases overlap, the longer one wins, so "plant network"
   does not also count as "our plant".
3. A phrase found ``n`` times contributes ``weight * min(1 + REPEAT_BONUS * (n - 1), REPEAT_CAP)``:
   repetition adds evidence with diminishing returns, and one phrase cannot carry the whole ad.
4. ``P`` and ``E`` are the sums per track; ``share_enterprise = E / (P + E)``. The reading is
   ``unclear`` when ``P + E < MIN_SIGNAL``, ``plant`` when the share is at most
   ``PLANT_MAX_SHARE``, ``enterprise`` when it is at least ``ENTERPRISE_MIN_SHARE``, else
   ``mixed``.
5. The title is mapped to a track by the phrasebook's ``title_patterns`` (the longest match wins;
   a "Global MES Architect" is enterprise scope, DOMAIN.md 3.1 [S56]). Text matched by a
   ``synonym_patterns`` regex ("MES/MOM") is blanked out of title and body first: it says
   nothing about scope.
6. Warnings: ``title_body_mismatch`` (the title says one track, the body reads as the other),
   ``synonyms`` (MES and MOM written as one thing), ``mixed_scope`` and ``unclear``.

Known limits, stated rather than hidden: negation is not understood ("no multi-site
responsibility" still counts "multi-site"), company boilerplate counts like any other text, and
usage of the terms is contested (LNS does not separate them [S26], TechTarget calls MOM a merger
of ERP and MES [S27]). That is why the check only advises.

Pure Python (PyYAML only, no Django), so it can be tested and reused without a database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ENTERPRISE_MIN_SHARE",
    "MIN_SIGNAL",
    "PLANT_MAX_SHARE",
    "READINGS",
    "REPEAT_BONUS",
    "REPEAT_CAP",
    "TRACKS",
    "BriefCheck",
    "BriefWarning",
    "Match",
    "Phrase",
    "PhraseBook",
    "SynonymHit",
    "SynonymPattern",
    "TitlePattern",
    "Warning",
    "check_brief",
    "load_phrasebook",
]

#: The two tracks of the bank (fixtures/bank/taxonomy.yaml).
TRACKS = ("plant", "enterprise")
#: Every reading the check can give.
READINGS = ("plant", "enterprise", "mixed", "unclear")

#: Allowed phrase weights: 0.5 is a faint hint, 3 a phrase only one kind of role uses.
WEIGHT_MIN = 0.5
WEIGHT_MAX = 3.0
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
_PHRASE_KEYS = {"phrase", "variants", "acronyms", "weight", "why", "plural"}
_TOP_KEYS = {"kind", "plant", "enterprise", "synonym_patterns", "title_patterns"}
_KIND = "role_phrases"

# Between the words of a phrase: whitespace, hyphens and dashes, slash, ampersand, comma,
# underscore, or nothing at all ("multi-site", "multi site", "multisite").
_SEP = r"[\s,&/_\-\u2010-\u2015]*"
_WORD = re.compile(r"[^\W_]+")


# -- the phrasebook ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One weighted phrase of a track, with the spellings that count as the same phrase."""

    phrase: str
    track: str
    weight: float
    why: str
    variants: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    plural: bool = True
    patterns: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class SynonymPattern:
    """A regex that finds MES and MOM written as one thing, and what to tell the recruiter."""

    pattern: str
    message: str
    example: str | None = None
    regex: re.Pattern[str] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class TitlePattern:
    """A title keyword and the track it implies ("MES Engineer" -> plant)."""

    phrase: str
    track: str
    regex: re.Pattern[str] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PhraseBook:
    """The validated contents of a role-phrases YAML file."""

    plant: tuple[Phrase, ...]
    enterprise: tuple[Phrase, ...]
    synonym_patterns: tuple[SynonymPattern, ...]
    title_patterns: tuple[TitlePattern, ...]
    source: str = ""

    @property
    def phrases(self) -> tuple[Phrase, ...]:
        return self.plant + self.enterprise


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _phrase_regex(text: str, *, plural: bool, ignore_case: bool) -> re.Pattern[str]:
    """Whole-word regex for ``text``: flexible separators, an optional plural on the last word."""
    words = [re.escape(w) for w in _words(text)]
    if plural:
        last = words[-1]
        if len(last) > 1 and last[-1].lower() == "y" and last[-2].lower() not in "aeiou":
            words[-1] = last[:-1] + "(?:y|ies)"
        else:
            words[-1] = last + "(?:e?s)?"
    body = _SEP.join(words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE if ignore_case else 0)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _name(section: str, index: int, entry: object, key: str = "phrase") -> str:
    label = entry.get(key) if isinstance(entry, dict) else None
    if isinstance(label, str) and label.strip():
        return f"{section}[{index}] {label.strip()!r}"
    return f"{section}[{index}]"


def _string_list(value: object, where: str, what: str, errors: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.append(f"{where}: {what} must be a list of phrases")
        return ()
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not _words(item):
            errors.append(f"{where}: {what} {i} is empty or has no words ({item!r})")
        else:
            out.append(item.strip())
    return tuple(out)


def _load_phrases(section: str, raw: object, errors: list[str]) -> tuple[Phrase, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(f"{section}: must be a non-empty list of phrases")
        return ()
    phrases: list[Phrase] = []
    for index, entry in enumerate(raw):
        where = _name(section, index, entry)
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping with phrase, weight and why")
            continue
        before = len(errors)
        unknown = sorted(set(entry) - _PHRASE_KEYS, key=str)
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
        phrase = entry.get("phrase")
        if not isinstance(phrase, str) or not _words(phrase):
            errors.append(f"{where}: phrase is empty or has no words")
        weight = entry.get("weight")
        if not _is_number(weight) or not math.isfinite(weight):
            errors.append(f"{where}: weight must be a number, got {weight!r}")
        elif not WEIGHT_MIN <= weight <= WEIGHT_MAX:
            errors.append(
                f"{where}: weight must be between {WEIGHT_MIN} and {WEIGHT_MAX}, got {weight}"
            )
        why = entry.get("why")
        if not isinstance(why, str) or not why.strip():
            errors.append(f"{where}: why is missing (one sentence a recruiter understands)")
        plural = entry.get("plural", True)
        if not isinstance(plural, bool):
            errors.append(f"{where}: plural must be true or false, got {plural!r}")
        variants = _string_list(entry.get("variants"), where, "variant", errors)
        acronyms = _string_list(entry.get("acronyms"), where, "acronym", errors)
        if len(errors) > before:
            continue
        patterns = [_phrase_regex(t, plural=plural, ignore_case=True) for t in (phrase, *variants)]
        patterns += [_phrase_regex(t, plural=plural, ignore_case=False) for t in acronyms]
        phrases.append(
            Phrase(
                phrase=phrase.strip(),
                track=section,
                weight=float(weight),
                why=" ".join(why.split()),
                variants=variants,
                acronyms=acronyms,
                plural=plural,
                patterns=tuple(patterns),
            )
        )
    return tuple(phrases)


def _check_duplicates(phrases: Iterable[Phrase], errors: list[str]) -> None:
    """The same spelling in two entries would count twice, or for both tracks."""
    seen: dict[str, Phrase] = {}
    for p in phrases:
        for text in (p.phrase, *p.variants, *p.acronyms):
            key = " ".join(w.lower() for w in _words(text))
            other = seen.setdefault(key, p)
            if other is not p:
                errors.append(
                    f"{p.track} {p.phrase!r}: {text!r} is already listed under "
                    f"{other.track} {other.phrase!r}"
                )


def _load_synonyms(raw: object, errors: list[str]) -> tuple[SynonymPattern, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append("synonym_patterns: must be a list")
        return ()
    out: list[SynonymPattern] = []
    for index, entry in enumerate(raw):
        where = _name("synonym_patterns", index, entry, key="pattern")
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping with pattern and message")
            continue
        unknown = sorted(set(entry) - {"pattern", "message", "example"}, key=str)
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
            continue
        pattern, message, example = entry.get("pattern"), entry.get("message"), entry.get("example")
        if not isinstance(pattern, str) or not pattern.strip():
            errors.append(f"{where}: pattern is empty")
            continue
        try:
            regex = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            errors.append(f"{where}: pattern is not a valid regular expression ({exc})")
            continue
        if not isinstance(message, str) or not message.strip():
            errors.append(f"{where}: message is missing")
            continue
        if example is not None and (not isinstance(example, str) or not regex.search(example)):
            errors.append(f"{where}: example {example!r} does not match the pattern")
            continue
        out.append(SynonymPattern(pattern, " ".join(message.split()), example, regex))
    return tuple(out)


def _load_titles(raw: object, errors: list[str]) -> tuple[TitlePattern, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append("title_patterns: must be a list")
        return ()
    out: list[TitlePattern] = []
    for index, entry in enumerate(raw):
        where = _name("title_patterns", index, entry)
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping with phrase and track")
            continue
        phrase, track = entry.get("phrase"), entry.get("track")
        unknown = sorted(set(entry) - {"phrase", "track"}, key=str)
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
        elif not isinstance(phrase, str) or not _words(phrase):
            errors.append(f"{where}: phrase is empty or has no words")
        elif track not in TRACKS:
            errors.append(f"{where}: track must be one of {', '.join(TRACKS)}, got {track!r}")
        else:
            regex = _phrase_regex(phrase, plural=True, ignore_case=True)
            out.append(TitlePattern(phrase.strip(), track, regex))
    return tuple(out)


def load_phrasebook(path: str | Path) -> PhraseBook:
    """Read and validate a role-phrases YAML file.

    Raises ``ValueError`` listing every problem, each naming its entry
    (``"plant[3] 'work order': weight must be between 0.5 and 3.0, got 5"``), so an author can
    fix the file without guessing. A phrasebook that loads is one ``check_brief`` can use.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from exc
    cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == text:
        return cached[1]
    book = _parse_phrasebook(path, text)
    _CACHE[str(path)] = (text, book)
    return book


# Parsing and compiling takes tens of milliseconds and the book is immutable, so a book is reused
# for as long as its file's text is unchanged (an edited file is re-read on the next call).
_CACHE: dict[str, tuple[str, PhraseBook]] = {}


def _parse_phrasebook(path: Path, text: str) -> PhraseBook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping with plant, enterprise, ... lists")
    errors: list[str] = []
    unknown = sorted(set(data) - _TOP_KEYS, key=str)
    if unknown:
        errors.append(f"unknown section(s) {', '.join(map(str, unknown))}")
    if data.get("kind", _KIND) != _KIND:
        errors.append(f"kind must be {_KIND!r}, got {data.get('kind')!r}")
    plant = _load_phrases("plant", data.get("plant"), errors)
    enterprise = _load_phrases("enterprise", data.get("enterprise"), errors)
    _check_duplicates(plant + enterprise, errors)
    synonyms = _load_synonyms(data.get("synonym_patterns"), errors)
    titles = _load_titles(data.get("title_patterns"), errors)
    if errors:
        raise ValueError(f"{path}: " + "; ".join(errors))
    return PhraseBook(plant, enterprise, synonyms, titles, source=str(path))


# -- the check ---------------------------------------------------------------------------------


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
            why=phrases[order].why,
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
