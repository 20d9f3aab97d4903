"""The demo `make run` loads shows the three verdicts, each explained, and a track mismatch
(issue 9: what a new user sees first must make sense)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.interviews.models import Application
from apps.interviews.verdicts import Verdict

pytestmark = pytest.mark.django_db


def _verdicts() -> dict[str, Verdict]:
    return {
        a.candidate.name: Verdict.from_result(a.result)
        for a in Application.objects.filter(position__title="MES Engineer").select_related(
            "candidate"
        )
    }


def test_the_demo_shows_above_borderline_and_below_each_explained(shipped_bank, client):
    call_command("load_demo", stdout=io.StringIO())
    verdicts = _verdicts()
    assert verdicts["Priya Natarajan"].label == "above_bar"
    assert verdicts["Tomasz Kowalski"].label == "borderline"
    assert verdicts["Amara Okafor"].label == "below_bar"
    # Every stage of the plan ran: screen, take-home and panel.
    assert all(len(v.stages) == 3 for v in verdicts.values())
    mismatch = Application.objects.get(candidate__name="Jonas Berg")
    assert mismatch.result["track"]["fit"] == "mismatch"

    # Through the login page, as a person would (and as the login lockout expects).
    client.post(reverse("login"), {"username": "recruiter", "password": "demo-pass-2026"})
    for application in Application.objects.filter(position__title="MES Engineer"):
        page = client.get(reverse("interviews:application_detail", args=[application.pk]))
        body = page.content.decode()
        verdict = Verdict.from_result(application.result)
        assert page.status_code == 200
        assert verdict.headline.split(",")[0] in body
        assert "likely above the bar" in body
        assert verdict.label_reason in body
    # Running it again changes nothing (make run is idempotent).
    before = Application.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Application.objects.count() == before
