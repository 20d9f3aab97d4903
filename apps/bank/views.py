"""Pages for browsing the bank and its kits (every member, every role), and the kit builder
(recruiters and admins build their organization's own kits).

Shipped content is authored in ``fixtures/bank/*.yaml``; the browsing pages are what an
interviewer reads before an interview. Every query goes through ``apps.accounts.tenancy``: a
question or kit of another organization is a 404.
"""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import once
from apps.accounts.models import MANAGER_ROLES
from apps.accounts.tenancy import (
    get_for_tenant_or_404,
    member_required,
    role_required,
    tenant_filter,
)

from . import authoring, kit_rules, selectors, services
from .forms import (
    KitCopyForm,
    KitForm,
    KitItemForm,
    KitQuestionFilterForm,
    QuestionFilterForm,
    QuestionReportForm,
)
from .models import Kit, KitItem

PAGE_SIZE = 50


@member_required
def question_list(request):
    form = QuestionFilterForm(request.GET or None)
    qs = tenant_filter(request, selectors.question_base(request.organization), include_shared=True)
    qs = form.filter(qs) if form.is_valid() else qs.published()
    page = Paginator(qs.order_by("competency__order", "level_id", "key"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bank/question_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@member_required
def question_detail(request, key: str):
    qs = selectors.with_rubric(selectors.question_base(request.organization))
    question = get_for_tenant_or_404(request, qs, include_shared=True, key=key)
    return render(request, "bank/question_detail.html", {"question": question})


@member_required
def question_report(request, key: str):
    """Any member reports a problem with a shipped question to the bank's editors
    (``authoring.question_report``); an organization's own question is edited, not reported
    (404 here). Safe to repeat: a double click files one report."""
    question = get_for_tenant_or_404(
        request,
        selectors.question_base(request.organization).filter(organization__isnull=True),
        include_shared=True,
        key=key,
    )
    form = QuestionReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def file() -> once.Done:
            authoring.question_report(
                organization=request.organization,
                question=question,
                user=request.user,
                text=form.cleaned_data["text"],
            )
            return once.Done(reverse("bank:question_detail", args=[question.key]))

        if response := once.submit_form(request, form, file):
            messages.success(request, "Thank you: the bank's editors have your report.")
            return response
    context = {"question": question, "form": form, "form_key": once.form_key(request)}
    status = 400 if form.errors else 200
    return render(request, "bank/question_report.html", context, status=status)


@member_required
def kit_list(request):
    kits = tenant_filter(request, selectors.kit_base(request.organization), include_shared=True)
    return render(request, "bank/kit_list.html", {"kits": kits})


@member_required
def kit_detail(request, key: str):
    kit = get_for_tenant_or_404(
        request, selectors.kit_base(request.organization), include_shared=True, key=key
    )
    items = selectors.kit_items(kit)
    minutes = sum(i.question.expected_minutes for i in items)
    return render(request, "bank/kit_detail.html", {"kit": kit, "items": items, "minutes": minutes})


# -- the kit builder (recruiters and admins) ----------------------------------------------------
#
# An organization builds its own kits here: new, or a copy of a shipped or own kit, then adds
# questions from the bank, removes and reorders them. Every write goes through
# ``apps.bank.services``. Edit URLs only find the organization's own kits (``tenant_filter``
# without the shipped rows), so a shipped kit or another organization's kit is a 404 there;
# interviewers get a 404 on every builder page (``role_required``).

#: The query parameters the builder page keeps across its forms (filters, page, preview stage).
BUILDER_QUERY = ("q", "track", "level", "competency", "kind", "page", "stage")


def _own_kit_or_404(request, key: str) -> Kit:
    return get_for_tenant_or_404(request, selectors.kit_base(request.organization), key=key)


def _builder_url(kit: Kit, data, anchor: str = "") -> str:
    """The builder page of ``kit`` with the filters the user had (only known parameters), at
    ``anchor``, so adding several questions from a filtered list does not lose the place."""
    query = QueryDict(mutable=True)
    for name in BUILDER_QUERY:
        if data.get(name):
            query[name] = data[name]
    url = reverse("bank:kit_edit", args=[kit.key])
    url = f"{url}?{query.urlencode()}" if query else url
    return f"{url}#{anchor}" if anchor else url


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@role_required(MANAGER_ROLES)
def kit_new(request):
    form = KitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.kit_create(organization=request.organization, **form.service_kwargs())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Kit \u201c{kit.name}\u201d created: add its questions.")
            return redirect("bank:kit_edit", key=kit.key)
    return render(request, "bank/kit_form.html", {"form": form})


@role_required(MANAGER_ROLES)
def kit_copy(request, key: str):
    source = get_for_tenant_or_404(
        request, selectors.kit_base(request.organization), include_shared=True, key=key
    )
    initial = {
        "name": f"{source.name} ({request.organization.name})",
        "key": services.kit_copy_key(organization=request.organization, source=source),
    }
    form = KitCopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.kit_copy(
                organization=request.organization, source=source, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Copied \u201c{source.name}\u201d: edit your copy below.")
            return redirect("bank:kit_edit", key=kit.key)
    return render(request, "bank/kit_copy.html", {"form": form, "source": source})


@role_required(MANAGER_ROLES)
def kit_edit(request, key: str):
    kit = get_for_tenant_or_404(
        request,
        selectors.kits_with_items(selectors.kit_base(request.organization)),
        key=key,
    )
    # The form and the service work on a copy, so a refused submission changes neither the
    # figures below nor the kit's own links.
    form = KitForm(request.POST or None, instance=copy.copy(kit))
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.kit_update(kit=form.instance, **form.service_kwargs())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Kit saved.")
            return redirect(_builder_url(kit, request.GET))
    # Its own ids: the settings form on the same page has a track and a level too.
    filters = KitQuestionFilterForm(request.GET or None, auto_id="filter_%s")
    questions = selectors.question_base(request.organization)
    questions = filters.filter(questions) if filters.is_valid() else questions.published()
    page = Paginator(
        questions.order_by("competency__order", "level_id", "key"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    stage = request.GET.get("stage", "")
    preview = selectors.kit_preview(
        organization=request.organization,
        kit=kit,
        stage=int(stage) if stage.isdigit() else None,
    )
    spec = preview["spec"]
    items = list(kit.items.all())
    query = {name: request.GET[name] for name in BUILDER_QUERY if request.GET.get(name)}
    return render(
        request,
        "bank/kit_builder.html",
        {
            "kit": kit,
            "form": form,
            "items": items,
            "in_kit": {i.question.key for i in items},
            "filters": filters,
            "page": page,
            "query": query,
            "page_query": urlencode({k: v for k, v in query.items() if k != "page"}),
            "kit_spec_minutes": spec.minutes,
            "per_track": spec.per_track(),
            "per_level": spec.per_level(),
            "live_max_minutes": kit_rules.LIVE_MAX_MINUTES,
            "take_home_minutes": kit_rules.TAKE_HOME_MINUTES,
            "min_per_track": kit_rules.MIN_ITEMS_PER_TRACK,
            **preview,
        },
    )


@require_POST
@role_required(MANAGER_ROLES)
def kit_item_add(request, key: str):
    kit = _own_kit_or_404(request, key)
    question = get_for_tenant_or_404(
        request,
        selectors.question_base(request.organization).published(),
        include_shared=True,
        key=request.POST.get("question", ""),
    )
    try:
        services.kit_item_add(kit=kit, question=question)
    except ValidationError as exc:
        # Back to the top, where the message is.
        _errors_to_messages(request, exc)
        return redirect(_builder_url(kit, request.POST))
    messages.success(request, f"Added {question.key}.")
    return redirect(_builder_url(kit, request.POST, "bank"))


@require_POST
@role_required(MANAGER_ROLES)
def kit_item_change(request, key: str, item_pk: int):
    kit = _own_kit_or_404(request, key)
    item = get_object_or_404(KitItem.objects.select_related("kit", "question"), kit=kit, pk=item_pk)
    form = KitItemForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_builder_url(kit, request.POST))
    action = form.cleaned_data["action"]
    try:
        if action == "remove":
            services.kit_item_remove(item=item)
            messages.success(request, f"Removed {item.question.key}.")
        elif action in ("up", "down"):
            services.kit_item_move(item=item, offset=-1 if action == "up" else 1)
        else:
            weight = form.cleaned_data["weight"]
            if weight is None:
                raise ValidationError("Enter a weight to set.")
            services.kit_item_weight_set(item=item, weight=float(weight))
            messages.success(request, f"Weight of {item.question.key} set to {weight:g}.")
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect(_builder_url(kit, request.POST))
    return redirect(_builder_url(kit, request.POST, "items"))
