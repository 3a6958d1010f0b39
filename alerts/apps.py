from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Readers' alerts: new resources matching a library search, and a resource's
    version appearing in the reader's language, e-mailed through the newsletters'
    delivery machinery."""

    name = "alerts"
    verbose_name = _("Alerts")
