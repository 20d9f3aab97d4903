"""Writes to the bank that interfaces other than the importer need (admin, sessions, the kit
builder). Services take keyword-only arguments, call ``full_clean`` and raise
``ValidationError``."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization

from .models import Anchor, Competency, Kit, KitItem, Level, Plan, Question, Track


@transaction.atomic
def question_new_version(*, question: Question) -> Question:
    """Copy a question version (with its rubric) as the next, editable, draft version.

    The used version stays exactly as it was, so past sessions and scores keep their rubric;
    kits move to the new version.
    """
    current = Question.objects.select_for_update().get(pk=question.pk)
    if not current.is_latest:
        raise ValueError(f"{current} is not the latest version of {current.key}")
    criteria = list(current.criteria.prefetch_related("anchors"))
    Question.objects.filter(pk=current.pk).update(is_latest=False)
    new = Question.objects.get(pk=current.pk)
    new.pk = None
    new.version = current.version + 1
    new.is_latest = True
    new.locked = False
    new.status = Question.Status.DRAFT
    new.save()
    for crit in criteria:
        anchors = list(crit.anchors.all())
        crit.pk = None
        crit.question = new
        crit.save()
        Anchor.objects.bulk_create(
            [Anchor(criterion=crit, rating=a.rating, text=a.text) for a in anchors]
        )
    KitItem.objects.filter(question=current).update(question=new)
    return new


def questions_lock(*, question_ids: list[int]) -> None:
    """Mark question versions as used by a session: from now on edits make new versions."""
    Question.objects.filter(pk__in=question_ids, locked=False).update(locked=True)


# -- the kit builder: an organization's own kits ----------------------------------------------
#
# Shipped kits (``organization = NULL``) are read-only to tenants: every write below refuses
# them, whatever the interface, so a view that forgets its own check still cannot edit one.
# Sessions freeze their items (apps.interviews), so editing a kit never changes a past session.

#: Kit keys that would shadow a page under /bank/kits/.
RESERVED_KIT_KEYS = frozenset({"new"})
#: Percent weights are entered with one decimal, so a sum within this of 1 is accepted and
#: normalised (the same tolerance as a position's weights).
KIT_WEIGHT_TOLERANCE = 1e-3


def _own_kit(kit: Kit) -> None:
    if kit.organization_id is None:
        raise ValidationError("A shipped kit is read-only: copy it to edit it.")


def kit_weights_clean(weights: Mapping[str, float]) -> dict[str, float]:
    """Competency weights of a kit: known competencies, positive, summing to 1 (within
    :data:`KIT_WEIGHT_TOLERANCE`), returned normalised. Zeros are dropped; empty stays empty."""
    cleaned = {k: float(v) for k, v in weights.items() if float(v) != 0.0}
    if not cleaned:
        return {}
    unknown = sorted(set(cleaned) - set(Competency.objects.values_list("key", flat=True)))
    if unknown:
        raise ValidationError(
            {"competency_weights": f"Unknown competencies: {', '.join(unknown)}."}
        )
    if any(v < 0 for v in cleaned.values()):
        raise ValidationError({"competency_weights": "Weights cannot be negative."})
    total = sum(cleaned.values())
    if abs(total - 1.0) > KIT_WEIGHT_TOLERANCE:
        raise ValidationError(
            {
                "competency_weights": "Competency weights must add up to 100%; they add up to "
                f"{100 * total:.1f}%."
            }
        )
    return {key: value / total for key, value in cleaned.items()}


def _kit_save(kit: Kit) -> Kit:
    if kit.key in RESERVED_KIT_KEYS:
        raise ValidationError({"key": f"“{kit.key}” is reserved; choose another key."})
    # Kit keys are unique across the whole bank (URLs and YAML name kits by key). Say so in
    # words rather than with the model's generic message.
    if Kit.objects.filter(key=kit.key).exclude(pk=kit.pk).exists():
        raise ValidationError({"key": "This key is already taken; choose another."})
    kit.competency_weights = kit_weights_clean(kit.competency_weights)
    if not kit.competency_weights:
        raise ValidationError(
            {"competency_weights": "Enter the competency weights; they must add up to 100%."}
        )
    kit.full_clean()
    kit.save()
    return kit


@transaction.atomic
def kit_create(
    *,
    organization: Organization,
    key: str,
    name: str,
    track: Track,
    level: Level,
    take_home: bool = False,
    description: str = "",
    competency_weights: Mapping[str, float] | None = None,
) -> Kit:
    """A new, empty kit of the organization. Without weights, it takes those of the plan a
    position of its track and level is given (the organization's own plan first)."""
    if not competency_weights:
        plan = (
            Plan.objects.visible_to(organization)
            .filter(track=track, level=level)
            .own_first()
            .first()
        )
        competency_weights = plan.competency_weights if plan is not None else {}
    kit = Kit(
        organization=organization,
        key=key,
        name=name,
        track=track,
        level=level,
        take_home=take_home,
        description=description,
        competency_weights=dict(competency_weights or {}),
    )
    return _kit_save(kit)


@transaction.atomic
def kit_update(
    *,
    kit: Kit,
    key: str,
    name: str,
    track: Track,
    level: Level,
    take_home: bool,
    description: str = "",
    competency_weights: Mapping[str, float] | None = None,
) -> Kit:
    """Change an organization kit's settings (its items are edited one by one below)."""
    _own_kit(kit)
    kit.key, kit.name, kit.track, kit.level = key, name, track, level
    kit.take_home, kit.description = take_home, description
    kit.competency_weights = dict(competency_weights or {})
    return _kit_save(kit)


@transaction.atomic
def kit_copy(*, organization: Organization, source: Kit, key: str, name: str | None = None) -> Kit:
    """Copy a shipped kit or one of the organization's own, items in order, as a new kit of
    the organization. The copy is independent: later edits of the source do not reach it."""
    if source.organization_id not in (None, organization.pk):
        raise ValidationError("Copy a shipped kit or one of your organization's kits.")
    kit = Kit(
        organization=organization,
        key=key,
        name=name or f"{source.name} (copy)",
        track_id=source.track_id,
        level_id=source.level_id,
        take_home=source.take_home,
        description=source.description,
        competency_weights=dict(source.competency_weights),
    )
    _kit_save(kit)
    KitItem.objects.bulk_create(
        KitItem(kit=kit, question_id=item.question_id, weight=item.weight, order=order)
        for order, item in enumerate(source.items.order_by("order", "pk"))
    )
    return kit


def kit_copy_key(*, organization: Organization, source: Kit) -> str:
    """A free key for a copy: ``<source>-<organization>``, numbered if taken."""
    base = f"{source.key}-{organization.slug}"[:76]
    taken = set(Kit.objects.filter(key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _renumber(kit: Kit, items: list[KitItem]) -> None:
    for order, item in enumerate(items):
        item.order = order
    KitItem.objects.bulk_update(items, ["order"])


def _items_locked(kit: Kit) -> list[KitItem]:
    return list(KitItem.objects.select_for_update().filter(kit=kit).order_by("order", "pk"))


@transaction.atomic
def kit_item_add(*, kit: Kit, question: Question, weight: float = 1.0) -> KitItem:
    """Add a published question the organization may see at the end of the kit, once."""
    _own_kit(kit)
    visible = (
        Question.objects.latest()
        .published()
        .visible_to(kit.organization)
        .filter(pk=question.pk)
        .exists()
    )
    if not visible:
        raise ValidationError({"question": "Choose a published question of the bank."})
    items = _items_locked(kit)
    if KitItem.objects.filter(kit=kit, question__key=question.key).exists():
        raise ValidationError({"question": "This question is already in the kit."})
    item = KitItem(kit=kit, question=question, weight=weight, order=len(items))
    item.full_clean()
    item.save()
    Kit.objects.filter(pk=kit.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def kit_item_remove(*, item: KitItem) -> None:
    kit = item.kit
    _own_kit(kit)
    KitItem.objects.filter(pk=item.pk).delete()
    _renumber(kit, _items_locked(kit))
    Kit.objects.filter(pk=kit.pk).update(updated_at=timezone.now())


@transaction.atomic
def kit_item_move(*, item: KitItem, offset: int) -> None:
    """Move an item ``offset`` places (-1 up, +1 down); past either end it stays put."""
    kit = item.kit
    _own_kit(kit)
    items = _items_locked(kit)
    index = next((n for n, i in enumerate(items) if i.pk == item.pk), None)
    if index is None:
        raise ValidationError("This question is no longer in the kit.")
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    _renumber(kit, items)
    Kit.objects.filter(pk=kit.pk).update(updated_at=timezone.now())


@transaction.atomic
def kit_item_weight_set(*, item: KitItem, weight: float) -> KitItem:
    _own_kit(item.kit)
    if not weight > 0:
        raise ValidationError({"weight": "A question's weight must be more than 0."})
    item.weight = weight
    item.full_clean()
    item.save(update_fields=["weight"])
    return item
