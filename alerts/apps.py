from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Readers' alerts: new resources matching a library search, and a resource's
    version appearing in the reader's language, e-mailed through the newsletters'
    delivery machinery."""

    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self):
        from newsletters.services.personal_data import collect_personal_data

        from .personal_data import alerts_data

        collect_personal_data.connect(alerts_data, dispatch_uid="alerts.personal_data")
