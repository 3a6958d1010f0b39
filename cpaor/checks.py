"""Deployment checks of the portal's own settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    """Behind a proxy with TRUSTED_PROXY_COUNT=0, every visitor has the proxy's address,
    so one person's failed attempts lock everyone out of the forms and the log-in."""
    if not settings.PRODUCTION:
        return []
    errors = []
    if settings.TRUSTED_PROXY_COUNT == 0:
        errors.append(
            Warning(
                "TRUSTED_PROXY_COUNT is 0 in production: behind the proxy that PRODUCTION "
                "assumes, every visitor shares one rate-limit counter.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of the "
                "portal that append to X-Forwarded-For.",
                id="cpaor.W001",
            )
        )
    allauth_count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if allauth_count != settings.TRUSTED_PROXY_COUNT:
        errors.append(
            Warning(
                f"ALLAUTH_TRUSTED_PROXY_COUNT ({allauth_count}) differs from "
                f"TRUSTED_PROXY_COUNT ({settings.TRUSTED_PROXY_COUNT}): the log-in limits "
                "and the form limits would count different client addresses.",
                hint="Leave ALLAUTH_TRUSTED_PROXY_COUNT as cpaor/settings/security.py sets it.",
                id="cpaor.W002",
            )
        )
    return errors
