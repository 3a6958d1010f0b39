from django import template
from django.conf import settings

register = template.Library()


@register.filter
def missing_languages(versions):
    """The portal's language codes no version is in, in the portal's order."""
    have = {version.language for version in versions}
    return [code for code, _name in settings.LANGUAGES if code not in have]
