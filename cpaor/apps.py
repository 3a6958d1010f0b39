from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpaorConfig(AppConfig):
    name = "cpaor"
    verbose_name = _("Site")
