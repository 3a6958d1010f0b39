"""Settings for the CP AoR portal, read from the environment (12-factor).

Every setting a deployment may change is an environment variable; README.md lists them.
One module per topic; Django reads them all from here, as `cpaor.settings`.
"""

from django.core.exceptions import ImproperlyConfigured

from .api import *  # noqa: F403
from .caching import *  # noqa: F403
from .core import *  # noqa: F403
from .environment import *  # noqa: F403
from .environment import PRODUCTION, env
from .files import *  # noqa: F403
from .mail import *  # noqa: F403
from .mail import EMAIL_BACKEND
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403


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
