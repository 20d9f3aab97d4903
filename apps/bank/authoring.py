"""An organization's own questions: validate, create, edit, publish, retire and export them.

Rules this module keeps (every interface calls it: the editor pages today):

- **One validation.** A question is checked exactly as the importer checks a bank file: its
  data is built into the YAML shape and validated by ``schema.QuestionIn`` (five anchors per
  criterion, key points, red flags, level, kind...) and by ``schema.check_references`` against
  the taxonomy in the database (competency, track, level, sources, ISA-95 tags through
  ``apps.bank.isa95``). Errors come back as a ``ValidationError`` keyed by the field's dotted
  path in that shape (``rubric.0.anchors.3``), so a form can put each on its own field.
- **One writer.** Rows are written by the importer's own writer (``importer._write_question``,
  ``importer._new_version``): a used (``locked``) version is never changed; an edit of it makes
  version n+1, and kits follow the new version. An unused version is rewritten in place.
- **Keys.** Question keys are unique across the whole bank (shipped, every organization, every
  version). An organization's keys therefore carry its slug as a prefix (``acme-dispatch``):
  the prefix is added when missing, so they cannot collide with shipped keys (which never
  start with an organization's slug) or another organization's, and a remaining clash (the
  same key twice) is refused with a message.
- **Only the organization's own questions** (``Question.organization``) are written here;
  shipped ones are read-only to tenants (report a problem with one instead).
"""

from __future__ import annotations

from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from apps.accounts.models import Organization

from . import importer, schema, selectors
from .models import Competency, KitItem, Level, Question, Source, Track


def own_key(organization: Organization, key: str) -> str:
    """The stored key of an organization's question: ``<slug>-<key>``, the prefix added once."""
    key = key.strip().lower()
    prefix = f"{organization.slug.lower()}-"
    return key if key.startswith(prefix) else f"{prefix}{key}"


def own_questions(organization: Organization) -> QuerySet[Question]:
    """Latest versions of the organization's own questions (never shipped or another's)."""
    return (
        Question.objects.latest()
        .filter(organization=organization)
        .select_related("competency", "track", "level")
    )


def taxonomy_bank() -> schema.Bank:
    """The database's tracks, levels, competencies and sources as a ``schema.Bank`` (four
    queries), so ``schema.check_references`` can check a question against them."""
    # model_construct: these rows were validated when imported; only the references matter.
    bank = schema.Bank()
    for t in Track.objects.all():
        bank.tracks[t.key] = schema.TrackIn.model_construct(key=t.key, name=t.name)
    for lv in Level.objects.all():
        bank.levels[lv.number] = schema.LevelIn.model_construct(number=lv.number, name=lv.name)
    for c in Competency.objects.prefetch_related("tracks"):
        bank.competencies[c.key] = schema.CompetencyIn.model_construct(
            key=c.key, name=c.name, isa95_area=c.isa95_area, tracks=[t.key for t in c.tracks.all()]
        )
    for s in Source.objects.all():
        bank.sources[s.tag] = schema.SourceIn.model_construct(tag=s.tag, title=s.title)
    return bank


def question_validate(
    data: dict[str, Any], *, bank: schema.Bank | None = None
) -> schema.QuestionIn:
    """``data`` (the YAML shape) as a validated ``schema.QuestionIn``, or a ``ValidationError``
    whose keys are the dotted paths of the fields at fault (every error, not the first)."""
    try:
        q_in = schema.QuestionIn.model_validate(data)
    except pydantic.ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"]) or "__all__"
            errors.setdefault(path, []).append(err["msg"])
        raise ValidationError(errors) from None
    bank = bank or taxonomy_bank()
    bank.questions[q_in.key] = q_in
    bank.origin[("questions", q_in.key)] = ("(form)", None)
    problems = schema.check_references(bank)
    if problems:
        errors = {}
        for problem in problems:
            errors.setdefault(problem.field or "__all__", []).append(problem.message)
        raise ValidationError(errors)
    return q_in


def _lookups() -> tuple[dict[str, Track], dict[int, Level], dict[str, Competency]]:
    return (
        {t.key: t for t in Track.objects.all()},
        {lv.number: lv for lv in Level.objects.all()},
        {c.key: c for c in Competency.objects.all()},
    )


@transaction.atomic
def question_create(*, organization: Organization, data: dict[str, Any]) -> Question:
    """A new question of the organization, as a draft (published with :func:`question_publish`
    once it is finished, so a half-written question never appears in a kit)."""
    data = {**data, "key": own_key(organization, str(data.get("key") or "")), "status": "draft"}
    q_in = question_validate(data)
    if Question.objects.filter(key=q_in.key).exists():
        raise ValidationError(
            {"key": f"The key \u201c{q_in.key}\u201d is already used in the bank; choose another."}
        )
    return importer._write_question(
        None, q_in, *_lookups(), version=1, organization_id=organization.pk
    )


@transaction.atomic
def question_update(*, question: Question, data: dict[str, Any]) -> Question:
    """Edit the organization's question. An unused version is rewritten in place; a used one
    stays exactly as it was and the edit becomes the next version (kits follow it), so past
    sessions and their scores never change. Key and status are not edited here."""
    current = Question.objects.select_for_update().get(pk=question.pk)
    if current.organization_id is None:
        raise ValidationError("A shipped question is read-only: report a problem with it.")
    if not current.is_latest:
        raise ValidationError("Only the latest version of a question can be edited.")
    q_in = question_validate({**data, "key": current.key, "status": current.status})
    if current.locked:
        return importer._new_version(current, q_in, *_lookups())
    return importer._write_question(current, q_in, *_lookups(), version=current.version)


def _own_latest(question: Question) -> Question:
    current = Question.objects.select_for_update().get(pk=question.pk)
    if current.organization_id is None:
        raise ValidationError("A shipped question is read-only: report a problem with it.")
    if not current.is_latest:
        raise ValidationError("Only the latest version of a question can change status.")
    return current


@transaction.atomic
def question_publish(*, question: Question) -> Question:
    """Draft -> published: from now on kits can use it."""
    current = _own_latest(question)
    if current.status != Question.Status.DRAFT:
        raise ValidationError(f"Only a draft can be published; this one is {current.status}.")
    current.status = Question.Status.PUBLISHED
    current.save(update_fields=["status", "updated_at"])
    return current


def question_kits(question: Question) -> list[str]:
    """Names of the kits that hold this question (the latest version of its key)."""
    return sorted(
        KitItem.objects.filter(question__key=question.key, question__is_latest=True)
        .values_list("kit__name", flat=True)
        .distinct()
    )


@transaction.atomic
def question_retire(*, question: Question) -> Question:
    """Retire the organization's question: it leaves the bank's lists and its kits, so no new
    session asks it. Past sessions keep the copy they froze, and their scores stay as they are.
    Retiring twice changes nothing."""
    current = _own_latest(question)
    if current.status == Question.Status.RETIRED:
        return current
    current.status = Question.Status.RETIRED
    current.save(update_fields=["status", "updated_at"])
    # Only the organization's kits can hold its question (shipped kits hold shipped ones).
    KitItem.objects.filter(question=current).delete()
    return current


def questions_export(organization: Organization) -> str:
    """The organization's questions (latest versions, every status) as a bank file, in the
    shape ``fixtures/bank/*.yaml`` uses (``importer.question_data``), so that the file
    validates with ``python -m apps.bank.schema fixtures/bank/taxonomy.yaml
    fixtures/bank/sources.yaml FILE``."""
    rows = selectors.with_rubric(own_questions(organization)).order_by("competency__order", "key")
    return importer.dump_text(
        f"Questions of {organization.name} (exported).",
        {"questions": [importer.question_data(q) for q in rows]},
    )


@transaction.atomic
def question_report(*, organization: Organization, question: Question, user, text: str):
    """Report a problem with a shipped question to the bank's editors: stored (the Django
    admin lists open reports) and e-mailed through the outbox to ``BANK_EDITORS_EMAIL`` when it
    is set. An organization's own question is not reported: it edits it (ValidationError)."""
    from django.conf import settings
    from django.urls import reverse

    from apps import outbox
    from apps.audit import events
    from apps.outbox.email import KIND as EMAIL_KIND
    from apps.outbox.email import PreparedEmail

    from .models import QuestionReport

    if question.organization_id is not None:
        raise ValidationError("This is your organization's question: edit it instead.")
    report = QuestionReport(
        organization=organization, question=question, reported_by=user, text=text.strip()
    )
    report.full_clean()
    report.save()
    if editors := settings.BANK_EDITORS_EMAIL:
        change = reverse("admin:bank_questionreport_change", args=[report.pk])
        admin_url = settings.SITE_URL + change
        body = (
            f"{organization.name} reports a problem with shipped question {question.key} "
            f"(version {question.version}):\n\n{report.text}\n\n"
            f"Reported by {getattr(user, 'email', '') or 'a member'}. Resolve it in the admin: "
            f"{admin_url}\n"
        )
        outbox.enqueue(
            EMAIL_KIND,
            PreparedEmail(
                to=editors, subject=f"Bank report: {question.key} v{question.version}", body=body
            ).payload(),
            organization=organization,
        )
    events.record(
        organization=organization,
        actor=user,
        action="question.reported",
        detail={"key": question.key, "version": question.version, "report": report.pk},
    )
    return report
