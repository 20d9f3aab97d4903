"""Greenhouse's partner_profile_url (issue 12): a scoped, expiring, revocable link to the
application's evidence report instead of the login-only debrief."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.shortlists import services as share
from apps.shortlists.models import ShareLink

pytestmark = pytest.mark.django_db


def test_the_partner_link_is_scoped_stable_and_never_stored_in_clear(client, make_application):
    ada = make_application("Ada Lovelace")
    make_application("Bob Builder")
    url = share.partner_report_url(ada)
    assert url.startswith(f"{settings.SITE_URL}/s/")
    assert share.partner_report_url(ada) == url  # the same link on every status request
    link = ShareLink.objects.get()
    assert link.audience == "partner" and link.application == ada and not link.allow_decisions
    assert not link.show_interviewer_names and not link.show_notes
    assert (link.expires_at - timezone.now()).days >= 89
    token = url.rstrip("/").rsplit("/", 1)[1]
    body = client.get(url.removeprefix(settings.SITE_URL)).content.decode()
    assert "Ada Lovelace" in body and "Bob Builder" not in body
    assert "Your decision" not in body
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert all(token not in str(value) for value in row), table


def test_an_expiring_partner_link_is_renewed_a_revoked_one_is_not(client, make_application):
    ada = make_application("Ada Lovelace")
    first = share.partner_report_url(ada)
    ShareLink.objects.update(expires_at=timezone.now() + timedelta(hours=2))
    second = share.partner_report_url(ada)
    assert second != first and ShareLink.objects.count() == 2
    share.link_revoke(link=ShareLink.objects.get(expires_at__gt=timezone.now() + timedelta(days=1)))
    assert share.partner_report_url(ada) is None  # the caller falls back to the login page
    assert client.get(second.removeprefix(settings.SITE_URL)).status_code == 410
