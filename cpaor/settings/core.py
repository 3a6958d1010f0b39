"""The site: keys and hosts, apps, database, cache, accounts, languages."""

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, PRODUCTION, env, env_list

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # Development and tests only (PRODUCTION=1 refuses to start without a key, see
    # production_refusals in __init__.py); `make run` writes a random key to .data/secret_key.
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
    # ISO 3166 country names in every language the portal speaks.
    "django_countries",
    # Earlier versions of what editors change, restorable in admin.
    "reversion",
    "anymail",
    "common",
    "cpaor",
    "initiatives",
    "members",
    "resources",
    "newsletters",
    "alerts",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "api",
]

MIDDLEWARE = [
    # First, so that its headers reach answers other middleware give (django-cors-headers).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpaor.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous pages whole from Redis; it keeps the compressed bytes, so it comes first.
    "cpaor.pagecache.PageCacheMiddleware",
    "cpaor.middleware.CompressionMiddleware",
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
