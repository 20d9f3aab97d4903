"""Ready people for every test: an org admin, a recruiter, an interviewer and an outsider.

Service policy: tests that need PostgreSQL or Redis use the ``require_postgres`` /
``require_redis`` fixtures. Locally they skip without the service; with ``REQUIRE_SERVICES=1``
(set by .ci/run) a missing service is a failure, so CI cannot go green by skipping.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.accounts.models import Role

from .factories import MembershipFactory, OrganizationFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
BANK_DIR = Path(settings.BASE_DIR) / "fixtures" / "bank"


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        missing_service("this test needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis():
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        missing_service("this test needs Redis (set CELERY_BROKER_URL=redis://...)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        missing_service(f"Redis at {url} does not answer ({exc})")
    return url


@pytest.fixture(autouse=True)
def clear_cache():
    """Each test starts with an empty cache: rate-limit counters (take-home and share links,
    30 a minute per address) must not carry over from earlier tests in the same minute."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Unit tests run Celery tasks in-process, as `make run` does; tests marked
    ``real_worker`` (tests/integration) talk to a real worker through the broker instead."""
    from interviewbank.celery import app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme Talent", slug="acme")


@pytest.fixture
def other_org():
    return OrganizationFactory(name="Rival Recruiting", slug="rival")


@pytest.fixture
def org_admin(org):
    return MembershipFactory(organization=org, role=Role.ADMIN, user__username="olga-admin").user


@pytest.fixture
def recruiter(org):
    return MembershipFactory(organization=org, role=Role.RECRUITER, user__username="rita").user


@pytest.fixture
def interviewer(org):
    return MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ivan").user


@pytest.fixture
def outsider(other_org):
    return MembershipFactory(
        organization=other_org, role=Role.ADMIN, user__username="oscar-outsider"
    ).user


@pytest.fixture
def shipped_bank(db):
    """The real shipped bank, imported as `make run` does."""
    call_command("import_bank", str(BANK_DIR), stdout=io.StringIO())
