"""Import and export of the shipped bank (``fixtures/bank/*.yaml``).

``import_bank`` validates every file first (``apps.bank.schema.load_bank``); with any error it
raises :class:`BankImportError` listing them all and writes nothing. Otherwise it upserts by key
in one transaction: unchanged entries are left alone (re-running changes nothing), a changed
question that a session has used gets a new version, any other changed question is updated in
place. ``export_bank`` writes the same shape back, so a round trip is lossless.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from . import isa95, schema
from .models import (
    Anchor,
    Competency,
    Criterion,
    Kit,
    KitItem,
    Level,
    Plan,
    PlanStage,
    Question,
    Source,
    Track,
)


class BankImportError(Exception):
    def __init__(self, errors: list[schema.BankError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the bank files; nothing was imported")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)
    unchanged: int = 0
    kits_written: list[str] = field(default_factory=list)
    plans_written: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"questions: {len(self.created)} created, {len(self.updated)} updated in place, "
            f"{len(self.versioned)} new versions, {self.unchanged} unchanged; "
            f"kits written: {len(self.kits_written)}; plans written: {len(self.plans_written)}"
        )


# -- the canonical data shape (shared by import comparison and export) ------------------------


def question_data(q: Question) -> dict[str, Any]:
    """A question version as the YAML shape (``schema.QuestionIn``); needs criteria+anchors.

    ``isa95`` is left out for an untagged question (an organization's own, or one imported
    before tags existed), so that the export never writes an empty mapping the schema refuses."""
    tags = isa95.Tags.of(q)
    return {
        "key": q.key,
        "competency": q.competency.key,
        "track": q.track_tag,
        "level": q.level_id,
        "kind": q.kind,
        "status": q.status,
        "expected_minutes": q.expected_minutes,
        "sources": list(q.sources),
        **({} if tags.empty else {"isa95": tags.as_yaml()}),
        "prompt": q.prompt,
        "guidance": q.guidance,
        "key_points": list(q.key_points),
        "follow_ups": list(q.follow_ups),
        "red_flags": [
            {"text": f["text"], "critical": bool(f.get("critical"))} for f in q.red_flags
        ],
        "rubric": [
            {
                "key": c.key,
                "label": c.label,
                "weight": c.weight,
                "anchors": {a.rating: a.text for a in c.anchors.all()},
            }
            for c in q.criteria.all()
        ],
    }


def kit_data(kit: Kit) -> dict[str, Any]:
    return {
        "key": kit.key,
        "name": kit.name,
        "track": kit.track.key,
        "level": kit.level_id,
        "take_home": kit.take_home,
        "description": kit.description,
        "competency_weights": dict(kit.competency_weights),
        "items": [{"question": i.question.key, "weight": i.weight} for i in kit.items.all()],
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    """A plan as the YAML shape (``schema.PlanIn``); needs its stages with their kits.

    ``expected_minutes`` stays None when the stage takes its minutes from the kit, so that the
    export writes only what the author wrote (a lossless round trip)."""
    return {
        "key": plan.key,
        "name": plan.name,
        "track": plan.track.key,
        "level": plan.level_id,
        "description": plan.description,
        "competency_weights": dict(plan.competency_weights),
        "stages": [
            {
                "name": s.name,
                "kit": s.kit.key,
                "mode": s.mode,
                "interviewers": s.panel_size,
                "expected_minutes": s.expected_minutes,
            }
            for s in plan.stages.all()
        ],
    }


def _incoming(q: schema.QuestionIn) -> dict[str, Any]:
    data = q.model_dump()
    data["red_flags"] = [{"text": f["text"], "critical": f["critical"]} for f in data["red_flags"]]
    data.pop("isa95")
    tags = _tags(q)
    return data if tags.empty else {**data, "isa95": tags.as_yaml()}  # as question_data writes it


def _without_tags(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "isa95"}


def _tags(q: schema.QuestionIn) -> isa95.Tags:
    return q.isa95.tags() if q.isa95 is not None else isa95.Tags()


# -- import -----------------------------------------------------------------------------------


def import_bank(paths: list[str | Path]) -> ImportReport:
    bank, errors = schema.load_bank(paths)
    if errors:
        raise BankImportError(errors)
    report = ImportReport()
    with transaction.atomic():
        tracks = _upsert_tracks(bank)
        levels = _upsert_levels(bank)
        competencies = _upsert_competencies(bank, tracks)
        _upsert_sources(bank)
        questions = _upsert_questions(bank, tracks, levels, competencies, report)
        _upsert_kits(bank, tracks, levels, questions, report)
        _upsert_plans(bank, tracks, levels, report)
    return report


def _upsert_tracks(bank: schema.Bank) -> dict[str, Track]:
    for order, t in enumerate(bank.tracks.values()):
        Track.objects.update_or_create(
            key=t.key, defaults={"name": t.name, "description": t.description, "order": order}
        )
    return {t.key: t for t in Track.objects.all()}


def _upsert_levels(bank: schema.Bank) -> dict[int, Level]:
    for lv in bank.levels.values():
        Level.objects.update_or_create(number=lv.number, defaults={"name": lv.name})
    return {lv.number: lv for lv in Level.objects.all()}


def _upsert_competencies(bank: schema.Bank, tracks: dict[str, Track]) -> dict[str, Competency]:
    for order, c in enumerate(bank.competencies.values()):
        comp, _ = Competency.objects.update_or_create(
            key=c.key,
            defaults={
                "name": c.name,
                "isa95_area": c.isa95_area,
                "description": c.description,
                "order": order,
            },
        )
        comp.tracks.set([tracks[k] for k in c.tracks])
    return {c.key: c for c in Competency.objects.all()}


def _upsert_sources(bank: schema.Bank) -> None:
    for s in bank.sources.values():
        Source.objects.update_or_create(tag=s.tag, defaults={"title": s.title})


def _upsert_questions(
    bank: schema.Bank,
    tracks: dict[str, Track],
    levels: dict[int, Level],
    competencies: dict[str, Competency],
    report: ImportReport,
) -> dict[str, Question]:
    existing = {
        q.key: q
        for q in Question.objects.latest()
        .filter(key__in=list(bank.questions))
        .select_related("competency", "track", "organization")
        .prefetch_related("criteria__anchors")
    }
    for key, q_in in bank.questions.items():
        incoming = _incoming(q_in)
        current = existing.get(key)
        if current is not None and current.organization_id is not None:
            raise BankImportError(
                [
                    schema.BankError(
                        *bank.origin[("questions", key)],
                        f"question {key!r}",
                        "key",
                        "is already used by an organization's own question",
                    )
                ]
            )
        if current is None:
            _write_question(None, q_in, tracks, levels, competencies, version=1)
            report.created.append(key)
        elif (current_data := question_data(current)) == incoming:
            report.unchanged += 1
        elif current.locked and _without_tags(current_data) == _without_tags(incoming):
            # Only the ISA-95 tags changed: sessions froze their own copy of them, so the used
            # version is corrected in place rather than versioned.
            Question.objects.filter(pk=current.pk).update(**_tags(q_in).as_fields())
            report.updated.append(key)
        elif current.locked:
            _new_version(current, q_in, tracks, levels, competencies)
            report.versioned.append(key)
        else:
            _write_question(current, q_in, tracks, levels, competencies, version=current.version)
            report.updated.append(key)
    return {q.key: q for q in Question.objects.latest().filter(key__in=list(bank.questions))}


def _write_question(
    question: Question | None,
    q_in: schema.QuestionIn,
    tracks: dict[str, Track],
    levels: dict[int, Level],
    competencies: dict[str, Competency],
    *,
    version: int,
    organization_id: int | None = None,
) -> Question:
    """Create (``question`` None) or rewrite an unused version from a validated entry. Also the
    writer of an organization's own questions (``apps.bank.authoring``)."""
    fields = {
        "competency": competencies[q_in.competency],
        "track": None if q_in.track == schema.CORE_TRACK else tracks[q_in.track],
        "level": levels[q_in.level],
        "kind": q_in.kind,
        "status": q_in.status,
        "prompt": q_in.prompt,
        "guidance": q_in.guidance,
        "key_points": list(q_in.key_points),
        "follow_ups": list(q_in.follow_ups),
        "red_flags": [{"text": f.text, "critical": f.critical} for f in q_in.red_flags],
        "sources": list(q_in.sources),
        "expected_minutes": q_in.expected_minutes,
        **_tags(q_in).as_fields(),
    }
    if question is None:
        question = Question(
            key=q_in.key,
            version=version,
            is_latest=True,
            organization_id=organization_id,
            **fields,
        )
    else:
        if question.locked:  # the rule that protects past sessions, checked where it matters
            raise ValueError(f"question {question.key} v{question.version} is locked")
        for name, value in fields.items():
            setattr(question, name, value)
        question.criteria.all().delete()
    question.full_clean(exclude=["competency", "track", "level", "organization"])
    question.save()
    write_rubric(question, q_in.rubric)
    return question


def write_rubric(question: Question, rubric: list[schema.CriterionIn]) -> None:
    criteria = Criterion.objects.bulk_create(
        [
            Criterion(question=question, key=c.key, label=c.label, weight=c.weight, order=i)
            for i, c in enumerate(rubric)
        ]
    )
    Anchor.objects.bulk_create(
        [
            Anchor(criterion=crit, rating=rating, text=text)
            for crit, c in zip(criteria, rubric, strict=True)
            for rating, text in c.anchors.items()
        ]
    )


def _new_version(
    current: Question,
    q_in: schema.QuestionIn,
    tracks: dict[str, Track],
    levels: dict[int, Level],
    competencies: dict[str, Competency],
) -> Question:
    """Keep the used version as it is; the edit becomes version n+1 and kits follow it."""
    Question.objects.filter(pk=current.pk).update(is_latest=False)
    new = _write_question(
        None,
        q_in,
        tracks,
        levels,
        competencies,
        version=current.version + 1,
        organization_id=current.organization_id,
    )
    KitItem.objects.filter(question=current).update(question=new)
    return new


def _upsert_kits(
    bank: schema.Bank,
    tracks: dict[str, Track],
    levels: dict[int, Level],
    questions: dict[str, Question],
    report: ImportReport,
) -> None:
    existing = {
        k.key: k
        for k in Kit.objects.filter(key__in=list(bank.kits))
        .select_related("track")
        .prefetch_related("items__question")
    }
    for key, k_in in bank.kits.items():
        incoming = k_in.model_dump()
        kit = existing.get(key)
        if kit is not None and kit.organization_id is not None:
            # Kit keys are unique across the bank: a shipped kit must never take over (and
            # rewrite) an organization's own kit that happens to use the same key.
            raise BankImportError(
                [
                    schema.BankError(
                        *bank.origin[("kits", key)],
                        f"kit {key!r}",
                        "key",
                        "is already used by an organization's own kit",
                    )
                ]
            )
        if kit is not None and kit_data(kit) == incoming:
            continue
        fields = {
            "name": k_in.name,
            "track": tracks[k_in.track],
            "level": levels[k_in.level],
            "take_home": k_in.take_home,
            "description": k_in.description,
            "competency_weights": dict(k_in.competency_weights),
        }
        if kit is None:
            kit = Kit.objects.create(key=key, **fields)
        else:
            for name, value in fields.items():
                setattr(kit, name, value)
            kit.save()
            kit.items.all().delete()
        KitItem.objects.bulk_create(
            [
                KitItem(kit=kit, question=questions[i.question], weight=i.weight, order=n)
                for n, i in enumerate(k_in.items)
            ]
        )
        report.kits_written.append(key)


def _upsert_plans(
    bank: schema.Bank,
    tracks: dict[str, Track],
    levels: dict[int, Level],
    report: ImportReport,
) -> None:
    """Shipped plans by key (organization NULL; an organization's plan may share the key)."""
    existing = {
        p.key: p
        for p in Plan.objects.filter(organization__isnull=True, key__in=list(bank.plans))
        .select_related("track")
        .prefetch_related("stages__kit")
    }
    kits = {
        k.key: k
        for k in Kit.objects.filter(
            organization__isnull=True,
            key__in={s.kit for p in bank.plans.values() for s in p.stages},
        )
    }
    for key, p_in in bank.plans.items():
        plan = existing.get(key)
        if plan is not None and plan_data(plan) == p_in.model_dump():
            continue
        fields = {
            "name": p_in.name,
            "track": tracks[p_in.track],
            "level": levels[p_in.level],
            "description": p_in.description,
            "competency_weights": dict(p_in.competency_weights),
        }
        if plan is None:
            plan = Plan.objects.create(organization=None, key=key, **fields)
        else:
            for name, value in fields.items():
                setattr(plan, name, value)
            plan.save()
            plan.stages.all().delete()
        PlanStage.objects.bulk_create(
            [
                PlanStage(
                    plan=plan,
                    order=n,
                    name=s.name,
                    mode=s.mode,
                    kit=kits[s.kit],
                    expected_minutes=s.expected_minutes,
                    panel_size=s.interviewers,
                )
                for n, s in enumerate(p_in.stages)
            ]
        )
        report.plans_written.append(key)


# -- export -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 80 or "\n" in value else None
    if "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_text(header: str, data: dict[str, Any]) -> str:
    """``data`` as a bank file's YAML text, headed by a comment (what :func:`export_bank` and
    an organization's export write)."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"# {header}\n{text}"


def _dump(path: Path, header: str, data: dict[str, Any]) -> None:
    path.write_text(dump_text(header, data), encoding="utf-8")


def export_bank(directory: str | Path) -> list[Path]:
    """Write the shipped bank (organization-less rows, latest versions) as YAML files."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    taxonomy = {
        "tracks": [
            {"key": t.key, "name": t.name, "description": t.description}
            for t in Track.objects.all()
        ],
        "levels": [{"number": lv.number, "name": lv.name} for lv in Level.objects.all()],
        "competencies": [
            {
                "key": c.key,
                "name": c.name,
                "isa95_area": c.isa95_area,
                "tracks": [t.key for t in c.tracks.all()],
                "description": c.description,
            }
            for c in Competency.objects.prefetch_related("tracks")
        ],
    }
    _dump(out / "taxonomy.yaml", "Tracks, levels and competencies (exported).", taxonomy)
    written.append(out / "taxonomy.yaml")
    sources = {"sources": [{"tag": s.tag, "title": s.title} for s in Source.objects.all()]}
    _dump(out / "sources.yaml", "Source tags of DOMAIN.md (exported).", sources)
    written.append(out / "sources.yaml")

    by_competency: dict[str, list[dict]] = defaultdict(list)
    shipped = (
        Question.objects.latest()
        .filter(organization__isnull=True)
        .select_related("competency", "track")
        .prefetch_related("criteria__anchors")
        .order_by("competency__order", "key")
    )
    for q in shipped:
        by_competency[q.competency.key].append(question_data(q))
    for comp_key, questions in by_competency.items():
        path = out / f"{comp_key}.yaml"
        _dump(path, f"Questions of competency {comp_key} (exported).", {"questions": questions})
        written.append(path)

    kits = (
        Kit.objects.filter(organization__isnull=True)
        .select_related("track")
        .prefetch_related("items__question")
    )
    _dump(out / "kits.yaml", "Kits (exported).", {"kits": [kit_data(k) for k in kits]})
    written.append(out / "kits.yaml")

    plans = (
        Plan.objects.filter(organization__isnull=True)
        .select_related("track")
        .prefetch_related("stages__kit")
    )
    exported = []
    for plan in plans:
        data = plan_data(plan)
        for stage in data["stages"]:
            if stage["expected_minutes"] is None:
                del stage["expected_minutes"]
        exported.append(data)
    _dump(out / "plans.yaml", "Interview plans (exported).", {"plans": exported})
    written.append(out / "plans.yaml")
    return written
