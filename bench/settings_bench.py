"""Settings for bench/autosave.py: production settings (DEBUG off) served over plain HTTP on
127.0.0.1, pointed at the bench's throw-away test database.

The bench sets BENCH_DB_NAME (the test database it created) for the gunicorn it starts; without
it, NAME stays the one from DATABASE_URL (the setup process creates its test database from it).
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ["DEBUG"] = "0"

from interviewbank.settings import *  # noqa: F403
from interviewbank.settings import DATABASES, LOGGING

DEBUG = False
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.bench_urls"

# The load client speaks plain HTTP to 127.0.0.1.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Templates use {% static %}; no collectstatic manifest exists for a bench run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Every simulated candidate starts from the same address: the /t/<token>/ limit must not bite.
TAKEHOME_RATE_LIMIT_PER_MINUTE = 1_000_000

# Invitation e-mails are sent eagerly during setup and kept in memory.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

DATABASES["default"]["NAME"] = os.environ.get("BENCH_DB_NAME") or DATABASES["default"]["NAME"]
DATABASES["default"]["CONN_MAX_AGE"] = 60

LOGGING = {
    **LOGGING,
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Eager Celery still builds a broker connection at exit and warns it has no hostname.
        "kombu.connection": {"level": "ERROR"},
    },
}
