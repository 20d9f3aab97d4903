"""Production start (issue 13): DEBUG=0 with whitenoise's manifest storage, collectstatic in
every documented start, EMAIL_FILE_PATH from the environment, gunicorn with its config."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from apps.accounts.models import Role
from tests.factories import MembershipFactory, make_kit

BASE = Path(settings.BASE_DIR)
GUNICORN = "gunicorn -c interviewbank/gunicorn.conf.py interviewbank.wsgi:application"


def _setting(name: str, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", name)}
    clean.update({"DJANGO_SETTINGS_MODULE": "interviewbank.settings", **env})
    code = f"import django; django.setup(); from django.conf import settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE, env=clean, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_uses_the_manifest_storage_and_debug_does_not():
    prod = {"DEBUG": "0", "SECRET_KEY": "x" * 60}
    backend = "STORAGES['staticfiles']['BACKEND']"
    assert _setting(backend, prod) == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert _setting(backend, {"DEBUG": "1"}).endswith("StaticFilesStorage")


def test_email_file_path_is_read_from_the_environment(tmp_path):
    env = {"DEBUG": "1", "EMAIL_FILE_PATH": str(tmp_path / "mail")}
    assert _setting("EMAIL_FILE_PATH", env) == str(tmp_path / "mail")


def test_every_documented_start_collects_static_files_and_uses_the_gunicorn_config():
    web = yaml.safe_load((BASE / "docker-compose.yml").read_text())["services"]["web"]
    command = " ".join(web["command"].split())
    assert command.index("migrate") < command.index("collectstatic --noinput")
    assert GUNICORN in command
    dockerfile = (BASE / "Dockerfile").read_text()
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn", "-c", "interviewbank/gunicorn.conf.py"' in dockerfile
    start = (BASE / "README.md").read_text().split("### Production start", 1)[1]
    assert "collectstatic --noinput" in start and GUNICORN in start


@pytest.fixture
def manifest_static(settings, tmp_path):
    """What DEBUG=0 serves: collected files under hashed names from whitenoise's manifest."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0, stdout=io.StringIO())
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_pages_render_with_the_manifest_storage(client, org, manifest_static):
    """A page naming a static file the manifest does not have would answer 500 here."""
    assert (manifest_static / "staticfiles.json").exists()
    kit = make_kit(2)
    admin = MembershipFactory(organization=org, role=Role.ADMIN, user__username="olga").user
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert re.search(rb"/static/css/site\.[0-9a-f]{12}\.css", login.content)  # hashed name
    assert client.get("/api/docs/").status_code == 200
    client.force_login(admin)
    pages = [
        "/", "/bank/", "/bank/kits/", f"/bank/kits/{kit.key}/", "/interviews/positions/",
        "/interviews/positions/new/", "/interviews/candidates/", "/settings/api-keys/",
        "/settings/webhooks/",
    ]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"/static/" in response.content, url
