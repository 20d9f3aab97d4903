"""Calibration pages.

- ``/calibration/``: the agreement report, org admins only (others: 404). In aggregate-only
  organizations it names no interviewer.
- ``/calibration/practice/``: any member lists the practice answers, opens one, rates it per
  criterion and only then sees the reference, the difference and the note.
- ``/calibration/practice/new/``: admins write a reference answer to a question their
  organization can see (safe to repeat: ``apps.accounts.once``);
  ``/calibration/practice/<pk>/edit/`` corrects it, ``.../delete/`` deletes it (asks first).

Every row is fetched through ``apps.accounts.tenancy``: another organization's practice answer
is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts import confirm, once
from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, member_required, role_required
from apps.bank import selectors as bank_selectors
from apps.bank.models import Anchor, Criterion

from . import selectors, services
from .forms import CriterionRatingsForm, PracticeAnswerForm, QuestionPickForm
from .models import PracticeAnswer, PracticeRating

ADMINS = (Role.ADMIN,)


@role_required(ADMINS)
def report(request):
    data = selectors.calibration_report(organization=request.organization)
    return render(request, "calibration/report.html", {"report": data})


@member_required
def practice_list(request):
    practices = selectors.practice_answers_for(organization=request.organization, user=request.user)
    return render(
        request,
        "calibration/practice_list.html",
        {"practices": practices, "is_admin": request.membership.role == Role.ADMIN},
    )


def _posted_rating(form, key: str) -> int | None:
    """The rating sent for a criterion, to show the form again as it was filled."""
    raw = form.data.get(f"c-{key}", "") if form.is_bound else ""
    return int(raw) if raw in ("0", "1", "2", "3", "4") else None


def _question_or_404(request, key: str):
    qs = bank_selectors.with_rubric(bank_selectors.question_base(request.organization))
    return get_for_tenant_or_404(request, qs, include_shared=True, key=key)


@role_required(ADMINS)
def practice_create(request):
    key = request.GET.get("question", "")
    if not key:
        questions = bank_selectors.question_base(request.organization).published()
        picker = QuestionPickForm(questions=questions.order_by("competency__name", "level", "key"))
        return render(request, "calibration/practice_pick.html", {"form": picker})
    question = _question_or_404(request, key)
    form = PracticeAnswerForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():

        def create() -> once.Done:
            practice = services.practice_answer_create(
                organization=request.organization,
                question=question,
                answer=form.cleaned_data["answer"],
                reference=form.criterion_ratings(),
                note=form.cleaned_data["note"],
                created_by=request.user,
            )
            return once.Done(reverse("calibration:practice_detail", args=[practice.pk]))

        if response := once.submit_form(request, form, create):
            return response
    return _practice_form_page(request, form, question)


def _practice_form_page(request, form, question, practice: PracticeAnswer | None = None):
    """The practice answer form (new or edit): the rubric with the ratings as sent, else the
    stored reference; 400 when the form has errors."""
    if form.is_bound or practice is None:
        given = {c.key: _posted_rating(form, c.key) for c in form.criteria}
    else:
        given = dict(practice.reference)
    context = {
        "form": form,
        "question": question,
        "practice": practice,
        "rows": selectors.rubric_rows(question, given),
        "form_key": once.form_key(request),
    }
    status = 400 if form.errors else 200
    return render(request, "calibration/practice_form.html", context, status=status)


def _practice_or_404(request, pk: int) -> PracticeAnswer:
    """The organization's practice answer with its question version's rubric (criteria and
    anchors) in two prefetch queries; another organization's is a 404."""
    rubric = Prefetch(
        "question__criteria",
        queryset=Criterion.objects.prefetch_related(
            Prefetch("anchors", queryset=Anchor.objects.order_by("rating"))
        ),
    )
    return get_for_tenant_or_404(
        request,
        PracticeAnswer.objects.select_related("question__competency").prefetch_related(rubric),
        pk=pk,
    )


@role_required(ADMINS)
def practice_edit(request, pk: int):
    practice = _practice_or_404(request, pk)
    # The exact version the practice answer was written for (locked: its rubric stays).
    question = practice.question
    initial = {"answer": practice.answer, "note": practice.note}
    initial.update({f"c-{key}": value for key, value in practice.reference.items()})
    form = PracticeAnswerForm(request.POST or None, question=question, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_answer_update(
                practice=practice,
                answer=form.cleaned_data["answer"],
                reference=form.criterion_ratings(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            once.form_errors_from(exc, form)
        else:
            return redirect("calibration:practice_detail", pk=practice.pk)
    return _practice_form_page(request, form, question, practice)


@role_required(ADMINS)
def practice_delete(request, pk: int):
    practice = get_for_tenant_or_404(request, PracticeAnswer, pk=pk)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Delete this practice answer?",
            question=(
                "The answer, its reference rating and every member's ratings of it are "
                "deleted. Interview scores and calibration figures do not change."
            ),
            action="Delete the practice answer",
            back_url=reverse("calibration:practice_detail", args=[practice.pk]),
        )
    services.practice_answer_delete(practice=practice)
    return redirect("calibration:practice_list")


@member_required
def practice_detail(request, pk: int):
    practice = _practice_or_404(request, pk)
    mine = PracticeRating.objects.filter(practice_answer=practice, user=request.user).first()
    form = CriterionRatingsForm(request.POST or None, question=practice.question)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_rating_submit(
                practice_answer=practice, user=request.user, ratings=form.criterion_ratings()
            )
        except ValidationError as exc:
            once.form_errors_from(exc, form)
        else:
            return redirect("calibration:practice_detail", pk=practice.pk)
    given = mine.ratings if mine else None
    if form.is_bound:  # show what was just sent, with the reasons it was refused
        given = {c.key: _posted_rating(form, c.key) for c in form.criteria}
    # The reference is revealed only once this user has submitted (never on a refused POST).
    reveal = mine is not None
    context = {
        "practice": practice,
        "rows": selectors.rubric_rows(
            practice.question, given, reference=practice.reference if reveal else None
        ),
        "mine": mine,
        "reveal": reveal,
        "form": form,
        "is_admin": request.membership.role == Role.ADMIN,
    }
    return render(
        request, "calibration/practice_detail.html", context, status=400 if form.errors else 200
    )
