"""Settings for the CP AoR portal, read from the environment (12-factor).

Every setting a deployment may change is an environment variable; README.md lists them.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# PRODUCTION turns on the settings that only make sense behind HTTPS.
PRODUCTION = env_bool("PRODUCTION", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # Development and tests only (PRODUCTION=1 refuses to start without a key, see
    # production_refusals below); `make run` writes a random key to .data/secret_key.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before the admin to add its translation tabs.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "django_filters",
    "anymail",
    "common",
    "cpaor",
    "initiatives",
    "members",
    "resources",
    "newsletters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpaor.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpaor.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cpaor.middleware.InvalidAccountFormMiddleware",
]

ROOT_URLCONF = "cpaor.urls"
WSGI_APPLICATION = "cpaor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpaor.context_processors.site",
            ],
        },
    },
]

# Database. Persistent connections (CONN_MAX_AGE) with health checks rather than
# psycopg's pool: gunicorn sync workers and Celery prefork children each hold one
# connection for their life, which a pool inside each process would not improve, and
# the health check replaces a connection the server dropped before the next request.
DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cpaor")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# pg_dump / pg_restore of the server's version for manage.py backup/restore, when not
# on PATH (the development launcher sets it to its embedded Postgres's).
PG_BIN_DIR = env("PG_BIN_DIR", "")

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# Django's Redis cache, degraded rather than broken while Redis is down (cpaor/cache.py).
CACHES = {
    "default": {
        "BACKEND": "cpaor.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cpaor"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
AUTH_USER_MODEL = "cpaor.User"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): e-mail only, verified before use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# E-mails through Celery after commit; a known address costs a sign-up the same time.
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "members.adapters.PortalSignupForm"}
# One address per account, changed (and verified again) on the e-mail page.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# allauth's limits, counted in the shared cache: failed log-ins per address and per
# account, sign-ups, resets and confirmation e-mails.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
LOGIN_URL = "account_login"
# The Django admin's log-in counts failures with the same limits, per client and per
# account (cpaor.views.admin_login); staff sessions end sooner than members' two weeks
# (cpaor.middleware.StaffSessionMiddleware).
STAFF_SESSION_SECONDS = int(env("STAFF_SESSION_SECONDS", str(8 * 3600)))

# Internationalisation: English is the source language and the fallback.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
# The names each language has for itself, shown in the language switcher.
LANGUAGE_SELF_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# Static files are served by the portal itself (WhiteNoise): no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / ".data" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Largest file a curator or applicant may upload, in megabytes.
RESOURCE_MAX_UPLOAD_MB = int(env("RESOURCE_MAX_UPLOAD_MB", "50"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
# Membership documents: a folder with no URL, read only by views that check permission.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".data" / "private")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def s3_storage(bucket, *, public):
    """An S3-compatible bucket (django-storages): public uploads are read straight from
    it; private ones only through signed addresses that expire within a minute, handed
    out after the portal's permission check (common/files.py)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            "access_key": env("AWS_ACCESS_KEY_ID"),
            "secret_key": env("AWS_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": not public,
            "querystring_expire": 60,
            "signature_version": "s3v4",
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") if public else None,
            "file_overwrite": False,
        },
    }


# Object storage, so several web servers share the uploads: public media in one bucket,
# membership documents in another that is never public. Without it, documents stay in
# PRIVATE_MEDIA_ROOT (members/models/documents.py).
if env("AWS_STORAGE_BUCKET_NAME"):
    if not env("AWS_PRIVATE_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured(
            "AWS_PRIVATE_STORAGE_BUCKET_NAME must be set with AWS_STORAGE_BUCKET_NAME: "
            "membership documents never go to the public media bucket."
        )
    STORAGES["default"] = s3_storage(env("AWS_STORAGE_BUCKET_NAME"), public=True)
    STORAGES["private"] = s3_storage(env("AWS_PRIVATE_STORAGE_BUCKET_NAME"), public=False)
# Behind the proxy (docker-compose.yml), files on the local disk are sent by the proxy
# once the portal has checked who may see them (common/files.py, deploy/Caddyfile).
FILES_ACCEL_REDIRECT = env_bool("FILES_ACCEL_REDIRECT", False)


# Django's SMTP backend, pipelining each message and recording each one's outcome.
SMTP_BACKEND = "common.mail.backends.PipeliningSMTPBackend"


def parse_email_url(url):
    """Turn smtp://user:password@host:port?tls=1 (or smtps://, console://, locmem://)
    into Django e-mail settings."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "smtp": SMTP_BACKEND,
        "smtps": SMTP_BACKEND,
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(backends)}.")
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true"},
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "0") in {"1", "true"},
    }


if env("EMAIL_URL"):
    globals().update(parse_email_url(env("EMAIL_URL")))
else:
    EMAIL_BACKEND = SMTP_BACKEND
    EMAIL_HOST = env("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(env("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# An e-mail provider through django-anymail instead of SMTP, e.g.
# EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend with ANYMAIL_MAILGUN_API_KEY.
if env("EMAIL_BACKEND"):
    EMAIL_BACKEND = env("EMAIL_BACKEND")
EMAIL_TIMEOUT = 30
# Anymail's settings from the environment, its own names with ANYMAIL_ before them
# (ANYMAIL_MAILGUN_API_KEY, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_WEBHOOK_SECRET):
# the provider's bounce and complaint webhooks, /anymail/<provider>/tracking/, mark the
# address bounced (newsletters/receivers.py).
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}
# The backend newsletters go through (a dotted path, e.g. an e-mail provider's from
# django-anymail); unset, EMAIL_BACKEND's.
NEWSLETTER_EMAIL_BACKEND = env("NEWSLETTER_EMAIL_BACKEND", "") or None
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CP AoR <no-reply@cpaor.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: JSON only; e-mail tasks acknowledge late (see cpaor/celery.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task not acknowledged within this many seconds is delivered again; every task
# finishes well inside it (time limits above).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".data" / "celerybeat-schedule")
)
# /readyz: how long a worker ping may wait for the first answer, and how long its result
# is shared by every caller (cpaor/views.py).
READYZ_PING_TIMEOUT = float(env("READYZ_PING_TIMEOUT", "1.0"))
READYZ_CACHE_SECONDS = float(env("READYZ_CACHE_SECONDS", "5"))

# Security. PRODUCTION assumes HTTPS terminated in front of the portal.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# modeltranslation's admin tabs need jQuery UI, which it would load from a CDN; the
# portal serves the tabs widget itself (static/vendor/jquery-ui, MIT).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.tabs.js"
# Content-Security-Policy (django-csp): everything from the portal itself, no inline
# script or style anywhere; media from object storage when it is configured.
_MEDIA_ORIGINS = [
    f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    for url in [
        f"https://{env('AWS_S3_CUSTOM_DOMAIN')}" if env("AWS_S3_CUSTOM_DOMAIN") else None,
        env("AWS_S3_ENDPOINT_URL") or f"https://{env('AWS_STORAGE_BUCKET_NAME')}.s3.amazonaws.com",
        f"https://{env('AWS_STORAGE_BUCKET_NAME')}.s3.{env('AWS_S3_REGION_NAME')}.amazonaws.com"
        if env("AWS_S3_REGION_NAME") and not env("AWS_S3_ENDPOINT_URL")
        else None,
    ]
    if url and env("AWS_STORAGE_BUCKET_NAME")
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Nothing unless named below: a new kind of resource needs a line here.
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the portal never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Proxies in front of the portal that append to X-Forwarded-For (0: use REMOTE_ADDR).
# allauth's limits count the same client address (cpaor/checks.py warns about 0 in
# production, where every visitor would share the proxy's address).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Per-client limits on public forms (cpaor/ratelimit.py).
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz and /readyz are probed over plain HTTP by load balancers and compose.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Logs: one JSON object per line in production (LOG_FORMAT=json), plain text otherwise;
# every record carries the request id or the Celery task (cpaor/logging.py).
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "cpaor.logging.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "cpaor.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["context"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Server errors also go by e-mail to ERROR_REPORT_EMAIL, when it is set.
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
    },
}
# Optional error reports: comma-separated addresses that receive each server error.
ADMINS = [("Portal errors", address) for address in env_list("ERROR_REPORT_EMAIL")]
# The worker logs through the configuration above instead of replacing it.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Newsletters. Sending state lives in the database (newsletters.models.Delivery); the
# watchdog, run by Celery beat, restarts anything a dead worker or broker lost.
NEWSLETTER_QUEUE = env("NEWSLETTER_QUEUE", "celery")
NEWSLETTER_CONFIRM_MAX_AGE = int(env("NEWSLETTER_CONFIRM_DAYS", "7")) * 86400
# Messages per second across all workers; 0 means unlimited.
NEWSLETTER_RATE_PER_SECOND = float(env("NEWSLETTER_RATE_PER_SECOND", "0"))
NEWSLETTER_RATE_KEY = env("NEWSLETTER_RATE_KEY", "cpaor:newsletter-rate")
NEWSLETTER_CHUNK_SIZE = int(env("NEWSLETTER_CHUNK_SIZE", "500"))
# A chunk gives back what it has not sent after this long; must stay well under the lease.
NEWSLETTER_CHUNK_SECONDS = float(env("NEWSLETTER_CHUNK_SECONDS", "30"))
# A 'sending' claim older than this belongs to a dead worker and goes back to pending.
NEWSLETTER_LEASE_SECONDS = float(env("NEWSLETTER_LEASE_SECONDS", "120"))
# Rows accepted by the SMTP server but not yet marked sent: the most a SIGKILL can repeat.
NEWSLETTER_MARK_BATCH = int(env("NEWSLETTER_MARK_BATCH", "1"))
NEWSLETTER_STATUS_CHECK_EVERY = int(env("NEWSLETTER_STATUS_CHECK_EVERY", "20"))
NEWSLETTER_PARALLEL_CHUNKS = int(env("NEWSLETTER_PARALLEL_CHUNKS", "2"))
NEWSLETTER_MAX_ATTEMPTS = int(env("NEWSLETTER_MAX_ATTEMPTS", "8"))
NEWSLETTER_RETRY_SECONDS = float(env("NEWSLETTER_RETRY_SECONDS", "60"))
NEWSLETTER_WATCHDOG_SECONDS = float(env("NEWSLETTER_WATCHDOG_SECONDS", "15"))
# The watchdog restarts sending of an issue no chunk task has touched for this long.
NEWSLETTER_STALL_SECONDS = float(
    env("NEWSLETTER_STALL_SECONDS", str(max(3 * NEWSLETTER_WATCHDOG_SECONDS, 10)))
)
CELERY_BEAT_SCHEDULE = {
    "newsletters-watchdog": {
        "task": "newsletters.watchdog",
        "schedule": NEWSLETTER_WATCHDOG_SECONDS,
        "options": {"queue": NEWSLETTER_QUEUE, "expires": NEWSLETTER_WATCHDOG_SECONDS},
    },
    # Resource files still waiting to be read after the task's time limit go back to the
    # queue (resources.services.versions_requeue_stalled).
    "resources-requeue-stalled-extractions": {
        "task": "resources.requeue_stalled_extractions",
        "schedule": CELERY_TASK_TIME_LIMIT,
        "options": {"expires": CELERY_TASK_TIME_LIMIT},
    },
    "outbox-sweep": {
        "task": "cpaor.outbox_sweep",
        "schedule": 300,
        "options": {"expires": 300},
    },
}


def production_refusals():
    """What PRODUCTION=1 cannot start without, each naming the variable to set: the
    development fallbacks (a known key, localhost hosts, a mail server on localhost that
    nothing listens on) would otherwise start a portal that looks fine and is not."""
    refusals = []
    for name, why in [
        ("SECRET_KEY", "sessions and signed links would use the development key"),
        ("ALLOWED_HOSTS", "the portal would answer only for localhost"),
        ("CSRF_TRUSTED_ORIGINS", "every form posted over HTTPS would be refused"),
        ("SITE_URL", "links in e-mails would point to localhost"),
    ]:
        if not env(name):
            refusals.append(f"{name} must be set in production (PRODUCTION=1): {why}.")
    mail_configured = env("EMAIL_URL") or env("EMAIL_HOST") or env("EMAIL_BACKEND")
    if not mail_configured or EMAIL_BACKEND.endswith(
        ("console.EmailBackend", "locmem.EmailBackend")
    ):
        refusals.append(
            "EMAIL_URL must be set in production (PRODUCTION=1) to a real mail service (or "
            "EMAIL_HOST, or EMAIL_BACKEND for a provider): confirmations and newsletters "
            "would go nowhere."
        )
    return refusals


if PRODUCTION and (_refusals := production_refusals()):
    raise ImproperlyConfigured("\n".join(_refusals))
