"""With the cache on Redis and Redis down, no page answers 500: sessions are read from the
database, rate limits fail open with a logged warning. And a session ended during the outage
is not served stale from the cache once Redis is back."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from apps.accounts import cache as degrading
from apps.ats.models import OrganizationAPIKey
from tests.conftest import missing_service

pytestmark = pytest.mark.django_db
BACKEND = "apps.accounts.cache.DegradingRedisCache"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _use_cache_at(settings, port: int) -> None:
    settings.CACHES = {"default": {"BACKEND": BACKEND, "LOCATION": f"redis://127.0.0.1:{port}/1"}}


@pytest.fixture
def redis_down(settings):
    """The cache points at a Redis port with nothing listening."""
    _use_cache_at(settings, free_port())
    return caches["default"]


def test_a_redis_cache_url_gets_the_degrading_backend():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/1", "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env={**env, "DJANGO_SETTINGS_MODULE": "interviewbank.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == BACKEND


def test_signed_in_pages_and_the_api_answer_while_redis_is_down(
    client, recruiter, org, redis_down, caplog, settings
):
    assert isinstance(redis_down, degrading.DegradingRedisCache)
    caplog.set_level(logging.WARNING, logger="apps.accounts.cache")
    client.force_login(recruiter)  # the session is written to the database; the cache is down
    for url in ("/", "/interviews/positions/", "/interviews/candidates/", "/bank/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.wsgi_request.user == recruiter  # the session came from the database
    _, key = OrganizationAPIKey.objects.create_key(name="ATS", organization=org)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/positions/").status_code == 200
    warnings = [r for r in caplog.records if r.name == "apps.accounts.cache"]
    assert len(warnings) == 1  # once per outage, not once per request
    assert "rate limits are not enforced" in warnings[0].getMessage()


def test_the_takehome_rate_limit_fails_open_while_redis_is_down(client, redis_down, settings):
    settings.TAKEHOME_RATE_LIMIT_PER_MINUTE = 2
    codes = [client.get("/t/" + "x" * 43 + "/").status_code for _ in range(5)]
    assert codes == [404] * 5  # unknown link, never 429 and never 500


def test_a_failing_redis_is_not_tried_on_every_call(redis_down, monkeypatch):
    started = time.monotonic()
    for _ in range(200):
        assert redis_down.get("k", "miss") == "miss"
        assert redis_down.incr("counter") == 0
    assert time.monotonic() - started < 2  # the breaker answers without connecting


def _redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("this test needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, db=1)  # the cache's database
    for _ in range(100):
        try:
            client.ping()
            return process, port, client
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")


def test_a_logout_during_an_outage_is_not_undone_when_redis_is_back(
    client, recruiter, settings, monkeypatch
):
    process, port, admin = _redis_server()
    try:
        _use_cache_at(settings, port)
        monkeypatch.setattr(degrading, "RETRY_SECONDS", 0.2)
        client.force_login(recruiter)
        assert client.get("/").wsgi_request.user == recruiter
        cookie = client.cookies["sessionid"].value
        assert admin.dbsize() >= 1  # the session is cached in Redis
        # An outage that keeps Redis's data: it stops answering (timeouts) for a while.
        admin.execute_command("CLIENT", "PAUSE", "1500", "ALL")
        client.post("/accounts/logout/")
        time.sleep(1.8)  # the pause is over and the breaker tries Redis again
        other = type(client)()
        other.cookies["sessionid"] = cookie
        response = other.get("/")
        assert not response.wsgi_request.user.is_authenticated
    finally:
        process.terminate()
        process.wait(timeout=10)
