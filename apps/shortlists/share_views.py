"""The client's side of a share link: no account, the link is the key.

Built on the take-home link's rules (``apps.takehome.security``): every response is no-store
and no-referrer, requests are rate-limited per address, forms carry a per-session key instead of
Django's CSRF origin check (which ``no-referrer`` defeats), and log lines never carry the token.
Unknown tokens are 404; revoked or expired links are 410 naming the recruiter to contact. With
an access code, the code is asked once per browser session. Every request is in the link's
access log, its network hashed.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.takehome.security import FORM_KEY, candidate_csrf, issue_form_key, no_store, rate_limited

from . import pdf, services
from .forms import AccessCodeForm, ClientDecisionForm
from .models import ShareAccess, ShareLink
from .reports import Redaction, candidate_reports, shortlist_summaries


def _unlocked_key(link: ShareLink) -> str:
    return f"share_unlocked:{link.pk}"


def _gone(request, link: ShareLink, reason: str):
    services.access_record(link=link, kind=ShareAccess.Kind.GONE, address=_address(request))
    return render(
        request,
        "shortlists/gone.html",
        {"link": link, "reason": reason, "contact": services.link_contact(link)},
        status=410,
    )


def _address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def shared(view):
    """Find the link by its token (404 / 410), require the per-session form key on POST."""

    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        link = services.link_by_token(token)
        if link is None:
            raise Http404("Unknown link")
        try:
            services.check_usable(link)
        except services.LinkGone as gone:
            return _gone(request, link, gone.reason)
        if request.method == "POST" and FORM_KEY not in request.session:
            return HttpResponseForbidden("This page expired. Open the link again.")
        return view(request, link, token, *args, **kwargs)

    return candidate_csrf(no_store(rate_limited(wrapped)))


def _page(request, link: ShareLink, token: str, *, forms=None, status: int = 200):
    applications = services.link_applications(link)
    summaries = shortlist_summaries(link.shortlist) if link.shortlist_id else {}
    reports = candidate_reports(
        applications,
        redaction=Redaction.of(link),
        summaries=summaries,
        isa95_map=link.application_id is not None,
    )
    decided = {}
    for decision in link.decisions.all():
        decided.setdefault(decision.application_id, decision)
    for report in reports:
        pk = report["application"].pk
        report["decision"] = decided.get(pk)
        report["form"] = (forms or {}).get(pk) or ClientDecisionForm(auto_id=f"id_{pk}_%s")
    return render(
        request,
        "shortlists/share.html",
        {
            "link": link,
            "token": token,
            "reports": reports,
            "form_key": issue_form_key(request),
            "contact": services.link_contact(link),
            "title": link.shortlist.title if link.shortlist_id else "Candidate evidence report",
        },
        status=status,
    )


@shared
def open_link(request, link: ShareLink, token: str):
    unlocked = not link.access_code_hash or request.session.get(_unlocked_key(link))
    if request.method == "POST" and not unlocked:
        form = AccessCodeForm(request.POST)
        if form.is_valid() and services.code_matches(link, form.cleaned_data["access_code"]):
            request.session.cycle_key()
            request.session[_unlocked_key(link)] = True
            return redirect("share:open", token=token)
        services.access_record(
            link=link, kind=ShareAccess.Kind.CODE_FAILED, address=_address(request)
        )
        if form.is_valid():
            form.add_error("access_code", "That access code is not right.")
        return _code_page(request, link, form, status=400)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not unlocked:
        return _code_page(request, link, AccessCodeForm())
    services.access_record(link=link, kind=ShareAccess.Kind.VIEW, address=_address(request))
    return _page(request, link, token)


def _code_page(request, link: ShareLink, form: AccessCodeForm, status: int = 200):
    return render(
        request,
        "shortlists/share_code.html",
        {
            "link": link,
            "form": form,
            "form_key": issue_form_key(request),
            "contact": services.link_contact(link),
        },
        status=status,
    )


def _require_unlocked(request, link: ShareLink) -> None:
    if link.access_code_hash and not request.session.get(_unlocked_key(link)):
        raise Http404("Enter the access code first.")


@shared
@require_POST
def decide(request, link: ShareLink, token: str, application_pk: int):
    _require_unlocked(request, link)
    application = next(
        (a for a in services.link_applications(link) if a.pk == application_pk), None
    )
    if application is None:
        raise Http404("Not a candidate of this link.")
    form = ClientDecisionForm(request.POST, auto_id=f"id_{application_pk}_%s")
    if form.is_valid():
        try:
            services.client_decide(
                link=link,
                application=application,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            services.access_record(
                link=link, kind=ShareAccess.Kind.DECISION, address=_address(request)
            )
            messages.success(request, f"Your decision on {application.candidate.name} is recorded.")
            return redirect("share:open", token=token)
    return _page(request, link, token, forms={application_pk: form}, status=400)


@shared
def download_pdf(request, link: ShareLink, token: str):
    _require_unlocked(request, link)
    services.access_record(link=link, kind=ShareAccess.Kind.PDF, address=_address(request))
    title = link.shortlist.title if link.shortlist_id else "evidence report"
    return pdf.download(pdf.link_pdf(link), title)
