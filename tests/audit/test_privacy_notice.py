"""The candidate-facing privacy notice and the links to it from candidate pages and e-mails."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.services import invitations
from tests.factories import make_kit

pytestmark = pytest.mark.django_db


def notice(org):
    return reverse("privacy_notice", args=[org.slug])


def test_the_notice_states_the_organizations_retention_and_contact(client, org, other_org):
    org.retention_months = 12
    org.privacy_contact = "privacy@acme.example"
    org.save()
    response = client.get(notice(org))
    assert response.status_code == 200
    body = response.content.decode()
    assert "How Acme Talent handles your data" in body
    assert "<strong>12 months</strong> after the final decision" in body
    assert 'href="mailto:privacy@acme.example"' in body
    assert "No software scores your answers" in body
    assert "never scored" in body
    assert "copy of everything held about you" in body and "erased" in body
    # Nothing of another organization, and no self-reported questions unless collected.
    assert "Rival" not in body and "optional questions about you" not in body


def test_the_notice_falls_back_to_the_inviting_recruiter_and_shows_four_years(client, org):
    org.retention_months = 48
    org.privacy_contact = ""
    org.collects_self_reported_groups = True
    org.save()
    body = client.get(notice(org)).content.decode()
    assert "<strong>4 years</strong>" in body
    assert "the recruiter who invited you" in body and "mailto:" not in body
    assert "optional questions about you" in body


def test_a_named_contact_that_is_not_an_address_is_shown_as_text(client, org):
    org.privacy_contact = "Data Protection Officer, Acme Talent"
    org.save()
    body = client.get(notice(org)).content.decode()
    assert "Contact: Data Protection Officer, Acme Talent." in body and "mailto:" not in body


def test_unknown_slug_is_404(client, db):
    assert client.get(reverse("privacy_notice", args=["no-such-org"])).status_code == 404


def test_the_notice_needs_no_login_and_refuses_writes(client, org):
    assert client.get(notice(org)).status_code == 200
    assert client.post(notice(org)).status_code == 405


@pytest.fixture
def invitation(org, recruiter, interviewer, django_capture_on_commit_callbacks):
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    position = services.position_create(
        organization=org, created_by=recruiter, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="Shop floor execution.", kit=kit,
    )  # fmt: skip
    candidate = services.candidate_create(organization=org, name="Tom K", email="tom@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        return invitations.invitation_create(
            position=position,
            candidate=candidate,
            expires_at=timezone.now() + timedelta(days=3),
            created_by=recruiter,
            interviewers=[interviewer],
            contact="rita@acme.example",
        )


def test_the_invitation_email_links_the_notice(org, invitation):
    [message] = [m for m in mail.outbox if "tom@example.com" in m.to]
    assert f"How your data is used and kept: {settings.SITE_URL}{notice(org)}" in message.body


def test_take_home_pages_link_the_notice(client, org, invitation):
    link = f'href="{notice(org)}"'
    start_page = client.get(f"/t/{invitation.token}/")
    assert start_page.status_code == 200 and link in start_page.content.decode()
    assert client.post(f"/t/{invitation.token}/").status_code == 302
    answer_page = client.get(reverse("takehome:answer"))
    assert answer_page.status_code == 200 and link in answer_page.content.decode()
