"""Sessions: creation freezes the kit and the role; interviewers; cancellation.

Freezing shares content: each item points at the content-addressed ``FrozenQuestion`` of its
question version (``frozen_questions``), created once and never updated, so a later edit of
the bank (a new version, new content, a new row) never reaches a past session.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from apps.bank import isa95
from apps.bank.models import Anchor, Criterion, Kit, Question
from apps.bank.services import questions_lock

from .. import events
from .. import frozen as content_address
from ..models import (
    Candidate,
    CandidateSession,
    FrozenQuestion,
    Invitation,
    Position,
    PositionStage,
    SessionItem,
)
from . import scheduling
from .applications import application_for
from .scoring import application_rescore, panel_complete


def _freeze_rubric(question: Question) -> list[dict]:
    return [
        {
            "key": c.key,
            "label": c.label,
            "weight": c.weight,
            "anchors": {str(a.rating): a.text for a in c.anchors.all()},
        }
        for c in question.criteria.all()
    ]


def frozen_content(question: Question) -> dict:
    """What a session freezes of a question version (``apps.interviews.frozen.CONTENT_FIELDS``);
    prefetch its criteria and their anchors (ordered by rating)."""
    return {
        "prompt": question.prompt,
        "guidance": question.guidance,
        "key_points": list(question.key_points),
        "follow_ups": list(question.follow_ups),
        "red_flags": list(question.red_flags),
        "rubric": _freeze_rubric(question),
        "expected_minutes": question.expected_minutes,
    }


def frozen_questions(contents: Iterable[dict]) -> list[FrozenQuestion]:
    """The shared FrozenQuestion row of each content, in order, creating the missing ones.

    Two queries when every content is known, three when some are new. Concurrent sessions
    freezing the same new content both insert it with ON CONFLICT DO NOTHING (the digest is
    unique) and then read the one row that won."""
    contents = list(contents)
    digests = [content_address.digest(c) for c in contents]
    rows = {f.digest: f for f in FrozenQuestion.objects.filter(digest__in=set(digests))}
    missing = {d: c for d, c in zip(digests, contents, strict=True) if d not in rows}
    if missing:
        FrozenQuestion.objects.bulk_create(
            [FrozenQuestion(digest=d, **c) for d, c in missing.items()], ignore_conflicts=True
        )
        rows.update({f.digest: f for f in FrozenQuestion.objects.filter(digest__in=list(missing))})
    return [rows[d] for d in digests]


@transaction.atomic
def session_create(
    *,
    position: Position,
    candidate: Candidate,
    mode: str = CandidateSession.Mode.LIVE,
    interviewers: Iterable = (),
    created_by=None,
    kit: Kit | None = None,
    question_keys: Iterable[str] | None = None,
    questions: Iterable[Question] | None = None,
    stage: PositionStage | None = None,
) -> CandidateSession:
    """Create a session and freeze the kit's questions, rubrics and the role into it.

    The session joins the candidate's application for the position (created, freezing the role,
    with the first session), and takes the application's frozen role, so every stage of one
    application is scored against the same target. ``question_keys`` narrows the kit to a
    chosen subset (a take-home of some items)."""
    if candidate.organization_id != position.organization_id:
        raise ValidationError({"candidate": "The candidate belongs to another organization."})
    interviewers = list(interviewers)
    member_ids = set(
        position.organization.memberships.filter(user__in=[u.pk for u in interviewers]).values_list(
            "user_id", flat=True
        )
    )
    if any(u.pk not in member_ids for u in interviewers):
        raise ValidationError(
            {"interviewers": "Interviewers must be members of your organization."}
        )
    if stage is not None:
        if stage.position_id != position.pk:
            raise ValidationError({"stage": "Choose a stage of this position's plan."})
        kit = kit or stage.kit
        mode = stage.mode
    kit = kit or position.kit
    application = application_for(candidate=candidate, position=position)
    session = CandidateSession(
        organization=position.organization,
        candidate=candidate,
        position=position,
        application=application,
        stage=stage,
        mode=mode,
        role_track=application.role_track,
        role_level=application.role_level,
        role_weights=dict(application.role_weights),
        kit_key=kit.key,
        created_by=created_by,
    )
    session.full_clean()
    session.save()
    session.interviewers.set(interviewers)
    criteria = Prefetch(
        "criteria",
        queryset=Criterion.objects.prefetch_related(
            Prefetch("anchors", queryset=Anchor.objects.order_by("rating"))
        ),
    )
    if questions is not None:
        chosen = [q.pk for q in questions]
        found = {
            q.pk: q
            for q in Question.objects.visible_to(position.organization)
            .filter(pk__in=chosen)
            .select_related("competency", "track")
            .prefetch_related(criteria)
        }
        if len(found) != len(set(chosen)):
            raise ValidationError({"questions": "Choose questions of the bank you can see."})
        picked = [(found[pk], 1.0) for pk in dict.fromkeys(chosen)]
    else:
        kit_items = kit.items.select_related(
            "question__competency", "question__track"
        ).prefetch_related(Prefetch("question__criteria", queryset=criteria.queryset))
        if question_keys is not None:
            kit_items = kit_items.filter(question__key__in=list(question_keys))
        picked = [(ki.question, ki.weight) for ki in kit_items]
    picked = _published(picked, criteria)
    shared = frozen_questions(frozen_content(q) for q, _ in picked)
    items = []
    for order, ((q, weight), frozen) in enumerate(zip(picked, shared, strict=True)):
        items.append(
            SessionItem(
                session=session,
                order=order,
                question=q,
                frozen=frozen,
                question_key=q.key,
                question_version=q.version,
                competency_key=q.competency.key,
                competency_name=q.competency.name,
                track_tag=q.track_tag,
                level=q.level_id,
                kind=q.kind,
                weight=weight,
                **isa95.Tags.of(q).as_fields(),
            )
        )
    if not items:
        raise ValidationError({"kit": "The kit has no questions."})
    SessionItem.objects.bulk_create(items)
    questions_lock(question_ids=[i.question_id for i in items])
    events.emit("session.created", session)
    return session


def _published(picked: list[tuple[Question, float]], criteria: Prefetch) -> list:
    """Never a draft in front of a candidate: a kit holds a draft while its author revises a
    used question ("Open a new version"); until that draft is published, a session asks the
    latest published version of its key (one query for all of them). A draft with no published
    version before it is left out."""
    drafts = {q.key for q, _ in picked if q.status == Question.Status.DRAFT}
    if not drafts:
        return picked
    published = {}
    for q in (
        Question.objects.filter(key__in=drafts, status=Question.Status.PUBLISHED)
        .select_related("competency", "track")
        .prefetch_related(criteria)
        .order_by("key", "-version")
    ):
        published.setdefault(q.key, q)
    out = []
    for q, weight in picked:
        if q.status == Question.Status.DRAFT:
            q = published.get(q.key)
            if q is None:
                continue
        out.append((q, weight))
    return out


@transaction.atomic
def session_assign_interviewers(*, session: CandidateSession, interviewers: Iterable) -> None:
    """Add interviewers to a session (sessions ordered by an ATS arrive without any)."""
    interviewers = list(interviewers)
    member_ids = set(
        session.organization.memberships.filter(user__in=[u.pk for u in interviewers]).values_list(
            "user_id", flat=True
        )
    )
    if any(u.pk not in member_ids for u in interviewers):
        raise ValidationError(
            {"interviewers": "Interviewers must be members of your organization."}
        )
    session = CandidateSession.objects.select_for_update().get(pk=session.pk)
    session.interviewers.add(*interviewers)
    changes = {"updated_at": timezone.now()}
    if session.status == CandidateSession.Status.SCORED and not panel_complete(session):
        # A new panel member has not scored yet: back to awaiting scorecards, so no page or
        # partner (Greenhouse's "complete") treats the result as final any more.
        submitted = Invitation.objects.filter(session=session, submitted_at__isnull=False)
        changes["status"] = (
            CandidateSession.Status.SUBMITTED
            if submitted.exists()
            else CandidateSession.Status.IN_PROGRESS
        )
    CandidateSession.objects.filter(pk=session.pk).update(**changes)


@transaction.atomic
def session_cancel(*, session: CandidateSession, rescore: bool = True) -> CandidateSession:
    """Cancel a session: its ratings stop counting in the application's result, and the
    interviewers invited to it get a calendar cancellation (``scheduling.session_uninvite``).
    ``rescore=False``: leave the stored result as it is (an erasure reports nothing new about
    the person)."""
    session = CandidateSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CandidateSession.Status.CANCELLED:
        session.status = CandidateSession.Status.CANCELLED
        session.save(update_fields=["status", "updated_at"])
        scheduling.session_uninvite(session=session)
        if rescore:
            application_rescore(application=session.application)
    return session
