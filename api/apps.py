from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only JSON API over the library, the initiatives and the newsletter
    archive, with its OpenAPI schema (Django REST framework and drf-spectacular)."""

    name = "api"
    verbose_name = _("API")
