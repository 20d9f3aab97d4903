"""Recruiter pages for invitations: create (link shown once), re-send, revoke, tenant walls."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.interviews.models import Invitation

pytestmark = pytest.mark.django_db


def test_create_shows_the_link_once_and_never_stores_it(
    client, recruiter, th_position, th_candidate, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    url = reverse("interviews:invitation_create", args=[th_position.pk])
    form = client.get(url)
    keys = [k for k, _ in form.context["form"].fields["questions"].choices]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "candidate": th_candidate.pk,
                "expires_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                "time_limit_minutes": "90",
                "extra_time_percent": "25",
                "questions": keys[:2],
                "form_key": form.context["form_key"],
            },
            follow=True,
        )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    link = response.context["link"]
    assert "/t/" in link
    invitation = Invitation.objects.get()
    assert invitation.session.items.count() == 2
    assert invitation.time_limit_seconds == 90 * 60 and invitation.extra_time_percent == 25
    detail = client.get(reverse("interviews:session_detail", args=[invitation.session_id]))
    assert link not in detail.content.decode()


def test_bad_deadline_is_a_form_error(client, recruiter, th_position, th_candidate):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:invitation_create", args=[th_position.pk]),
        {"candidate": th_candidate.pk, "expires_at": "2001-01-01T10:00", "questions": []},
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_resend_is_one_click_and_revoke_asks_first(client, recruiter, make_invitation):
    created = make_invitation()
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:invitation_resend", args=[created.invitation.pk]),
        {"form_key": "r" * 20},
        follow=True,
    )
    assert response.status_code == 200 and response.context["resent"] is True
    assert response.context["link"] and created.token not in response.context["link"]
    revoke = reverse("interviews:invitation_revoke", args=[created.invitation.pk])
    assert client.post(revoke).status_code == 400  # no tick: asked again, nothing changes
    assert Invitation.objects.get().revoked_at is None
    response = client.post(revoke, {"confirm": "yes"})
    assert response.status_code == 302
    assert Invitation.objects.get().revoked_at is not None


def test_other_tenants_invitations_are_404(client, outsider, make_invitation, th_position):
    created = make_invitation()
    client.force_login(outsider)
    for name in ("interviews:invitation_resend", "interviews:invitation_revoke"):
        assert client.post(reverse(name, args=[created.invitation.pk])).status_code == 404
    create = reverse("interviews:invitation_create", args=[th_position.pk])
    assert client.get(create).status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_interviewers_cannot_invite(client, interviewer, th_position):
    client.force_login(interviewer)
    url = reverse("interviews:invitation_create", args=[th_position.pk])
    assert client.get(url).status_code == 404
