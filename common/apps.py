from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """What every feature app shares: languages, sanitising, uploads, the audit trail,
    rate limits, the state-machine helper and the e-mail outbox. It imports no feature
    app and none of the configuration in cpaor/."""

    name = "common"
    verbose_name = _("Shared")
