"""The recruiter's pages: compare a position's candidates, build a shortlist with summaries,
share it (or one candidate's report) through a link, revoke links, download the PDFs.

Admins and recruiters of the organization only; another organization's row is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.tenancy import get_for_tenant_or_404, role_required, tenant_filter
from apps.interviews.models import Application, Position
from apps.interviews.views import MANAGERS

from . import charts, pdf, selectors, services
from .forms import ShareForm, ShortlistForm
from .models import ShareLink, Shortlist
from .reports import Redaction, candidate_reports


def _application(request, pk: int) -> Application:
    return get_for_tenant_or_404(
        request, Application.objects.select_related("candidate", "position"), pk=pk
    )


def _shortlist(request, pk: int) -> Shortlist:
    return get_for_tenant_or_404(request, Shortlist.objects.select_related("position"), pk=pk)


@role_required(MANAGERS)
def index(request):
    positions = tenant_filter(request, Position).annotate(candidates=Count("applications"))
    shortlists = tenant_filter(request, Shortlist.objects.select_related("position")).annotate(
        size=Count("entries")
    )
    return render(
        request,
        "shortlists/index.html",
        {"positions": positions.order_by("title", "pk"), "shortlists": shortlists},
    )


@role_required(MANAGERS)
def compare(request, pk: int):
    position = get_for_tenant_or_404(request, Position, pk=pk)
    form = ShortlistForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ids = [int(raw) for raw in request.POST.getlist("applications") if raw.isdigit()]
        if form.is_valid():
            try:
                shortlist = services.shortlist_create(
                    position=position,
                    title=form.cleaned_data["title"],
                    application_ids=ids,
                    created_by=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None, f"{field.capitalize()}: {' '.join(errors)}")
            else:
                messages.success(request, "Shortlist created: add a summary per candidate.")
                return redirect("shortlists:detail", pk=shortlist.pk)
        status = 400
    data = selectors.position_compare(position)
    return render(
        request,
        "shortlists/compare.html",
        {
            **data,
            "position": position,
            "form": form,
            "chart": charts.compare_bands(data["rows"], position.bar),
            "picked": set(request.POST.getlist("applications")),
        },
        status=status,
    )


def _shortlist_page(request, shortlist: Shortlist, share_form: ShareForm, status: int = 200):
    entries = list(
        shortlist.entries.select_related("application__candidate", "application__position")
    )
    applications = [e.application for e in entries]
    reports = {
        r["application"].pk: r
        for r in candidate_reports(applications, redaction=Redaction(), summaries={})
    }
    rows = [{"entry": e, "report": reports[e.application_id]} for e in entries]
    decisions = selectors.decisions_for(applications)
    for row in rows:
        row["decisions"] = decisions.get(row["entry"].application_id, [])
    return render(
        request,
        "shortlists/detail.html",
        {
            "shortlist": shortlist,
            "rows": rows,
            "share_form": share_form,
            "links": selectors.links_for(shortlist=shortlist),
        },
        status=status,
    )


@role_required(MANAGERS)
def detail(request, pk: int):
    shortlist = _shortlist(request, pk)
    return _shortlist_page(request, shortlist, ShareForm())


@role_required(MANAGERS)
@require_POST
def update(request, pk: int):
    shortlist = _shortlist(request, pk)
    summaries = {}
    for key, value in request.POST.items():
        if key.startswith("summary-") and key[8:].isdigit():
            summaries[int(key[8:])] = value
    remove = [int(raw) for raw in request.POST.getlist("remove") if raw.isdigit()]
    try:
        services.shortlist_update(shortlist=shortlist, summaries=summaries, remove=remove)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, "Shortlist saved.")
    return redirect("shortlists:detail", pk=shortlist.pk)


def _back(link: ShareLink) -> str:
    """The recruiter's page of what the link shares."""
    if link.shortlist_id:
        return reverse("shortlists:detail", args=[link.shortlist_id])
    return reverse("shortlists:report", args=[link.application_id])


def _share(request, *, shortlist=None, application=None):
    form = ShareForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.link_create(
                organization=request.organization,
                shortlist=shortlist,
                application=application,
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                days=data["days"],
                access_code=data["access_code"],
                send_email=data["send_email"],
                attach_pdf=data["attach_pdf"],
                created_by=request.user,
                **{f: data[f] for f in ShareForm.REDACTION},
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            url = request.build_absolute_uri(reverse("share:open", args=[created.token]))
            response = render(
                request,
                "shortlists/link_created.html",
                {
                    "link": created.link,
                    "url": url,
                    "emailed": data["send_email"],
                    "back": _back(created.link),
                },
            )
            response["Cache-Control"] = "no-store"  # the only copy of the token
            return response
    if shortlist is not None:
        return _shortlist_page(request, shortlist, form, status=400)
    return _report_page(request, application, form, status=400)


@role_required(MANAGERS)
@require_POST
def share_shortlist(request, pk: int):
    return _share(request, shortlist=_shortlist(request, pk))


def _report_page(request, application: Application, share_form: ShareForm, status: int = 200):
    (report,) = candidate_reports([application], redaction=Redaction(), isa95_map=True)
    return render(
        request,
        "shortlists/report_detail.html",
        {
            "application": application,
            "report": report,
            "share_form": share_form,
            "links": selectors.links_for(application=application),
        },
        status=status,
    )


@role_required(MANAGERS)
def report_detail(request, pk: int):
    return _report_page(request, _application(request, pk), ShareForm())


@role_required(MANAGERS)
@require_POST
def share_report(request, pk: int):
    return _share(request, application=_application(request, pk))


@role_required(MANAGERS)
@require_POST
def revoke(request, pk: int):
    link = get_for_tenant_or_404(request, ShareLink, pk=pk)
    services.link_revoke(link=link)
    messages.success(request, f"The link for {link.contact_name} is revoked.")
    return redirect(_back(link))


@role_required(MANAGERS)
def shortlist_pdf(request, pk: int):
    shortlist = _shortlist(request, pk)
    applications = [
        e.application
        for e in shortlist.entries.select_related("application__candidate", "application__position")
    ]
    content = pdf.report_pdf(applications, redaction=Redaction(), shortlist=shortlist)
    return pdf.download(content, shortlist.title)


@role_required(MANAGERS)
def report_pdf(request, pk: int):
    application = _application(request, pk)
    content = pdf.report_pdf([application], redaction=Redaction(), isa95_map=True)
    return pdf.download(content, application.candidate.name)
