"""The link is the key: entropy, hashing, 404/410, headers, rate limit, logs, cookies."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from apps.interviews import services
from apps.interviews.models import Invitation
from apps.interviews.services import invitations

from .conftest import start

pytestmark = pytest.mark.django_db


def test_token_has_256_bits_and_only_its_hash_is_stored(make_invitation):
    created = make_invitation()
    assert len(created.token) >= 43  # token_urlsafe(32): 32 random bytes, 43 base64 chars
    stored = Invitation.objects.get()
    assert stored.token_hash == hashlib.sha256(created.token.encode()).hexdigest()
    # The raw token appears in no column of any table.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert all(created.token not in str(value) for value in row), table


def test_tokens_are_unique(make_invitation, th_candidate, org):
    from apps.interviews import services

    other = services.candidate_create(organization=org, name="B", email="b@example.com")
    a, b = make_invitation(), make_invitation(candidate=other)
    assert a.token != b.token


def test_the_email_carries_the_link_and_is_sent_after_commit(make_invitation):
    created = make_invitation()
    (message,) = mail.outbox
    assert message.to == ["tom@example.com"]
    assert f"/t/{created.token}/" in message.body
    assert "rita@acme.example" in message.body
    assert Invitation.objects.get().send_count == 1


def test_get_spends_nothing_and_post_moves_the_token_into_the_session(client, make_invitation):
    created = make_invitation()
    response = client.get(f"/t/{created.token}/")
    assert response.status_code == 200 and b"Start the assignment" in response.content
    invitation = Invitation.objects.get()
    assert invitation.opened_at is not None and invitation.started_at is None
    response = client.post(f"/t/{created.token}/")
    assert response.status_code == 302
    assert response["Location"] == "/takehome/"
    assert created.token not in response["Location"]
    assert client.session["takehome_token_hash"] == invitation.token_hash
    assert created.token not in str(dict(client.session))
    assert client.get("/takehome/").status_code == 200


def test_unknown_token_is_404(client):
    assert client.get("/t/" + "x" * 43 + "/").status_code == 404


@pytest.mark.parametrize("state", ["revoked", "expired", "submitted"])
def test_dead_links_answer_410_with_whom_to_contact(client, make_invitation, state):
    created = make_invitation()
    invitation = Invitation.objects.get()
    if state == "revoked":
        invitations.invitation_revoke(invitation=invitation)
    elif state == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        invitations.takehome_start(invitation=invitation)
        invitations.takehome_submit(invitation=invitation)
    response = client.get(f"/t/{created.token}/")
    assert response.status_code == 410
    assert b"rita@acme.example" in response.content
    assert client.post(f"/t/{created.token}/").status_code == 410


def test_resend_makes_a_new_link_and_kills_the_old(
    client, make_invitation, django_capture_on_commit_callbacks
):
    created = make_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        again = invitations.invitation_resend(invitation=created.invitation)
    assert again.token != created.token
    assert client.get(f"/t/{created.token}/").status_code == 404
    assert client.get(f"/t/{again.token}/").status_code == 200
    assert f"/t/{again.token}/" in mail.outbox[-1].body


def test_candidate_pages_send_privacy_headers(started):
    client, created = started
    for url in (f"/t/{created.token}/", "/takehome/"):
        response = client.get(url)
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"
    body = client.get("/takehome/").content.decode()
    assert "https://" not in body and "http://" not in body.replace("http://www.w3.org", "")


def test_token_endpoint_is_rate_limited(client, make_invitation, settings):
    settings.TAKEHOME_RATE_LIMIT_PER_MINUTE = 5
    from django.core.cache import cache

    cache.clear()
    created = make_invitation()
    codes = [client.get(f"/t/{created.token}/").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    assert client.get("/t/" + "y" * 43 + "/").status_code == 429
    cache.clear()


def test_the_token_never_reaches_a_log_line(client, make_invitation):
    """Through the handler settings.LOGGING configures (not the filter called by hand): what
    the console would print carries no token, and shows that a link was logged."""
    import io

    from apps.takehome.security import RedactTokens

    (handler,) = [
        h for h in logging.getLogger().handlers
        if any(isinstance(f, RedactTokens) for f in h.filters)
    ]  # fmt: skip
    created = make_invitation()
    unknown = "z" * 43
    captured = io.StringIO()
    old_stream = handler.setStream(captured)
    try:
        client.get(f"/t/{unknown}/")  # 404: Django logs "Not Found: <path>"
        client.post(f"/t/{created.token}/")
        client.get(f"/t/{created.token}/")
    finally:
        handler.setStream(old_stream)
    printed = captured.getvalue()
    assert "Not Found: /t/[redacted]/" in printed
    assert created.token not in printed and unknown not in printed


def test_the_configured_handlers_redact(settings):
    assert "redact_tokens" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_session_cookie_flags(started, settings):
    client, _ = started
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookie_is_secure_outside_debug():
    import subprocess
    import sys

    code = (
        "import django,os;django.setup();from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "interviewbank.settings", "SECRET_KEY": "x" * 50,
           "DEBUG": "0", "PATH": "/usr/bin"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_a_cookie_for_one_session_cannot_touch_another(client, make_invitation, th_position, org):
    from apps.interviews import services
    from apps.interviews.models import Answer

    mine = make_invitation()
    other_candidate = services.candidate_create(organization=org, name="C", email="c@example.com")
    theirs = make_invitation(candidate=other_candidate)
    invitations.takehome_start(invitation=theirs.invitation)
    start(client, mine.token)
    their_item = theirs.invitation.session.items.first()
    response = client.post(
        f"/takehome/answers/{their_item.pk}/", {"text": "hijack", "version": "0"}
    )
    assert response.status_code == 404
    assert Answer.objects.get(item=their_item).text == ""
    assert "hijack" not in client.get("/takehome/").content.decode()


def test_no_session_no_page(client):
    assert client.get("/takehome/").status_code == 404
    assert client.post("/takehome/submit/").status_code == 404


def test_candidate_posts_without_the_form_key_are_refused(started):
    client, created = started
    item = created.invitation.session.items.first()
    del client.defaults["HTTP_X_TAKEHOME_KEY"]
    response = client.post(f"/takehome/answers/{item.pk}/", {"text": "x", "version": "0"})
    assert response.status_code == 403 and b"Reload" in response.content
    forged = client.post(
        f"/takehome/answers/{item.pk}/", {"text": "x", "version": "0", "form_key": "guess"}
    )
    assert forged.status_code == 403


@pytest.mark.parametrize("how", ["revoked", "cancelled"])
def test_an_open_answer_page_is_gone_once_the_link_is_revoked_or_the_session_cancelled(
    started, how
):
    client, created = started
    if how == "revoked":
        invitations.invitation_revoke(invitation=created.invitation)
    else:
        services.session_cancel(session=created.invitation.session)
    response = client.get("/takehome/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
