"""Rated sessions for the calibration tests, built through the interview services (sessions
frozen, scorecards saved and submitted for real), so the report reads what the scores read."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from apps.accounts.models import Role
from apps.bank.models import Anchor, Criterion, Question
from apps.interviews import services
from apps.interviews.models import Candidate
from tests.factories import (
    KitFactory,
    KitItemFactory,
    MembershipFactory,
    QuestionFactory,
    make_position,
)

#: A cell of a rating grid: an int rates every criterion of the item so; a dict rates each
#: criterion by key; NOT_ASKED marks the item not asked on that scorecard.
NOT_ASKED = "not asked"


def question_with(criteria: Sequence[tuple[str, float]], **fields) -> Question:
    """A published question whose rubric has these (key, weight) criteria, anchors 0-4."""
    question = QuestionFactory(rubric=False, **fields)
    for order, (key, weight) in enumerate(criteria):
        crit = Criterion.objects.create(
            question=question, key=key, label=key.title(), weight=weight, order=order
        )
        Anchor.objects.bulk_create(
            [Anchor(criterion=crit, rating=r, text=f"{key} anchor {r}") for r in range(5)]
        )
    return question


def kit_of(questions: Sequence[Question], organization=None):
    kit = KitFactory(organization=organization)
    for order, question in enumerate(questions):
        KitItemFactory(kit=kit, question=question, order=order)
    return kit


def interviewers(org, *names: str) -> list:
    """Interviewers of ``org``: ``"dora"`` becomes user dora, full name "Dora Dora-Family"."""
    return [
        MembershipFactory(
            organization=org,
            role=Role.INTERVIEWER,
            user__username=name,
            user__first_name=name.title(),
            user__last_name=f"{name.title()}-Family",
        ).user
        for name in names
    ]


def rate_sessions(org, kit, grid: Sequence[dict]) -> list:
    """One session per entry of ``grid`` (``{interviewer: [cell per kit item]}``), each
    interviewer's scorecard saved and submitted through the services. An interviewer absent
    from an entry has no scorecard in that session."""
    position = make_position(org, kit, job_description="Shop floor MES.")
    sessions = []
    for entry in grid:
        n = Candidate.objects.count()
        candidate = services.candidate_create(
            organization=org, name=f"Candidate {n}", email=f"cal{n}-{org.slug}@example.com"
        )
        session = services.session_create(
            position=position, candidate=candidate, interviewers=list(entry)
        )
        items = list(session.items.all())
        for user, cells in entry.items():
            data = services.ScorecardData(recommendation="yes")
            for item, cell in zip(items, cells, strict=True):
                if cell == NOT_ASKED:
                    data.not_asked[item.pk] = True
                    continue
                for crit in item.rubric:
                    value = cell[crit["key"]] if isinstance(cell, dict) else cell
                    data.ratings[(item.pk, crit["key"])] = value
            card = services.scorecard_for(session=session, interviewer=user)
            services.scorecard_save_draft(scorecard=card, data=data)
            services.scorecard_submit(scorecard=card)
        sessions.append(session)
    return sessions


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client
