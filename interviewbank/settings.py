"""Settings, read from the environment (see .env.example for every variable).

Defaults make a fresh checkout work with `make run` (SQLite, eager Celery, console e-mail).
A bad value stops start-up with ImproperlyConfigured naming the variable, the way healthchecks
does it: a typo in production should fail loudly, not fall back silently.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_db(name: str, default: str) -> dict:
    raw = env.str(name, default=default)
    try:
        config = env.db_url_config(raw)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a usable database URL ({exc})") from None
    if not str(config.get("ENGINE", "")).startswith("django.db.backends."):
        scheme = raw.split(":", 1)[0]
        raise ImproperlyConfigured(
            f"{name} has an unsupported scheme {scheme!r} (use postgres:// or sqlite:///)"
        )
    return config


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _DEV_SECRET

# Secrets stored for partner APIs are encrypted with these Fernet keys (apps/accounts/crypto.py):
# comma-separated, newest first. Unset: one key derived from SECRET_KEY (development only).
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin is for platform staff only (superusers): see interviewbank/admin_site.py.
    "interviewbank.admin_site.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.accounts",
    "apps.outbox",
    "apps.bank",
    "apps.scoring",
    "apps.interviews",
    "apps.takehome",
    "apps.ats",
    "apps.shortlists",
    "apps.calibration",
    "apps.fairness",
    "apps.privacy",
    # Audit trail (django-auditlog, with apps.audit's LogEntry that carries the organization).
    "auditlog",
    "apps.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.TenantMiddleware",
    # django-auditlog's middleware (actor, address) believing only REMOTE_ADDR: apps/audit.
    "apps.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The audit trail's entry: auditlog's LogEntry plus the organization (apps/audit/models.py).
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"

ROOT_URLCONF = "interviewbank.urls"
WSGI_APPLICATION = "interviewbank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.tenant",
            ],
        },
    },
]

DATABASES = {"default": env_db("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for a username, that
# username is locked for AXES_COOLOFF_MINUTES, right password or not (apps/accounts/lockout.py
# says so). Locked by username, not by address: behind a load balancer every request can share
# one address, and locking that would lock everyone out. A success resets the count; platform
# staff unlock early with `manage.py axes_reset_username USERNAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.locked_out"
# axes.W006 asks for 'ip_address' among the lockout parameters because a lockout keyed on a
# user agent or cookie can be dodged by rotating them. Ours is keyed on the username, which an
# attacker cannot rotate for the account under attack; and by address would lock every user
# behind a shared proxy address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Two-factor for the Django admin (platform staff, interviewbank/admin_site.py): a TOTP code
# from a device added with `manage.py add_totp_device USERNAME`. On unless debugging.
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", not DEBUG)
OTP_TOTP_ISSUER = "InterviewBank"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (take-home attachments) go through Django's storage API: local files under
# MEDIA_ROOT by default; never served as static files (apps/takehome checks who may read them).
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: console by default; SMTP (or any backend) by settings.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where django.core.mail.backends.filebased.EmailBackend writes messages (one file each).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="InterviewBank <noreply@localhost>")

# Celery: without a broker, tasks run eagerly in-process (for `make run` only).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
# Our tasks are idempotent, so a task is acknowledged only after it ran and is re-queued when a
# worker dies mid-task; prefetch 1 keeps a dying worker from taking others' tasks down with it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queueing a task fails fast when the broker is down (kombu would otherwise retry the connection
# for about 6 s inside the request): the request goes on, and the outbox's sweep sends later
# what could not be queued (apps/outbox). Workers reconnect with their own, unbounded retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
# Outgoing webhooks (and the legacy Greenhouse task name) run on a queue of their own, served by
# the `worker-webhooks` service: a slow receiver then never delays e-mails on the default queue
# ("celery"). Every worker command names the queues it consumes (-Q).
CELERY_TASK_DEFAULT_QUEUE = "celery"
WEBHOOKS_QUEUE = "webhooks"
CELERY_TASK_ROUTES = {
    "apps.ats.webhook_tasks.*": {"queue": WEBHOOKS_QUEUE},
    "apps.ats.greenhouse_tasks.*": {"queue": WEBHOOKS_QUEUE},
}
# Beat: the webhook outbox sweep re-queues due and interrupted deliveries.
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {
        "task": "apps.ats.webhook_tasks.sweep_webhooks",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # The outbox (apps/outbox): e-mails and callbacks whose task never reached the broker,
    # retries that are due, and rows whose worker died mid-send.
    "outbox-sweep": {
        "task": "apps.outbox.tasks.sweep_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Bullhorn (apps/ats/bullhorn): queue one poll of each connection's event subscription.
    "bullhorn-poll": {
        "task": "apps.ats.bullhorn.tasks.bullhorn_poll_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Kombo (apps/ats/kombo/sync.py): ask Kombo which open orders were cancelled (it pushes no
    # cancellation); one outbox row per connection and period.
    "kombo-sync-orders": {
        "task": "apps.ats.kombo.tasks.sync_orders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Expired Django sessions (candidates' take-home cookies, staff logins): clearsessions.
    "accounts-clear-expired-sessions": {
        "task": "apps.accounts.tasks.clear_expired_sessions",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600},
    },
    # Create forms' one-time keys (apps/accounts/once.py) are needed for days, not forever.
    "accounts-prune-form-submissions": {
        "task": "apps.accounts.tasks.prune_form_submissions",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600},
    },
    # Candidate data retention (apps/privacy/retention.py): lists who is due, erases those
    # listed at least a week earlier.
    "privacy-apply-retention": {
        "task": "apps.privacy.tasks.apply_retention",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600},
    },
}

# The public address of the app, for links in e-mails (take-home invitations).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Take-home links: saves are accepted this long after the deadline (network and clock slack);
# token endpoints answer 429 past this many requests per minute and client address.
TAKEHOME_GRACE_SECONDS = env_int("TAKEHOME_GRACE_SECONDS", 30)
TAKEHOME_RATE_LIMIT_PER_MINUTE = env_int("TAKEHOME_RATE_LIMIT_PER_MINUTE", 30, minimum=1)

# REST API for ATS clients (apps.ats): organization API keys, per-key throttling, cursor
# pagination, django-filter, OpenAPI 3 by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.ats.auth.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.ats.auth.HasOrganizationAPIKey"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.ats.auth.APIKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_THROTTLE_RATE", default="600/min")},
    "DEFAULT_PAGINATION_CLASS": "apps.ats.pagination.UpdatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.ats.parsers.NulFreeJSONParser"],
    "UNAUTHENTICATED_USER": None,
    # No ?format= override: every operation has exactly the media types its schema documents.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "InterviewBank ATS API",
    "DESCRIPTION": (
        "Pull candidates, sessions and credibility scores; create candidates, sessions and "
        "take-home invitations. Authenticate with `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar package: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.ats.schema.forbid_unknown_request_fields",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}
API_KEY_CUSTOM_HEADER = None

# Outgoing webhooks: refuse private, loopback, link-local and metadata addresses unless this is
# on (development and tests that run a receiver on 127.0.0.1).
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
# Greenhouse assessment partner: days a test ordered through send_test stays open.
GREENHOUSE_TEST_DAYS = env_int("GREENHOUSE_TEST_DAYS", 7, minimum=1)
# Bullhorn connector: where the data centre is looked up (tests point it at a fake), the poll
# period the beat's ticks are grouped by, how long a BhRestToken is used before logging in
# again, and days a take-home sent for a mapped status stays open.
BULLHORN_LOGIN_INFO_URL = env.str(
    "BULLHORN_LOGIN_INFO_URL", default="https://rest.bullhornstaffing.com/rest-services/loginInfo"
)
BULLHORN_POLL_SECONDS = env_int("BULLHORN_POLL_SECONDS", 60, minimum=10)
BULLHORN_SESSION_MINUTES = env_int("BULLHORN_SESSION_MINUTES", 9, minimum=1)
BULLHORN_TAKEHOME_DAYS = env_int("BULLHORN_TAKEHOME_DAYS", 7, minimum=1)
# Kombo assessment API: empty means Kombo's documented server of the connection's region (tests
# point it at a fake); days an ordered take-home stays open; plan edits closer together than
# the window publish the packages once; whether results carry the evidence report PDF.
KOMBO_API_URL = env.str("KOMBO_API_URL", default="")
KOMBO_TEST_DAYS = env_int("KOMBO_TEST_DAYS", 7, minimum=1)
KOMBO_PUBLISH_WINDOW_SECONDS = env_int("KOMBO_PUBLISH_WINDOW_SECONDS", 60, minimum=1)
KOMBO_ATTACH_PDF = env_bool("KOMBO_ATTACH_PDF", True)
# Who hears of a tenant's report of a problem with a shipped question (comma-separated e-mail
# addresses of the bank's editors; empty: the reports wait in the Django admin).
BANK_EDITORS_EMAIL = [a.strip() for a in env.list("BANK_EDITORS_EMAIL", default=[]) if a.strip()]
# Days the e-mailed link to the voluntary self-report questions works (apps.fairness.links).
FAIRNESS_LINK_DAYS = env_int("FAIRNESS_LINK_DAYS", 30, minimum=1)

# Overrides of the scoring engine's constants (SCORING.md: mu, tau, sigma_e, ...); empty means
# the documented defaults. Changing them calls for `manage.py rescore_sessions`.
SCORING_CONSTANTS: dict = {}

# Sessions live in the database and are read through the cache (Redis with CACHE_URL), so the
# candidate's autosave and every page skip a database read for the session. The database is the
# record: with the cache down, sessions are read from it (apps/accounts/cache.py).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS. Off by default so `make run` and a local `docker compose up` work over plain HTTP;
# production turns them on (.env.example), and `manage.py check --deploy` then warns of nothing.
# Behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto
# (only when the proxy sets or strips that header on every request).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: 0 (off) in development; once the site is served only over HTTPS, a year (31536000).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): every page loads only the app's own files (no CDN),
# with no inline script, no inline event handler and no inline style: scripts live in
# static/*/*.js and styles in static/css/site.css, so neither 'unsafe-inline' nor
# 'unsafe-eval' is needed. data: images are for Pico CSS's icons (select arrows, checkboxes),
# which it ships as data: URIs in the stylesheet. One exception, by decorator: the API docs
# page (third-party Swagger UI) may apply inline styles; its scripts are as strict as any.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Take-home and share-link tokens travel in URL paths (/t/<token>/, /s/<token>/): every handler
# redacts them, including runserver's request log and Django's 404 warnings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "apps.takehome.security.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Replaces Django's default handlers for "django" (an unfiltered console handler when
        # DEBUG is on), which printed "Gone: /t/<token>/" in the clear under `make run`.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Cache: per-process memory by default; set CACHE_URL (e.g. redis://host:6379/1) when several
# processes serve the app, so rate limits hold across them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# A Redis outage must not answer 500: on Redis the cache degrades (apps/accounts/cache.py), so
# sessions fall back to the database and rate limits fail open with a logged warning.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "apps.accounts.cache.DegradingRedisCache"
