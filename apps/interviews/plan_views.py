"""A position's interview plan: copy a shipped or organization plan into the position, then
add, remove, reorder stages and swap kits, with the same preview the kit builder and
``manage.py plan_check`` give (what a candidate who completes it can be told)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render

from apps.accounts.tenancy import get_for_tenant_or_404, role_required
from apps.bank import plans as bank_plans
from apps.bank.kit_rules import kit_spec
from apps.bank.models import KitItem, Plan

from . import selectors, services
from .forms import StageFormSet
from .isa95_maps import isa95_plan_map
from .models import Position, PositionStage
from .views import MANAGERS


def position_plan_preview(position: Position) -> dict | None:
    """The simulation (SCORING.md "What a kit and a plan must make possible") of the position's
    own stages, with its weights and bar."""
    stages = list(
        position.stages.select_related("kit__track")
        .prefetch_related(
            Prefetch(
                "kit__items",
                queryset=KitItem.objects.select_related("question__competency", "question__track"),
            )
        )
        .order_by("order", "pk")
    )
    if not stages:
        return None
    spec = bank_plans.PlanSpec(
        key=f"position-{position.pk}",
        name=position.title,
        track=position.track.key,
        level=position.level_id,
        competency_weights=dict(position.competency_weights),
        stages=tuple(
            bank_plans.StageSpec(
                name=s.name,
                mode=s.mode,
                kit=kit_spec(s.kit),
                panel_size=s.panel_size,
                expected_minutes=s.expected_minutes,
            )
            for s in stages
        ),
    )
    return bank_plans.simulate_plan(spec, bar=position.bar / 100)


@role_required(MANAGERS)
def position_plan(request, pk: int):
    position: Position = get_for_tenant_or_404(
        request, selectors.positions_for(request.organization), pk=pk
    )
    queryset = PositionStage.objects.filter(position=position).select_related("kit")
    plans = Plan.objects.visible_to(request.organization).select_related("track", "level")
    if request.method == "POST" and "apply_plan" in request.POST:
        plan = plans.filter(pk=request.POST.get("plan") or 0).first()
        if plan is None:
            messages.error(request, "Choose a plan from the list.")
        else:
            services.position_plan_apply(position=position, plan=plan)
            messages.success(request, f"The stages of \u201c{plan.name}\u201d are copied in.")
        return redirect("interviews:position_plan", pk=position.pk)
    formset = StageFormSet(
        request.POST or None,
        queryset=queryset,
        form_kwargs={"organization": request.organization},
    )
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                for form in formset.deleted_forms:
                    if form.instance.pk:
                        form.instance.delete()
                kept = [
                    f
                    for f in formset.ordered_forms
                    if f.has_changed() or f.instance.pk
                    if f not in formset.deleted_forms
                ]
                for order, form in enumerate(kept):
                    stage = form.save(commit=False)
                    stage.position = position
                    stage.order = order
                    stage.full_clean()
                    stage.save()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Interview plan saved.")
            return redirect("interviews:position_plan", pk=position.pk)
    return render(
        request,
        "interviews/position_plan.html",
        {
            "position": position,
            "formset": formset,
            "plans": plans,
            "preview": position_plan_preview(position),
            "isa95_map": isa95_plan_map(position),
            "isa95_map_title": "ISA-95 coverage of this plan",
        },
    )
