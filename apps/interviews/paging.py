"""Pages of long HTML lists, and their search box: one home for both.

Every list a recruiter scrolls (positions, a position's candidates, candidates, a candidate's
sessions, My interviews) shows one page at a time, so a page costs the same few queries and
milliseconds with 10 rows or 10,000 (Django's Paginator: one COUNT and one LIMIT/OFFSET query).
``templates/includes/pagination.html`` renders the page links and keeps the other query
parameters (the search, a filter) with Django's ``{% querystring %}``.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

PER_PAGE = 50
#: Longer searches are cut: nobody types a 100-character name, and it bounds the LIKE.
SEARCH_MAX = 100
#: How many candidates a picker lists before the recruiter searches.
PICKER_LIMIT = 50


def paginate(
    request: HttpRequest, object_list, *, per_page: int = PER_PAGE, param: str = "page"
) -> Page:
    """The requested page; a missing, malformed or out-of-range number gives the nearest page
    (Paginator.get_page), never an error."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))


def search_text(request: HttpRequest, param: str = "q") -> str:
    return request.GET.get(param, "").strip()[:SEARCH_MAX]


def search(queryset: QuerySet, text: str, *fields: str) -> QuerySet:
    """Rows where any of ``fields`` contains ``text`` (case-insensitive); all rows without text."""
    if not text:
        return queryset
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": text})
    return queryset.filter(match)


def candidate_choices(queryset: QuerySet, text: str, selected=None) -> list[tuple]:
    """The options of a candidate picker: the candidates matching the search, else the most
    recently changed ones, at most PICKER_LIMIT, plus the one already chosen (a form shown
    again with an error keeps its choice). The field still accepts any candidate of the
    organization: its queryset is unchanged, only what is listed is bounded."""
    found = search(queryset, text, "name", "email").order_by("-updated_at", "-pk")
    rows = list(found.values_list("pk", "name")[:PICKER_LIMIT])
    if selected and str(selected).isdigit() and int(selected) not in {r[0] for r in rows}:
        rows[:0] = queryset.filter(pk=int(selected)).values_list("pk", "name")
    return [("", "Choose a candidate"), *rows]


def limit_candidate_picker(request: HttpRequest, form, field: str = "candidate") -> str:
    """Bound a form's candidate select to :func:`candidate_choices`; returns the search text
    (``?candidate_q=``) for the page's "Find the candidate" box."""
    text = search_text(request, "candidate_q")
    selected = form.data.get(form.add_prefix(field)) if form.is_bound else None
    form.fields[field].widget.choices = candidate_choices(
        form.fields[field].queryset, text, selected
    )
    return text
