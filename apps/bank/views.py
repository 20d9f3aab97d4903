"""Read-only pages for browsing the bank and its kits (every member, every role).

Authoring happens in the Django admin and in ``fixtures/bank/*.yaml``; these pages are what an
interviewer reads before an interview. Every query goes through ``apps.accounts.tenancy``: a
question or kit of another organization is a 404.
"""

from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.tenancy import get_for_tenant_or_404, member_required, tenant_filter

from . import selectors
from .forms import QuestionFilterForm

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
