"""E-mail: SMTP from EMAIL_URL or EMAIL_*, or a provider through django-anymail."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .environment import env, env_bool

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
# Bounces (newsletters/bounces.py): each newsletter copy's envelope sender (MAIL FROM,
# Return-Path) is `<local>+<issue>-<subscriber>-<signature>@<domain>` of this address, so a
# bounce names the copy it is about and nobody can forge one without SECRET_KEY; the From
# header stays DEFAULT_FROM_EMAIL. A bare local part (`bounces`) takes the site's domain.
# Unset: copies go out from DEFAULT_FROM_EMAIL, as before. The domain's MX must reach
# `manage.py receive_bounces` (or an MTA relaying that domain to it).
NEWSLETTER_BOUNCE_ADDRESS = env("NEWSLETTER_BOUNCE_ADDRESS", "").strip()
# Temporary failures (a full mailbox) on this many issues and the reader counts as bounced.
NEWSLETTER_SOFT_BOUNCE_LIMIT = int(env("NEWSLETTER_SOFT_BOUNCE_LIMIT", "5"))
# The largest message the bounce receiver accepts (a bounce quotes the issue it returns).
NEWSLETTER_BOUNCE_MAX_BYTES = int(env("NEWSLETTER_BOUNCE_MAX_BYTES", str(2 * 1024 * 1024)))
