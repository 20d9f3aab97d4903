"""Test overrides. They exist to make tests fast and hermetic, not to change behaviour."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "0")

from .settings import *  # noqa: F403

# Tests run faster with a cheap hasher; security of test passwords does not matter.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The test client speaks plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]
# Tests of the admin's pages log in directly; tests/accounts/test_admin_totp.py turns the
# admin's two-factor requirement on and checks it.
ADMIN_REQUIRE_OTP = False
