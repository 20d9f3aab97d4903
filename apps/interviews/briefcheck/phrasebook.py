"""The phrasebook: weighted phrase lists kept as data (fixtures/role_phrases.yaml), validated."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

#: The two tracks of the bank (fixtures/bank/taxonomy.yaml).
TRACKS = ("plant", "enterprise")
#: Every reading the check can give.
READINGS = ("plant", "enterprise", "mixed", "unclear")
#: Allowed phrase weights: 0.5 is a faint hint, 3 a phrase only one kind of role uses.
WEIGHT_MIN = 0.5
WEIGHT_MAX = 3.0
_PHRASE_KEYS = {"phrase", "variants", "acronyms", "weight", "why", "plural"}
_TOP_KEYS = {"kind", "plant", "enterprise", "synonym_patterns", "title_patterns"}
_KIND = "role_phrases"
# Between the words of a phrase: whitespace, hyphens and dashes, slash, ampersand, comma,
# underscore, or nothing at all ("multi-site", "multi site", "multisite").
_SEP = r"[\s,&/_\-\u2010-\u2015]*"
_WORD = re.compile(r"[^\W_]+")


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
