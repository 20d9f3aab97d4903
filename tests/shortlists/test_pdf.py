"""PDFs with WeasyPrint (issue 12): the evidence report, one page per candidate with the charts,
and the shortlist; read back with poppler's pdftotext and rendered with pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from apps.shortlists import pdf
from apps.shortlists.reports import Redaction

from .conftest import create_link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def poppler():
    from tests.conftest import missing_service

    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        missing_service("poppler-utils (pdftotext, pdftoppm) is not installed")


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def page_count(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in out.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def test_the_report_pdf_reads_back_label_band_bar_and_name(shortlist, tmp_path):
    applications = [
        e.application
        for e in shortlist.entries.select_related("application__candidate", "application__position")
    ]
    content = pdf.report_pdf(applications, redaction=Redaction())
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert "Ada Lovelace" in text and "Cleo Ray" in text
    assert "Borderline, 81% likely above the bar" in text
    assert "90% band 60\u201380 against the bar of 62.5" in text
    assert "Below the bar" in text
    assert page_count(content, tmp_path) == 3  # one page per candidate


def test_the_shortlist_pdf_has_a_cover_then_a_page_per_candidate(shortlist, tmp_path):
    entry = shortlist.entries.get(application__candidate__name="Ada Lovelace")
    entry.summary = "Led an MES rollout at two plants."
    entry.save()
    applications = [e.application for e in shortlist.entries.all()]
    content = pdf.report_pdf(applications, redaction=Redaction(), shortlist=shortlist)
    text = pdf_text(content, tmp_path)
    assert text.startswith("MES engineers for Contoso")
    assert "Led an MES rollout at two plants." in text
    assert page_count(content, tmp_path) == 4


def test_page_one_is_not_blank(shortlist, tmp_path):
    from PIL import Image, ImageStat

    applications = [e.application for e in shortlist.entries.all()]
    (tmp_path / "r.pdf").write_bytes(pdf.report_pdf(applications, redaction=Redaction()))
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "r.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    stat = ImageStat.Stat(image)
    assert stat.var[0] > 100, stat.var  # text and charts, not a white page
    # Some of it is the charts' blue band (not only black text).
    colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
    assert any(b > r + 60 for _count, (r, _g, b) in colours)


def test_pdf_downloads_for_the_recruiter_and_the_client(
    client, org, shortlist, recruiter, tmp_path
):
    created = create_link(
        organization=org, shortlist=shortlist, created_by=recruiter, show_summary=False
    )
    response = client.get(reverse("share:pdf", args=[created.token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "Ada Lovelace" in pdf_text(response.content, tmp_path)
    client.force_login(recruiter)
    response = client.get(reverse("shortlists:pdf", args=[shortlist.pk]))
    assert response.status_code == 200
    assert 'filename="mes-engineers-for-contoso.pdf"' in response["Content-Disposition"]
    ada = shortlist.entries.get(application__candidate__name="Ada Lovelace").application
    response = client.get(reverse("shortlists:report_pdf", args=[ada.pk]))
    text = pdf_text(response.content, tmp_path)
    assert "Ada Lovelace" in text and "Cleo Ray" not in text


def test_the_share_email_carries_the_pdf_on_request(
    org, shortlist, recruiter, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        create_link(
            organization=org,
            shortlist=shortlist,
            created_by=recruiter,
            send_email=True,
            attach_pdf=True,
        )
    (sent,) = mail.outbox
    ((name, content, mimetype),) = sent.attachments
    assert name == "mes-engineers-for-contoso.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
