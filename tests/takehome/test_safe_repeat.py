"""Create forms are safe to repeat (issue 11, "Everyday flows without traps").

Invitation, API-key and webhook creation follow POST/redirect/GET with a one-time form key: the
same POST twice (a double click, a reload) creates and e-mails nothing twice, and the one-time
link or secret is shown once after the redirect. Destructive actions ask first; a revoked
invitation can be re-sent; an API key cannot be created already expired.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import FormSubmission
from apps.ats.models import OrganizationAPIKey, WebhookEndpoint
from apps.interviews.models import CandidateSession, Invitation
from apps.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _invite_data(client, position, candidate) -> dict:
    page = client.get(reverse("interviews:invitation_create", args=[position.pk]))
    keys = [k for k, _ in page.context["form"].fields["questions"].choices]
    return {
        "candidate": candidate.pk,
        "expires_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": "90",
        "questions": keys[:2],
        "form_key": page.context["form_key"],
    }


def test_the_same_invite_post_twice_creates_one_session_and_one_email(
    client, recruiter, th_position, th_candidate, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    data = _invite_data(client, th_position, th_candidate)
    url = reverse("interviews:invitation_create", args=[th_position.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
        second = client.post(url, data)  # the reload / the second click
    invitation = Invitation.objects.get()
    result = reverse("interviews:invitation_link", args=[invitation.pk])
    assert (first.status_code, first["Location"]) == (302, result)
    assert (second.status_code, second["Location"]) == (302, result)
    assert CandidateSession.objects.count() == 1
    assert OutboxMessage.objects.filter(kind__contains="invitation").count() == 1
    # The link is shown once, after the redirect, with a copy button; a reload shows it no more.
    page = client.get(result)
    assert page["Cache-Control"] == "no-store"
    link = page.context["link"]
    assert "/t/" in link and 'data-copy="shown-once"' in page.content.decode()
    again = client.get(result)
    assert again.context["link"] == "" and link not in again.content.decode()
    assert "shown once already" in again.content.decode()


def test_a_malformed_form_key_changes_nothing_and_the_form_offers_a_good_one(
    client, recruiter, th_position, th_candidate
):
    client.force_login(recruiter)
    data = _invite_data(client, th_position, th_candidate)
    response = client.post(
        reverse("interviews:invitation_create", args=[th_position.pk]),
        {**data, "form_key": "not a key!"},
    )
    assert response.status_code == 400
    assert "This form expired" in response.content.decode()
    assert Invitation.objects.count() == 0 and FormSubmission.objects.count() == 0
    # The form shown again carries a usable key: sending it works.
    key = response.context["form_key"]
    ok = client.post(
        reverse("interviews:invitation_create", args=[th_position.pk]), {**data, "form_key": key}
    )
    assert ok.status_code == 302 and Invitation.objects.count() == 1


def test_a_refused_invite_keeps_its_key_usable(client, recruiter, th_position, th_candidate):
    client.force_login(recruiter)
    data = _invite_data(client, th_position, th_candidate)
    url = reverse("interviews:invitation_create", args=[th_position.pk])
    bad = client.post(url, {**data, "expires_at": "2001-01-01T10:00"})
    assert bad.status_code == 400 and bad.context["form"].errors["expires_at"]
    assert bad.context["form_key"] == data["form_key"]  # that POST claimed nothing
    assert client.post(url, data).status_code == 302
    assert Invitation.objects.count() == 1


def test_resend_twice_with_one_key_sends_one_new_link(
    client, recruiter, make_invitation, django_capture_on_commit_callbacks
):
    created = make_invitation()
    before = Invitation.objects.get().token_hash
    client.force_login(recruiter)
    url = reverse("interviews:invitation_resend", args=[created.invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"form_key": "x" * 24})
        second = client.post(url, {"form_key": "x" * 24})
    assert first["Location"] == second["Location"]
    after = Invitation.objects.get().token_hash
    assert after != before
    # The first e-mail (at create) and one for the re-send: the second POST queued nothing.
    assert OutboxMessage.objects.filter(kind__contains="invitation").count() == 2
    assert FormSubmission.objects.count() == 1


def test_a_revoked_invitation_can_be_re_sent(
    client, recruiter, make_invitation, django_capture_on_commit_callbacks
):
    created = make_invitation()
    client.force_login(recruiter)
    revoke = reverse("interviews:invitation_revoke", args=[created.invitation.pk])
    asked = client.get(revoke)
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    client.post(revoke, {"confirm": "yes"})
    assert Invitation.objects.get().revoked_at is not None
    assert client.get(f"/t/{created.token}/").status_code == 410
    detail = client.get(reverse("interviews:session_detail", args=[created.invitation.session_id]))
    assert "Re-send (reinstate with a new link)" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interviews:invitation_resend", args=[created.invitation.pk]),
            {"form_key": "y" * 24},
            follow=True,
        )
    link = response.context["link"]
    assert Invitation.objects.get().revoked_at is None
    assert client.get(link.split("127.0.0.1:8000", 1)[-1]).status_code == 200  # the new link
    assert client.get(f"/t/{created.token}/").status_code == 404  # the revoked one stays dead


def test_cancelling_a_session_asks_first(client, recruiter, make_invitation):
    created = make_invitation()
    client.force_login(recruiter)
    url = reverse("interviews:session_cancel", args=[created.invitation.session_id])
    refused = client.post(url)
    assert refused.status_code == 400 and "Confirm: tick the box" in refused.content.decode()
    assert CandidateSession.objects.get().status != CandidateSession.Status.CANCELLED
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert CandidateSession.objects.get().status == CandidateSession.Status.CANCELLED


def test_the_same_api_key_post_twice_creates_one_key_shown_once(client, org_admin, org):
    client.force_login(org_admin)
    key = client.get(reverse("api_keys")).context["form_key"]
    first = client.post(reverse("api_keys"), {"name": "Greenhouse", "form_key": key})
    second = client.post(reverse("api_keys"), {"name": "Greenhouse", "form_key": key})
    assert first.status_code == second.status_code == 302
    assert OrganizationAPIKey.objects.filter(organization=org).count() == 1
    shown = client.get(reverse("api_keys"))
    raw = shown.context["created_key"]
    assert raw.startswith(OrganizationAPIKey.objects.get().prefix)
    assert 'data-copy="shown-once"' in shown.content.decode()
    assert raw not in client.get(reverse("api_keys")).content.decode()


def test_an_api_key_cannot_be_created_already_expired(client, org_admin, org):
    client.force_login(org_admin)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("api_keys"), {"name": "Old", "expiry_date": past, "form_key": "z" * 24}
    )
    assert response.status_code == 400
    assert "expiry must be in the future" in str(response.context["form"].errors["expiry_date"])
    assert not OrganizationAPIKey.objects.exists()


def test_revoking_an_api_key_asks_first(client, org_admin, org):
    client.force_login(org_admin)
    OrganizationAPIKey.objects.create_key(organization=org, name="GH")
    key = OrganizationAPIKey.objects.get()
    assert client.post(reverse("api_key_revoke", args=[key.prefix])).status_code == 400
    key.refresh_from_db()
    assert not key.revoked


def test_the_same_webhook_post_twice_creates_one_endpoint(client, org_admin, org, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    client.force_login(org_admin)
    key = client.get(reverse("webhooks:create")).context["form_key"]
    data = {"url": "http://127.0.0.1:9/in", "events": ["session.scored"], "form_key": key}
    first = client.post(reverse("webhooks:create"), data)
    second = client.post(reverse("webhooks:create"), data)
    endpoint = WebhookEndpoint.objects.get(organization=org)
    assert first["Location"] == second["Location"] == reverse("webhooks:detail", args=[endpoint.pk])
    shown = client.get(first["Location"])
    assert endpoint.secret in shown.content.decode() and shown["Cache-Control"] == "no-store"
    assert endpoint.secret not in client.get(first["Location"]).content.decode()


def test_other_tenants_cannot_see_an_invitations_link_page(client, outsider, make_invitation):
    created = make_invitation()
    client.force_login(outsider)
    url = reverse("interviews:invitation_link", args=[created.invitation.pk])
    assert client.get(url).status_code == 404
    url = reverse("interviews:session_cancel", args=[created.invitation.session_id])
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert CandidateSession.objects.get().status != CandidateSession.Status.CANCELLED


def test_the_link_page_costs_the_same_queries_whatever_the_rows(
    client, recruiter, make_invitation, django_assert_max_num_queries
):
    created = make_invitation()
    client.force_login(recruiter)
    url = reverse("interviews:invitation_link", args=[created.invitation.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_claimed_form_keys_are_pruned_after_a_week(recruiter, settings):
    from apps.accounts import once

    old = FormSubmission.objects.create(user=recruiter, key="o" * 24, result_url="/a/")
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - once.KEEP - timedelta(minutes=1)
    )
    recent = FormSubmission.objects.create(user=recruiter, key="r" * 24, result_url="/b/")
    assert once.form_submissions_prune() == 1
    assert list(FormSubmission.objects.all()) == [recent]
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-prune-form-submissions"]
    assert entry["task"] == "apps.accounts.tasks.prune_form_submissions"


def test_a_plain_validation_error_is_a_form_error_not_a_500(rf, recruiter):
    from django import forms
    from django.core.exceptions import ValidationError

    from apps.accounts import once

    class Form(forms.Form):
        name = forms.CharField()

    request = rf.post("/", {"name": "x", "form_key": "k" * 24})
    request.user = recruiter
    form = Form(request.POST)
    assert form.is_valid()

    def work() -> once.Done:
        raise ValidationError("The kit has no questions.")

    assert once.submit_form(request, form, work) is None
    assert form.non_field_errors() == ["The kit has no questions."]
    assert FormSubmission.objects.count() == 0  # the claim rolled back with the work
