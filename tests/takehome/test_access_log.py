"""Take-home tokens never reach gunicorn's access log (issue 13): the web process runs with
interviewbank/gunicorn.conf.py, whose logger redacts /t/<token> in every atom."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config

from interviewbank.gunicorn_logging import RedactingLogger

BASE = Path(settings.BASE_DIR)
CONF = BASE / "interviewbank" / "gunicorn.conf.py"
TOKEN = secrets.token_urlsafe(32)


def _config() -> Config:
    cfg = Config()
    namespace: dict = {}
    exec(compile(CONF.read_text(), str(CONF), "exec"), namespace)  # noqa: S102 - our own file
    for name in ("accesslog", "access_log_format", "logger_class"):
        cfg.set(name, namespace[name])
    return cfg


def test_the_config_uses_the_redacting_logger():
    cfg = _config()
    assert cfg.logger_class is RedactingLogger
    assert cfg.accesslog == "-"


def test_access_line_redacts_the_token_in_path_and_referer(capsys):
    logger = RedactingLogger(_config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/t/{TOKEN}/?x=1",
        "PATH_INFO": f"/t/{TOKEN}/",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://interviews.example.com/t/{TOKEN}/",
        "HTTP_USER_AGENT": "pytest",
    }
    resp = SimpleNamespace(status="200 OK", sent=12, headers=[("Content-Type", "text/html")])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(resp, req, environ, timedelta(milliseconds=5))
    (line,) = capsys.readouterr().out.splitlines()  # accesslog "-": stdout
    assert TOKEN not in line
    assert '"GET /t/[redacted]/?x=1 HTTP/1.1" 200 12' in line
    assert '"https://interviews.example.com/t/[redacted]/"' in line


def test_other_paths_are_logged_as_they_are(capsys):
    logger = RedactingLogger(_config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/bank/kits/", "SERVER_PROTOCOL": "HTTP/1.1"}
    resp = SimpleNamespace(status="200 OK", sent=1, headers=[])
    logger.access(resp, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=1))
    assert '"GET /bank/kits/ HTTP/1.1" 200' in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")
def test_a_real_gunicorn_never_writes_the_token(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="interviewbank.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", str(CONF), "--bind", f"127.0.0.1:{port}",
         "interviewbank.wsgi:application"],
        cwd=BASE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/t/{TOKEN}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError:
                break  # any answer will do: the request reached Django and was logged
            except OSError:
                time.sleep(0.1)
                continue
            break
        else:
            pytest.fail("gunicorn did not start")
        time.sleep(0.5)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert "/t/[redacted]/" in output, output
    assert TOKEN not in output
