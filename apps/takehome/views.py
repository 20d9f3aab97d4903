"""The candidate's side of a take-home: no account, the link is the key.

GET /t/<token>/ shows a start page and spends nothing (mail scanners pre-fetch links). POST
starts: the token's hash moves into the candidate's session (HttpOnly cookie) and the browser
is redirected to /takehome/, a URL without the token. Every later request finds the invitation
through that session only, so a cookie for one session can never read or write another.
Unknown tokens are 404; revoked or expired links are 410 with whom to contact.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.interviews.models import Answer, Invitation
from apps.interviews.services import attachments, invitations

from .receipts import receipt_code
from .security import FORM_KEY, candidate_csrf, issue_form_key, no_store, rate_limited

SESSION_KEY = "takehome_token_hash"
# The answer service says why it refused a save; these pages answer with the HTTP status.
REFUSAL_STATUS = {
    invitations.SaveRefused.Reason.INVALID: 400,
    invitations.SaveRefused.Reason.NOT_FOUND: 404,
    invitations.SaveRefused.Reason.SUBMITTED: 409,
    invitations.SaveRefused.Reason.NOT_STARTED: 409,
    invitations.SaveRefused.Reason.CONFLICT: 409,
    invitations.SaveRefused.Reason.TIME_UP: 403,
    invitations.SaveRefused.Reason.REVOKED: 410,
}


def _gone(request, invitation: Invitation, reason: str):
    return render(
        request,
        "takehome/gone.html",
        {"invitation": invitation, "reason": reason},
        status=410,
    )


@csrf_exempt  # the token in the URL is the secret; no session exists yet to forge against
@no_store
@rate_limited
def open_link(request, token: str):
    digest = invitations.token_hash(token)
    invitation = invitations.invitation_by_hash(digest)
    if invitation is None:
        # A mistyped or truncated link: the candidate's own page, not a bare "Not Found".
        return render(request, "takehome/unknown.html", status=404)
    try:
        invitations.check_usable(invitation)  # submitted, revoked, cancelled or expired: 410
    except invitations.LinkGone as gone:
        return _gone(request, invitation, gone.reason)
    if request.method == "GET":
        invitations.invitation_open(invitation=invitation)
        return render(request, "takehome/start.html", {"invitation": invitation})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        invitations.takehome_start(invitation=invitation)
    except invitations.LinkGone as gone:
        return _gone(request, invitation, gone.reason)
    request.session.cycle_key()  # a fresh session id for the candidate
    request.session[SESSION_KEY] = digest
    issue_form_key(request)
    return redirect("takehome:answer")


def _current(request) -> Invitation:
    digest = request.session.get(SESSION_KEY)
    invitation = invitations.invitation_by_hash(digest) if digest else None
    if invitation is None or invitation.started_at is None:
        raise Http404("Open your link from the e-mail to continue.")
    return invitation


def current_invitation(request) -> Invitation:
    """The started invitation of this browser's take-home session (404 without one): for
    candidate pages of other apps (apps.fairness's voluntary questions)."""
    return _current(request)


def _rows(invitation: Invitation) -> list[dict]:
    answers = Answer.objects.filter(item__session_id=invitation.session_id).select_related(
        "item__frozen"
    )
    return [
        {
            "item": a.item,
            "answer": a,
            "words": len(a.text.split()),
            "empty": not a.text.strip() and not a.attachment,
        }
        for a in sorted(answers, key=lambda a: a.item.order)
    ]


def _page(request, invitation, *, messages=(), conflicts=None, file_errors=None, status=200):
    if invitation.submitted_at:
        return redirect("takehome:receipt")
    rows = _rows(invitation)
    for row in rows:
        # On a conflict the box keeps what the candidate sent (nothing typed is lost) and the
        # saved text is shown beside it; the version is the saved one, so "Save" keeps theirs.
        conflict = (conflicts or {}).get(row["item"].pk)
        row["text"] = conflict["mine"] if conflict else row["answer"].text
        row["conflict"] = conflict
        row["file_error"] = (file_errors or {}).get(row["item"].pk)
    return render(
        request,
        "takehome/answer.html",
        {
            "invitation": invitation,
            "rows": rows,
            "seconds_left": invitations.seconds_left(invitation),
            "has_limit": bool(invitation.time_limit_seconds),
            "deadline": invitations.deadline(invitation),
            "notes": messages,
            "form_key": request.session.get(FORM_KEY, ""),
            "conflicts": conflicts or {},
            "accept": attachments.ACCEPT,
        },
        status=status,
    )


def _confirm(request, invitation, empty_rows):
    """The confirm step before a final submit with empty answers (works without JavaScript)."""
    return render(
        request,
        "takehome/confirm.html",
        {
            "invitation": invitation,
            "empty": empty_rows,
            "form_key": request.session.get(FORM_KEY, ""),
        },
    )


def _submit(request, invitation):
    """Submit, unless answers are empty and the candidate has not confirmed that yet."""
    if request.POST.get("confirm") != "1":
        rows = _rows(invitation)
        empty = [{"number": n, **row} for n, row in enumerate(rows, 1) if row["empty"]]
        if empty:
            return _confirm(request, invitation, empty)
    try:
        invitations.takehome_submit(invitation=invitation)
    except ValidationError as exc:
        return _page(request, invitation, messages=exc.messages, status=400)
    return redirect("takehome:receipt")


def _save_files(request, invitation, rows) -> dict[int, str]:
    """Store the files sent with the form (one per answer) and remove the ones asked to be;
    returns the refusals by item id (a refused file stores nothing)."""
    errors = {}
    for number, row in enumerate(rows, 1):
        item_id = row["item"].pk
        upload = request.FILES.get(f"file-{item_id}")
        try:
            if upload is not None:
                attachments.attachment_save(invitation=invitation, item_id=item_id, upload=upload)
            elif request.POST.get(f"remove-file-{item_id}") == "1" and row["answer"].attachment:
                attachments.attachment_remove(invitation=invitation, item_id=item_id)
        except invitations.SaveRefused as refused:
            errors[item_id] = f"Question {number}, file: {refused.message}"
    return errors


@candidate_csrf
@no_store
def answer_page(request):
    """The answering page. Works without JavaScript: the form posts every answer with the
    version it was shown, and any files, for "Save" or "Submit"."""
    invitation = _current(request)
    # The link's rule (a revoked link or a cancelled session); "submitted" goes to the receipt.
    if invitations.invitation_unusable_reason(invitation) == "revoked":
        return _gone(request, invitation, "revoked")
    if request.method == "GET":
        return _page(request, invitation)
    if invitation.submitted_at:
        return redirect("takehome:receipt")
    notes, conflicts = [], {}
    rows = _rows(invitation)
    for row in rows:
        answer = row["answer"]
        field = f"answer-{answer.item_id}"
        if field not in request.POST:
            continue
        text = request.POST[field]
        if text == answer.text:
            continue
        try:
            invitations.answer_save(
                invitation=invitation,
                item_id=answer.item_id,
                text=text,
                version=_int(request.POST.get(f"version-{answer.item_id}")),
            )
        except invitations.SaveRefused as refused:
            if refused.answer is not None:
                conflicts[answer.item_id] = {"mine": text, "saved": refused.answer.text}
            if refused.message not in notes:
                notes.append(refused.message)
    file_errors = _save_files(request, invitation, rows)
    notes.extend(file_errors.values())
    if "submit" in request.POST and not conflicts and not file_errors:
        return _submit(request, invitation)
    if not notes:
        notes.append(f"Saved at {timezone.localtime():%H:%M:%S}.")
    status = 409 if conflicts else 400 if file_errors else 200
    return _page(
        request,
        invitation,
        messages=notes,
        conflicts=conflicts,
        file_errors=file_errors,
        status=status,
    )


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@candidate_csrf
@no_store
@require_POST
def autosave(request, item_id: int):
    """One answer, saved while typing. Requires the version the page last saw.

    The hot path of the candidate's page: the service finds and locks the invitation by the
    session's token hash itself (no separate page-style lookup)."""
    digest = request.session.get(SESSION_KEY)
    if not digest:
        raise Http404("Open your link from the e-mail to continue.")
    sizes = [_int(s) or 0 for s in request.POST.get("paste_sizes", "").split(",") if s]
    try:
        answer = invitations.answer_save(
            token_hash=digest,
            item_id=item_id,
            text=request.POST.get("text", ""),
            version=_int(request.POST.get("version")),
            paste_sizes=sizes[:50],
            focus_lost=_int(request.POST.get("focus_lost")) or 0,
            active_seconds=_int(request.POST.get("active_seconds")) or 0,
        )
    except invitations.SaveRefused as refused:
        body = {"ok": False, "error": refused.message}
        if refused.answer is not None:
            body.update(saved_text=refused.answer.text, version=refused.answer.version)
        return JsonResponse(body, status=REFUSAL_STATUS[refused.reason])
    return JsonResponse(
        {"ok": True, "version": answer.version, "saved_at": timezone.localtime(answer.saved_at)
         .strftime("%H:%M:%S")}
    )  # fmt: skip


@candidate_csrf
@no_store
@require_POST
def submit(request):
    invitation = _current(request)
    if invitation.submitted_at:
        return redirect("takehome:receipt")
    return _submit(request, invitation)


@no_store
def receipt(request):
    invitation = _current(request)
    if not invitation.submitted_at:
        return redirect("takehome:answer")
    return render(
        request,
        "takehome/receipt.html",
        {"invitation": invitation, "rows": _rows(invitation), "code": receipt_code(invitation)},
    )
