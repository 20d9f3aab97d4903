"""The question editor's form: an organization's own question, rubric included, on one page.

The form only parses what was typed (lines into lists, a "!" marker into a critical red flag,
criterion blocks into the rubric) and builds the YAML shape of a bank file. Whether the
question is valid is decided in one place, ``apps.bank.authoring.question_validate`` (the
importer's schema and reference rules); its errors, keyed by the shape's dotted paths, are put
back on the fields they are about by :meth:`QuestionForm.add_schema_errors`.

Criteria are a fixed number of blocks; "Add another criterion" is a submit button that shows
the form again with one more block (no script needed). A block left entirely blank is ignored.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from . import isa95, schema
from .importer import question_data
from .models import Competency, Level, Question, Track

MIN_CRITERIA = 2
MAX_CRITERIA = 8
#: A red flag line starting with this marks the flag as critical (it caps the label).
CRITICAL_MARK = "!"
_CRITERION = re.compile(r"^c\d+_")
CRITERION_PARTS = ("key", "label", "weight", *(f"a{r}" for r in schema.RATINGS))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def criteria_count(data, *, default: int) -> int:
    """How many criterion blocks to show: the posted count (one more after "Add another
    criterion"), else ``default``; always between MIN_CRITERIA and MAX_CRITERIA."""
    try:
        count = int(data.get("criteria", default)) if data is not None else default
    except (TypeError, ValueError):
        count = default
    if data is not None and "add_criterion" in data:
        count += 1
    return min(max(count, MIN_CRITERIA), MAX_CRITERIA)


def carry_over(data) -> dict[str, Any]:
    """Posted values as initial values: "Add another criterion" shows the form again with what
    was typed, one more block, and no errors (nothing was submitted for saving yet)."""
    multiple = ("isa95_categories", "isa95_activities")
    return {k: data.getlist(k) if k in multiple else data.get(k) for k in data}


class QuestionForm(forms.Form):
    key = forms.SlugField(
        max_length=60,
        help_text="Lower-case letters, digits and hyphens. Your organization's prefix is added "
        "(acme-\u2026), so the key never collides with a shipped question's.",
    )
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    guidance = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="What the interviewer listens for."
    )
    competency = forms.ChoiceField()
    track = forms.ChoiceField(help_text="Core: the question serves every track.")
    level = forms.TypedChoiceField(coerce=int)
    kind = forms.ChoiceField(choices=Question.Kind.choices)
    expected_minutes = forms.IntegerField(label="Expected minutes", initial=10)
    key_points = forms.CharField(
        label="Key points",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, three to six.",
    )
    follow_ups = forms.CharField(
        label="Follow-up probes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    red_flags = forms.CharField(
        label="Red flags",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line; start a line with \u201c{CRITICAL_MARK}\u201d for a critical "
        "flag (it caps the candidate's label at borderline).",
    )
    sources = forms.CharField(
        help_text="Source tags of the domain notes, separated by spaces or commas (e.g. S3 S12).",
    )
    isa95_categories = forms.MultipleChoiceField(
        label="ISA-95 categories",
        required=False,
        choices=list(isa95.CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    isa95_activities = forms.MultipleChoiceField(
        label="ISA-95 activities",
        required=False,
        choices=list(isa95.ACTIVITIES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    isa95_boundary = forms.BooleanField(
        label="About the Level 3-4 boundary or ERP/MES integration", required=False
    )
    isa95_outside = forms.CharField(
        label="Samples no ISA-95 activity because\u2026",
        required=False,
        max_length=isa95.OUTSIDE_MAX_LENGTH,
        help_text="Only for a question with no category that is not about the boundary.",
    )

    def __init__(self, *args, n_criteria: int = MIN_CRITERIA, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["key"]  # stable across versions
        self.fields["competency"].choices = [
            (c.key, c.name) for c in Competency.objects.order_by("order", "key")
        ]
        self.fields["track"].choices = [
            *[(t.key, t.name) for t in Track.objects.all()],
            (schema.CORE_TRACK, "Core (every track)"),
        ]
        self.fields["level"].choices = [(lv.number, str(lv)) for lv in Level.objects.all()]
        self.n_criteria = n_criteria
        for i in range(n_criteria):
            self.fields[f"c{i}_key"] = forms.SlugField(
                label="Criterion key", max_length=60, required=False
            )
            self.fields[f"c{i}_label"] = forms.CharField(
                label="Label", max_length=200, required=False
            )
            self.fields[f"c{i}_weight"] = forms.FloatField(
                label="Weight", required=False, initial=1
            )
            for r in schema.RATINGS:
                self.fields[f"c{i}_a{r}"] = forms.CharField(
                    label=f"Anchor {r}", required=False, widget=forms.Textarea(attrs={"rows": 2})
                )
        self._blocks: list[int] = []

    # -- rendering helpers -------------------------------------------------------------------

    def main_fields(self):
        return [f for f in self if not f.name.startswith("isa95_") and not _CRITERION.match(f.name)]

    def isa95_fields(self):
        return [f for f in self if f.name.startswith("isa95_")]

    def criterion_blocks(self):
        return [
            {"number": i + 1, "fields": [self[f"c{i}_{part}"] for part in CRITERION_PARTS]}
            for i in range(self.n_criteria)
        ]

    # -- the YAML shape ----------------------------------------------------------------------

    def schema_data(self) -> dict[str, Any]:
        """The cleaned form as a bank file's question entry (``schema.QuestionIn``'s shape)."""
        d = self.cleaned_data
        red_flags = []
        for line in _lines(d["red_flags"]):
            critical = line.startswith(CRITICAL_MARK)
            red_flags.append(
                {"text": line.removeprefix(CRITICAL_MARK).strip(), "critical": critical}
            )
        rubric, self._blocks = [], []
        for i in range(self.n_criteria):
            parts = {p: d.get(f"c{i}_{p}") for p in CRITERION_PARTS}
            if not any(v not in (None, "") for p, v in parts.items() if p != "weight"):
                continue  # a blank block
            self._blocks.append(i)
            rubric.append(
                {
                    "key": parts["key"] or "",
                    "label": parts["label"] or "",
                    "weight": 1.0 if parts["weight"] is None else parts["weight"],
                    "anchors": {r: parts[f"a{r}"] or "" for r in schema.RATINGS},
                }
            )
        data: dict[str, Any] = {
            "competency": d["competency"],
            "track": d["track"],
            "level": d["level"],
            "kind": d["kind"],
            "expected_minutes": d["expected_minutes"],
            "sources": [s for s in d["sources"].replace(",", " ").split() if s],
            "prompt": d["prompt"],
            "guidance": d["guidance"],
            "key_points": _lines(d["key_points"]),
            "follow_ups": _lines(d["follow_ups"]),
            "red_flags": red_flags,
            "rubric": rubric,
            "isa95": {
                "categories": list(d["isa95_categories"]),
                "activities": list(d["isa95_activities"]),
                "boundary": d["isa95_boundary"],
                "outside": d["isa95_outside"],
            },
        }
        if not self.editing:
            data["key"] = d["key"]
        return data

    def add_schema_errors(self, exc: ValidationError) -> None:
        """Put the validation's errors (keyed by dotted path) on the fields they name; what
        has no field of its own goes on the form with its path, so nothing is lost."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for path, messages in exc.message_dict.items():
            field, prefix = self._field_for(path)
            for message in messages:
                self.add_error(field, f"{prefix}{message}")

    def _field_for(self, path: str) -> tuple[str | None, str]:
        parts = path.split(".")
        head = parts[0]
        if head == "rubric" and len(parts) >= 2 and parts[1].isdigit():
            n = int(parts[1])
            block = self._blocks[n] if n < len(self._blocks) else 0
            rest = parts[2:]
            if rest and rest[0] == "anchors":
                if len(rest) > 1 and rest[1].isdigit():
                    return f"c{block}_a{rest[1]}", ""
                return f"c{block}_a0", "Anchors: "
            if rest and f"c{block}_{rest[0]}" in self.fields:
                return f"c{block}_{rest[0]}", ""
            return f"c{block}_key", ""
        if head == "rubric":
            return None, "Rubric: "
        if head == "isa95":
            name = f"isa95_{parts[1]}" if len(parts) > 1 else "isa95_categories"
            return (name if name in self.fields else "isa95_categories"), ""
        if head in self.fields:
            if len(parts) > 1 and parts[1].isdigit():
                return head, f"line {int(parts[1]) + 1}: "
            return head, ""
        return None, f"{path}: " if path != "__all__" else ""


def initial_from(question: Question) -> dict[str, Any]:
    """The form's initial values for a stored question (criteria and anchors prefetched)."""
    data = question_data(question)
    tags = isa95.Tags.of(question)
    initial: dict[str, Any] = {
        "prompt": data["prompt"],
        "guidance": data["guidance"],
        "competency": data["competency"],
        "track": data["track"],
        "level": data["level"],
        "kind": data["kind"],
        "expected_minutes": data["expected_minutes"],
        "key_points": "\n".join(data["key_points"]),
        "follow_ups": "\n".join(data["follow_ups"]),
        "red_flags": "\n".join(
            f"{CRITICAL_MARK} {f['text']}" if f["critical"] else f["text"]
            for f in data["red_flags"]
        ),
        "sources": " ".join(data["sources"]),
        "isa95_categories": list(tags.categories),
        "isa95_activities": list(tags.activities),
        "isa95_boundary": tags.boundary,
        "isa95_outside": tags.outside,
    }
    for i, c in enumerate(data["rubric"]):
        initial.update(
            {f"c{i}_key": c["key"], f"c{i}_label": c["label"], f"c{i}_weight": c["weight"]}
        )
        initial.update({f"c{i}_a{r}": text for r, text in c["anchors"].items()})
    return initial
