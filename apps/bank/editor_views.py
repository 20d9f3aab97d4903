"""Pages where admins and recruiters author their organization's own questions: new, edit,
publish, retire, open a new version, and export them as a bank YAML file.

Rules kept here: every page answers 404 to interviewers (``role_required``) and finds only the
organization's own questions (``tenant_filter`` without shipped rows), so a shipped question or
another organization's is a 404 on every write page. Writes go through
``apps.bank.authoring`` (one validation, the importer's writer). Creating and editing are safe
to repeat (``apps.accounts.once``): a double submit of an edit does not make two versions.
Refused input answers 400 with each error on its field and writes nothing; retiring asks first
(``apps.accounts.confirm``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import confirm, once
from apps.accounts.models import MANAGER_ROLES
from apps.accounts.tenancy import get_for_tenant_or_404, role_required
from apps.audit import events

from . import authoring, editor, selectors, services
from .models import Question


def _own_question_or_404(request, key: str, *, rubric: bool = False) -> Question:
    qs = selectors.question_base(request.organization)
    if rubric:
        qs = selectors.with_rubric(qs)
    return get_for_tenant_or_404(request, qs, key=key)


def _save(request, form: editor.QuestionForm, work) -> HttpResponse | None:
    """Run ``work`` once per form key; on a refusal put its errors on ``form``."""
    try:
        response = once.submit_once(request, work)
    except ValidationError as exc:
        form.add_schema_errors(exc)
        return None
    if response is None:
        form.add_error(None, once.EXPIRED)
    return response


def _render_form(request, form, question=None):
    return render(
        request,
        "bank/question_form.html",
        {
            "form": form,
            "question": question,
            "form_key": once.form_key(request),
            "critical_mark": editor.CRITICAL_MARK,
            "prefix": authoring.own_key(request.organization, ""),
            "max_criteria": editor.MAX_CRITERIA,
        },
        status=400 if form.errors else 200,
    )


def _form(request, *, default: int, initial=None, editing: bool = False) -> editor.QuestionForm:
    data = request.POST if request.method == "POST" else None
    n_criteria = editor.criteria_count(data, default=default)
    if data is not None and "add_criterion" in data:
        # One more criterion block, with what was typed, unvalidated: nothing is saved yet.
        return editor.QuestionForm(
            initial=editor.carry_over(data), n_criteria=n_criteria, editing=editing
        )
    return editor.QuestionForm(data, initial=initial, n_criteria=n_criteria, editing=editing)


@role_required(MANAGER_ROLES)
def question_new(request):
    form = _form(request, default=editor.MIN_CRITERIA)
    if form.is_bound and form.is_valid():

        def create() -> once.Done:
            question = authoring.question_create(
                organization=request.organization, data=form.schema_data()
            )
            messages.success(
                request, f"Question {question.key} saved as a draft: publish it when it is ready."
            )
            return once.Done(reverse("bank:question_detail", args=[question.key]))

        if response := _save(request, form, create):
            return response
    return _render_form(request, form)


@role_required(MANAGER_ROLES)
def question_edit(request, key: str):
    question = _own_question_or_404(request, key, rubric=True)
    default = max(len(question.criteria.all()) + 1, editor.MIN_CRITERIA)
    form = _form(request, default=default, initial=editor.initial_from(question), editing=True)
    if form.is_bound and form.is_valid():

        def update() -> once.Done:
            saved = authoring.question_update(question=question, data=form.schema_data())
            if saved.version != question.version:
                messages.success(
                    request,
                    f"Saved as version {saved.version}: version {question.version} was used in "
                    "interviews and stays as it was for them.",
                )
            else:
                messages.success(request, "Question saved.")
            return once.Done(reverse("bank:question_detail", args=[saved.key]))

        if response := _save(request, form, update):
            return response
    return _render_form(request, form, question)


@require_POST
@role_required(MANAGER_ROLES)
def question_publish(request, key: str):
    question = _own_question_or_404(request, key)
    try:
        authoring.question_publish(question=question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Published: kits can use this question now.")
    return redirect("bank:question_detail", key=question.key)


@role_required(MANAGER_ROLES)
def question_retire(request, key: str):
    question = _own_question_or_404(request, key)
    back = reverse("bank:question_detail", args=[question.key])
    if not confirm.confirmed(request):
        kits = authoring.question_kits(question)
        in_kits = f" It leaves these kits: {', '.join(kits)}." if kits else ""
        return confirm.ask(
            request,
            title="Retire this question?",
            question=(
                f"{question.key} will no longer be offered for kits or new interviews.{in_kits} "
                "Past interviews keep the copy they were asked and scored with."
            ),
            action="Retire the question",
            back_url=back,
        )
    try:
        authoring.question_retire(question=question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.info(request, f"{question.key} is retired.")
    return redirect(back)


@require_POST
@role_required(MANAGER_ROLES)
def question_open_version(request, key: str):
    """From a flag on the statistics page: a used question gets a new draft version to edit
    (``services.question_new_version``); an unused one is simply edited in place."""
    question = _own_question_or_404(request, key)
    if question.locked:
        new = services.question_new_version(question=question)
        messages.info(
            request,
            f"Version {new.version} is a draft copy of version {question.version}: edit it, "
            "then publish it.",
        )
    return redirect("bank:question_edit", key=question.key)


@role_required(MANAGER_ROLES)
def questions_export(request):
    text = authoring.questions_export(request.organization)
    events.record(
        organization=request.organization,
        actor=request.user,
        action="questions.exported",
        request=request,
    )
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = f"{request.organization.slug}-questions.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
