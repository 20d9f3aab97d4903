"""Practice answers: a reference answer to one exact question version, rated by an admin per
criterion, that members rate blind to learn the anchors.

Rules kept here:
- a practice answer belongs to one organization and points at a question version that
  organization may see (its own or a shipped one); the version is locked when used, so its
  rubric (criterion keys and anchors) never changes under the reference;
- the reference rates every criterion of that rubric 0-4, and so does every practice rating
  (``criterion_ratings_errors``, called by ``clean`` of both models);
- one practice rating per user per practice answer: rating again replaces it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.accounts.models import Organization
from apps.bank.models import Question

RATING_CHOICES = [(r, str(r)) for r in range(5)]


def criterion_ratings_errors(keys: list[str], ratings: object) -> list[str]:
    """Why ``ratings`` is not one 0-4 rating per criterion key in ``keys`` (empty when it is)."""
    if not isinstance(ratings, dict):
        return ["Give one rating per criterion, as {criterion key: 0-4}."]
    errors = []
    for key in keys:
        value = ratings.get(key)
        if value is None:
            errors.append(f"Criterion {key!r}: rate it 0-4.")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            errors.append(f"Criterion {key!r}: {value!r} is not a rating 0-4.")
    errors += [f"Criterion {key!r} is not in this question's rubric." for key in ratings
               if key not in keys]  # fmt: skip
    return errors


class PracticeAnswer(models.Model):
    """A reference answer with the rating it deserves per criterion, and why."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="practice_answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(help_text="The answer as a candidate might give it.")
    reference = models.JSONField(help_text="{criterion key: rating 0-4}")
    note = models.TextField(help_text="Why these ratings: which anchor the answer meets, and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"Practice answer {self.pk} to {self.question_id}"

    def clean(self) -> None:
        question = self.question
        if question.organization_id not in (None, self.organization_id):
            raise ValidationError({"question": "Choose a question your organization can see."})
        keys = [c.key for c in question.criteria.all()]
        if errors := criterion_ratings_errors(keys, self.reference):
            raise ValidationError({"reference": errors})


class PracticeRating(models.Model):
    """One member's ratings of a practice answer; rating it again replaces them."""

    practice_answer = models.ForeignKey(
        PracticeAnswer, on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ratings = models.JSONField(help_text="{criterion key: rating 0-4}")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice_answer", "user"], name="one_practice_rating_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on practice answer {self.practice_answer_id}"

    def clean(self) -> None:
        keys = [c.key for c in self.practice_answer.question.criteria.all()]
        if errors := criterion_ratings_errors(keys, self.ratings):
            raise ValidationError({"ratings": errors})
