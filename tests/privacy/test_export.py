"""Data access (issue 14): the zip holds candidate.json with everything held about the
candidate (answers, ratings, notes, decisions, share-link access, invitation, ATS order), their
attached files and a valid PDF report; the download is audited."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest

from apps.audit.models import AuditEntry
from apps.privacy import export

from .conftest import ANSWER, EMAIL, NAME, PHONE, PNG

pytestmark = pytest.mark.django_db


def open_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_export_holds_everything_about_the_candidate(everything, tmp_path):
    archive = open_zip(export.candidate_export(everything.candidate))
    names = set(archive.namelist())
    assert {"candidate.json", "report.pdf"} <= names
    doc = json.loads(archive.read("candidate.json"))

    assert doc["format"] == export.FORMAT
    assert doc["candidate"]["name"] == NAME
    assert doc["candidate"]["email"] == EMAIL
    assert doc["candidate"]["phone"] == PHONE
    assert doc["candidate"]["external_ids"] == {"greenhouse": "GH-99812"}
    assert doc["candidate"]["created_at"].endswith("+00:00")
    [application] = doc["applications"]
    assert application["state"] == "advanced"
    assert f"{NAME} to the client" in [d["reason"] for d in application["decisions"]]
    assert application["client_decisions"][0]["decision"] == "interview"
    assert application["client_decisions"][0]["comment"] == f"Meet {NAME} soon"
    assert application["shortlists"][0]["summary"].startswith(NAME)
    accesses = {a["kind"] for link in application["share_links"] for a in link["accesses"]}
    assert accesses == {"view", "pdf"}

    sessions = {s["mode"]: s for s in application["sessions"]}
    live, takehome = sessions["live"], sessions["take_home"]
    assert live["location"] == f"Room 4, ask for {NAME}"
    assert [c["interviewer"] for c in live["scorecards"]] == ["Interviewer 1", "Interviewer 2"]
    first = live["scorecards"][0]
    values = sorted(r["value"] for r in first["ratings"])
    assert values[-1] == 4 and set(values[:-1]) == {3}  # one rating corrected from 3 to 4
    assert first["notes"] == f"{NAME} knew ISA-95 well"
    assert first["corrections"][0]["new_value"] == "4"
    assert all(n["notes"] == f"{NAME} knew ISA-95 well" for n in first["item_notes"])
    assert "scratch" not in json.dumps(first["item_notes"])  # the private pad is never exported
    answered = [i for i in takehome["items"] if i["answer"] and i["answer"]["text"]]
    assert [i["answer"]["text"] for i in answered] == [ANSWER]
    attachment = answered[0]["answer"]["attachment"]
    assert attachment["name"] == "cv.png" and attachment["size"] == len(PNG)
    assert archive.read(attachment["file"]) == PNG
    assert takehome["invitation"]["email"] == EMAIL
    assert takehome["invitation"]["instructions"] == f"Dear {NAME}, take your time."
    assert takehome["ats"]["greenhouse"]["request"]["candidate"]["name"] == NAME

    pdf = archive.read("report.pdf")
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert NAME in text


def test_the_export_view_downloads_the_zip_and_audits_it(client, recruiter, everything):
    client.force_login(recruiter)
    response = client.post(f"/privacy/candidates/{everything.candidate.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="candidate-{everything.candidate.pk}-data.zip"'
    )
    doc = json.loads(open_zip(response.content).read("candidate.json"))
    assert doc["candidate"]["id"] == everything.candidate.pk
    entry = AuditEntry.objects.get(event="candidate.exported")
    assert entry.actor == recruiter
    assert entry.additional_data["candidate"] == everything.candidate.pk


def test_an_erased_candidate_exports_only_placeholders(everything, org_admin):
    from apps.privacy import services

    services.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="x")
    everything.candidate.refresh_from_db()
    content = export.candidate_export(everything.candidate)
    doc = open_zip(content).read("candidate.json").decode()
    assert NAME not in doc and EMAIL not in doc and ANSWER not in doc
    assert json.loads(doc)["candidate"]["erased_at"] is not None
