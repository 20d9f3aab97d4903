"""The project's wiring: settings from the environment, docker-compose, services in CI."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _start(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "interviewbank.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DEBUG": "1", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be an integer"),
        ({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x/y"}, "DATABASE_URL"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_variable(overrides, message):
    result = _start(overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_debug_start_up_works_without_secret_key():
    result = _start({"DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stderr


def _compose():
    return yaml.safe_load((BASE / "docker-compose.yml").read_text())


def test_compose_has_the_services_with_health_checks():
    services = _compose()["services"]
    assert set(services) >= {"web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "migrate" in services["web"]["command"] and "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A interviewbank worker")
    assert services["beat"]["command"].startswith("celery -A interviewbank beat")
    assert "postgres-data" in _compose()["volumes"]


def test_compose_environment_names_are_settings_we_read():
    example = {
        line.split("=", 1)[0]
        for line in (BASE / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    settings_source = (BASE / "interviewbank" / "settings.py").read_text()
    for name in ("web", "worker", "beat"):
        for var in _compose()["services"][name]["environment"]:
            assert var in example, f"{var} missing from .env.example"
            assert f'"{var}"' in settings_source, f"{var} is not read by settings.py"


def test_env_example_lists_only_variables_settings_read():
    settings_source = (BASE / "interviewbank" / "settings.py").read_text()
    for line in (BASE / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            var = line.split("=", 1)[0]
            assert f'"{var}"' in settings_source, var


def test_compose_config_is_valid_when_the_client_is_present(tmp_path):
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("docker compose client not installed (no engine runs here)")
    result = subprocess.run(
        [docker, "compose", "-f", str(BASE / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "x"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_celery_is_configured_for_idempotent_tasks():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_ci_runs_against_real_services(require_postgres, require_redis):
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert require_redis.startswith("redis://")


def test_readme_quick_start_is_the_two_commands():
    readme = (BASE / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [
        line.strip()
        for line in quick.splitlines()
        if line.startswith("    ") or line.startswith("make")
    ]
    assert [c for c in commands if c] == ["make run", "make test"]
    assert "make test" in (BASE / ".ci" / "run").read_text()
