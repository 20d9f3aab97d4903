"""PDFs with WeasyPrint: the evidence report (one page per candidate, with the charts) and the
shortlist (a cover page listing the candidates, then one report page each).

WeasyPrint needs Pango at run time (Debian: libpango-1.0-0 libpangoft2-1.0-0; installed by
.ci/run and the Dockerfile). Charts are inline SVG, so nothing is fetched while rendering.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from apps.interviews.models import Application

from . import services
from .models import ShareLink, Shortlist
from .reports import Redaction, candidate_reports, shortlist_summaries

# Page styles live in a static file, not a <style> block: templates carry no inline style.
PDF_CSS = Path(__file__).resolve().parents[2] / "static" / "shortlists" / "pdf.css"


def _render(context: dict) -> bytes:
    from weasyprint import CSS, HTML  # imported late: Pango is only needed when a PDF is made

    html = render_to_string("shortlists/pdf.html", context)
    stylesheet = CSS(filename=str(PDF_CSS))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])


def report_pdf(
    applications: list[Application],
    *,
    redaction: Redaction,
    shortlist: Shortlist | None = None,
    isa95_map: bool = False,
) -> bytes:
    """The PDF of these applications' evidence reports, with the shortlist's cover page and
    summaries when ``shortlist`` is given (and the ISA-95 map with ``isa95_map``: for one
    candidate's report)."""
    summaries = shortlist_summaries(shortlist) if shortlist is not None else {}
    reports = candidate_reports(
        applications, redaction=redaction, summaries=summaries, isa95_map=isa95_map
    )
    return _render(
        {
            "title": shortlist.title if shortlist else "Candidate evidence report",
            "shortlist": shortlist,
            "reports": reports,
            "redaction": redaction,
            "generated_at": timezone.now(),
        }
    )


def link_pdf(link: ShareLink) -> bytes:
    """The PDF a share link shows: its applications, redacted as the link allows, with the
    shortlist's cover page, or one candidate's report with the ISA-95 map."""
    return report_pdf(
        services.link_applications(link),
        redaction=Redaction.of(link),
        shortlist=link.shortlist,
        isa95_map=link.application_id is not None,
    )


def filename(title: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in title).strip("-").lower()
    return f"{safe[:60] or 'report'}.pdf"


def download(content: bytes, title: str) -> HttpResponse:
    """The PDF as a download named after ``title``."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(title)}"'
    return response
