"""The role-brief check on the form (issue 11): it runs on the text alone, pre-selects its
suggested track, brings the result into view (static JS), and job ads are capped at 50 KB."""

import pytest
from django.urls import reverse

from apps.interviews.models import Position
from apps.interviews.services.briefs import JOB_AD_MAX_BYTES
from tests.factories import LevelFactory, TrackFactory

from .test_briefcheck import ENTERPRISE_AD, PLANT_AD

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracks():
    LevelFactory(number=2)
    return TrackFactory(key="plant", name="Plant-level MES"), TrackFactory(
        key="enterprise", name="Enterprise-level MOM"
    )


def test_the_check_needs_only_the_text_and_preselects_the_track(client, recruiter, tracks):
    _, enterprise = tracks
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:position_create"),
        {"title": "Global MES Architect", "job_description": ENTERPRISE_AD, "check": "1"},
    )
    assert response.status_code == 200
    assert response.context["check"]["reading"] == "enterprise"
    form = response.context["form"]
    assert not form.is_bound  # shown as typed: no "this field is required" before saving
    assert form.initial["track"] == str(enterprise.pk)
    body = response.content.decode()
    assert "This field is required" not in body
    assert "Track set to <strong>Enterprise-level MOM</strong>" in body
    assert 'id="brief-check"' in body and "data-focus-on-load" in body
    assert "js/focus-on-load.js" in body and "<script>" not in body
    assert ENTERPRISE_AD.split()[0] in body  # the typed ad is kept
    assert not Position.objects.exists()


def test_the_check_keeps_a_track_already_chosen(client, recruiter, tracks):
    plant, _ = tracks
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:position_create"),
        {
            "title": "MES Engineer",
            "job_description": ENTERPRISE_AD,
            "track": str(plant.pk),
            "check": "1",
        },
    )
    assert response.context["form"].initial["track"] == str(plant.pk)
    assert response.context["preselected"] is None


def test_a_plant_ad_preselects_plant(client, recruiter, tracks):
    plant, _ = tracks
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:position_create"),
        {"title": "MES Engineer", "job_description": PLANT_AD, "check": "1"},
    )
    assert response.context["form"].initial["track"] == str(plant.pk)


def test_a_job_ad_over_50_kb_is_refused_with_a_clear_message(client, recruiter, tracks):
    plant, _ = tracks
    client.force_login(recruiter)
    huge = "Shop floor execution and dispatching. " * (JOB_AD_MAX_BYTES // 30)
    checked = client.post(
        reverse("interviews:position_create"),
        {"title": "MES Engineer", "job_description": huge, "check": "1"},
    )
    assert checked.status_code == 400
    assert "the limit is 50 KB" in checked.context["check_error"]
    saved = client.post(
        reverse("interviews:position_create"),
        {
            "client_company": "Contoso",
            "title": "MES Engineer",
            "track": plant.pk,
            "level": 2,
            "job_description": huge,
            "save": "1",
        },
    )
    assert saved.status_code == 200  # the position form keeps its 200-with-errors convention
    assert "the limit is 50 KB" in str(saved.context["form"].errors["job_description"])
    assert not Position.objects.exists()
