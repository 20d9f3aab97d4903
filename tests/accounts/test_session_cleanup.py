"""The daily beat job that deletes expired Django sessions (candidates' take-home cookies
and staff logins), so the session table does not grow forever."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.accounts.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_expired_sessions_are_deleted_and_live_ones_kept():
    live, expired = SessionStore(), SessionStore()
    live["takehome_token_hash"] = "a" * 64
    expired["takehome_token_hash"] = "b" * 64
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    clear_expired_sessions()  # what the beat-queued task runs
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_job_is_on_the_daily_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-clear-expired-sessions"]
    assert entry["task"] == "apps.accounts.tasks.clear_expired_sessions"
    assert entry["schedule"] == 24 * 3600.0
