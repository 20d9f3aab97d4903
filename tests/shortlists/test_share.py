"""Share links (issue 12): a client contact opens a shortlist or one candidate's report without
an account; the link expires, can be revoked, keeps only its token's hash, is served no-store
and no-referrer, rate-limited, optionally behind an access code, logged with hashed networks;
the contact's decisions land on the pipeline and the recruiter is told through the outbox."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.interviews.models import Application, ApplicationDecision
from apps.outbox.models import OutboxMessage
from apps.shortlists import services as share
from apps.shortlists.models import ClientDecision, ShareAccess, ShareLink

from .conftest import create_link

pytestmark = pytest.mark.django_db


def open_url(token: str) -> str:
    return reverse("share:open", args=[token])


def unlock(client, token: str) -> str:
    """GET the page (issuing the per-session form key) and return the key."""
    assert client.get(open_url(token)).status_code == 200
    return client.session["takehome_form_key"]


def test_client_sees_the_shortlist_with_only_what_was_allowed(
    client, org, shortlist, scored, recruiter_named
):
    from apps.shortlists.models import ShortlistEntry

    ShortlistEntry.objects.create(shortlist=shortlist, application=scored, summary="Strong.")
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter_named)
    response = client.get(open_url(created.token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    for name in ("Ada Lovelace", "Bob Builder", "Cleo Ray", "Priya Natarajan"):
        assert name in body
    assert "81% likely above the bar" in body and "against the bar of <strong>62.5" in body
    assert "Recruiter's summary:</strong> Strong." in body
    assert "Skipped lockout-tagout" in body  # critical flags are shown by default
    # Interviewer names and free-text notes are hidden by default.
    assert "Ivan" not in body and "Petrov" not in body and "ines" not in body
    assert "SECRET-NOTE" not in body
    # Everything the recruiter may choose to hide, hidden.
    hidden = create_link(
        organization=org,
        shortlist=shortlist,
        created_by=recruiter_named,
        show_flags=False,
        show_summary=False,
        show_competencies=False,
        allow_decisions=False,
    )
    body = client.get(open_url(hidden.token)).content.decode()
    assert "Skipped lockout-tagout" not in body and "Strong." not in body
    assert "Competency estimates" not in body and "Your decision" not in body
    # And names and notes when the recruiter allows them.
    shown = create_link(
        organization=org,
        application=scored,
        created_by=recruiter_named,
        show_interviewer_names=True,
        show_notes=True,
    )
    body = client.get(open_url(shown.token)).content.decode()
    assert "Ivan Petrov" in body and "IVAN-SECRET-NOTE" in body and "INES-SECRET-NOTE" in body
    assert "Ada Lovelace" not in body  # a one-candidate link shows that candidate only
    assert "ISA-95 competency map" in body  # one candidate's report carries the map


def test_the_token_is_in_no_table_and_the_code_is_hashed(
    org, shortlist, recruiter_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = create_link(
            organization=org,
            shortlist=shortlist,
            created_by=recruiter_named,
            access_code="tulip-42",
            send_email=True,
            attach_pdf=False,
        )
    link = created.link
    assert link.token_hash != created.token and len(created.token) >= 40
    assert link.access_code_hash and "tulip-42" not in link.access_code_hash
    assert link.expires_at - timezone.now() > timedelta(days=13, hours=23)
    assert OutboxMessage.objects.filter(kind=share.SHARE_EMAIL).exists()
    (sent,) = mail.outbox
    assert created.token in sent.body and sent.to == ["carla@contoso.example"]
    assert "Rita Recruiter (rita@acme.example)" in sent.body
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert all(created.token not in str(value) for value in row), table
                assert all("tulip-42" not in str(value) for value in row), table


def test_revoked_and_expired_links_answer_410_naming_the_recruiter(
    client, org, shortlist, recruiter_named
):
    revoked = create_link(organization=org, shortlist=shortlist, created_by=recruiter_named)
    share.link_revoke(link=revoked.link)
    expired = create_link(organization=org, shortlist=shortlist, created_by=recruiter_named)
    ShareLink.objects.filter(pk=expired.link.pk).update(expires_at=timezone.now())
    for created, words in ((revoked, "withdrawn"), (expired, "expired")):
        response = client.get(open_url(created.token))
        assert response.status_code == 410
        body = response.content.decode()
        assert words in body and "Rita Recruiter (rita@acme.example)" in body
        assert "Ada Lovelace" not in body
        assert response["Cache-Control"] == "no-store"
    assert client.get(open_url("x" * 43)).status_code == 404
    assert ShareAccess.objects.filter(kind=ShareAccess.Kind.GONE).count() == 2


def test_the_access_code_is_asked_once_and_wrong_codes_are_logged(
    client, org, shortlist, recruiter
):
    created = create_link(
        organization=org, shortlist=shortlist, created_by=recruiter, access_code="tulip-42"
    )
    url = open_url(created.token)
    response = client.get(url)
    assert response.status_code == 200 and "Ada Lovelace" not in response.content.decode()
    key = client.session["takehome_form_key"]
    response = client.post(url, {"access_code": "tulip-41", "form_key": key})
    assert response.status_code == 400
    assert "Access code: That access code is not right." in response.content.decode()
    assert client.get(reverse("share:pdf", args=[created.token])).status_code == 404
    key = client.session["takehome_form_key"]
    response = client.post(url, {"access_code": "tulip-42", "form_key": key})
    assert response.status_code == 302
    assert "Ada Lovelace" in client.get(url).content.decode()
    kinds = list(ShareAccess.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["code_failed", "view"]


def test_the_access_log_keeps_a_hashed_network(client, org, shortlist, recruiter):
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    client.get(open_url(created.token), REMOTE_ADDR="203.0.113.7")
    client.get(open_url(created.token), REMOTE_ADDR="203.0.113.99")
    client.get(open_url(created.token), REMOTE_ADDR="198.51.100.7")
    hashes = list(ShareAccess.objects.order_by("pk").values_list("network_hash", flat=True))
    assert hashes[0] == hashes[1] != hashes[2]  # the same /24, then another network
    assert all("203.0.113" not in h and len(h) == 64 for h in hashes)


def test_a_client_decision_lands_on_the_pipeline_and_the_recruiter_is_told(
    client, org, shortlist, recruiter_named, django_capture_on_commit_callbacks
):
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter_named)
    ada = Application.objects.get(candidate__name="Ada Lovelace")
    key = unlock(client, created.token)
    url = reverse("share:decide", args=[created.token, ada.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "interview", "comment": "Keen.", "form_key": key})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.state == Application.State.ADVANCED and ada.state_changed_at is not None
    decision = ApplicationDecision.objects.get(application=ada)
    assert decision.reason == (
        "Client decision by Carla Client <carla@contoso.example>: Interview. Keen."
    )
    assert ClientDecision.objects.get().contact_name == "Carla Client"
    (sent,) = mail.outbox
    assert sent.to == ["rita@acme.example"] and "Ada Lovelace" in sent.subject
    assert "Interview: Keen." in sent.body
    # The recruiter sees it on the shortlist page and on the debrief.
    client.force_login(recruiter_named)
    body = client.get(reverse("shortlists:detail", args=[shortlist.pk])).content.decode()
    assert "Interview by Carla Client" in body
    body = client.get(reverse("interviews:application_detail", args=[ada.pk])).content.decode()
    assert "Client decision by Carla Client" in body


def test_bad_decisions_are_400_naming_the_field_and_change_nothing(
    client, org, shortlist, recruiter
):
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    ada = Application.objects.get(candidate__name="Ada Lovelace")
    key = unlock(client, created.token)
    url = reverse("share:decide", args=[created.token, ada.pk])
    response = client.post(url, {"decision": "reject", "comment": "", "form_key": key})
    assert response.status_code == 400
    assert "Comment: Say why" in response.content.decode()
    key = client.session["takehome_form_key"]  # the re-rendered page issued a fresh key
    response = client.post(url, {"decision": "hire!", "form_key": key})
    assert response.status_code == 400 and "Decision: " in response.content.decode()
    ada.refresh_from_db()
    assert ada.state == Application.State.ACTIVE
    assert not ClientDecision.objects.exists() and not ApplicationDecision.objects.exists()


def test_posts_need_the_page_form_key(client, org, shortlist, recruiter):
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    ada = Application.objects.get(candidate__name="Ada Lovelace")
    url = reverse("share:decide", args=[created.token, ada.pk])
    assert client.post(url, {"decision": "hold"}).status_code == 403  # no page opened
    unlock(client, created.token)
    assert client.post(url, {"decision": "hold", "form_key": "guess"}).status_code == 403
    assert not ClientDecision.objects.exists()


def test_share_pages_are_rate_limited(client, settings, org, shortlist, recruiter):
    settings.TAKEHOME_RATE_LIMIT_PER_MINUTE = 2
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    statuses = [client.get(open_url(created.token)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_token_never_reaches_a_log_line(client, org, shortlist, recruiter):
    from apps.takehome.security import RedactTokens

    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactTokens) for f in h.filters)
    ]
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    share.link_revoke(link=created.link)
    unknown = "q" * 43
    captured = io.StringIO()
    old = handler.setStream(captured)
    try:
        client.get(open_url(unknown))  # 404: "Not Found: <path>"
        client.get(open_url(created.token))  # 410: "Gone: <path>"
    finally:
        handler.setStream(old)
    printed = captured.getvalue()
    assert "Not Found: /s/[redacted]/" in printed
    assert created.token not in printed and unknown not in printed
    # gunicorn's access log uses the same function.
    from apps.takehome.security import redact_tokens

    line = f'"GET /s/{created.token}/pdf/ HTTP/1.1" 200'
    assert redact_tokens(line) == '"GET /s/[redacted]/pdf/ HTTP/1.1" 200'


def test_recruiter_shares_through_the_form_and_revokes(client, recruiter, org, shortlist, scored):
    client.force_login(recruiter)
    response = client.post(
        reverse("shortlists:share", args=[shortlist.pk]),
        {
            "contact_name": "Carla",
            "contact_email": "",
            "days": 14,
            "send_email": "on",
            "show_summary": "on",
        },
    )
    assert response.status_code == 400
    assert "Client contact&#x27;s e-mail: Give the contact" in response.content.decode()
    response = client.post(
        reverse("shortlists:share_report", args=[scored.pk]),
        {"contact_name": "Carla", "days": 200},
    )
    assert response.status_code == 400 and not ShareLink.objects.exists()
    response = client.post(
        reverse("shortlists:share", args=[shortlist.pk]),
        {"contact_name": "Carla", "days": 7, "show_flags": "on"},
    )
    assert response.status_code == 200
    detail = reverse("shortlists:detail", args=[shortlist.pk])
    assert f'<a href="{detail}">Back</a>' in response.content.decode()
    link = ShareLink.objects.get()
    assert not link.show_summary and link.show_flags and not link.show_notes
    assert link.expires_at - timezone.now() < timedelta(days=7, minutes=1)
    response = client.post(reverse("shortlists:revoke", args=[link.pk]))
    assert response.status_code == 302 and response.url == detail
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_other_organizations_get_404(client, outsider, org, shortlist, scored, recruiter):
    created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
    client.force_login(outsider)
    urls = [
        ("get", reverse("shortlists:detail", args=[shortlist.pk])),
        ("get", reverse("shortlists:pdf", args=[shortlist.pk])),
        ("get", reverse("shortlists:report", args=[scored.pk])),
        ("get", reverse("shortlists:report_pdf", args=[scored.pk])),
        ("post", reverse("shortlists:share", args=[shortlist.pk])),
        ("post", reverse("shortlists:share_report", args=[scored.pk])),
        ("post", reverse("shortlists:update", args=[shortlist.pk])),
        ("post", reverse("shortlists:revoke", args=[created.link.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url, {"contact_name": "x", "days": 3})
        assert response.status_code == 404, url
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None
    # A link's candidate id of another organization is a 404 too.
    key = unlock(client, created.token)
    response = client.post(
        reverse("share:decide", args=[created.token, 999_999]),
        {"decision": "hold", "form_key": key},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["share", "report"])
def test_share_page_queries_do_not_grow_with_candidates(
    client, org, position, recruiter, make_application, kind
):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 50):
        apps = [make_application() for _ in range(n)]
        if kind == "share":
            subject = {
                "shortlist": share.shortlist_create(
                    position=position, title="s", application_ids=[a.pk for a in apps]
                )
            }
            created = create_link(organization=org, created_by=recruiter, **subject)
            url = open_url(created.token)
        else:
            client.force_login(recruiter)
            url = reverse("shortlists:report", args=[apps[-1].pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
