"""Security headers, the Content-Security-Policy, proxies, HTTPS, logs."""

from urllib.parse import urlsplit

from .environment import PRODUCTION, env, env_bool, env_list

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
