"""Forms of the practice pages: one 0-4 choice per rubric criterion (the anchors are its
labels, as on the scorecard), plus the answer and the note when an admin writes a reference."""

from __future__ import annotations

from django import forms

from apps.bank.models import Question


class CriterionRatingsForm(forms.Form):
    """One required 0-4 rating per criterion of ``question`` (criteria and anchors prefetched),
    in fields named ``c-<criterion key>``."""

    def __init__(self, *args, question: Question, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(question.criteria.all())
        for criterion in self.criteria:
            self.fields[f"c-{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=[(a.rating, f"{a.rating}: {a.text}") for a in criterion.anchors.all()]
                or [(r, str(r)) for r in range(5)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Rate “{criterion.label}” 0-4.",
                    "invalid_choice": f"Rate “{criterion.label}” with one of the anchors (0-4).",
                },
            )

    def criterion_ratings(self) -> dict[str, int]:
        return {c.key: self.cleaned_data[f"c-{c.key}"] for c in self.criteria}


class PracticeAnswerForm(CriterionRatingsForm):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text="The answer as a candidate might give it, in their words.",
    )
    note = forms.CharField(
        label="Why these ratings",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=(
            "Which anchor the answer meets on each criterion, and what keeps it from the next."
        ),
    )


class QuestionPickForm(forms.Form):
    question = forms.ChoiceField(label="Question")

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            (q.key, f"{q.competency.name} · L{q.level_id} · {q.prompt[:90]}") for q in questions
        ]
