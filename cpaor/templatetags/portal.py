from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language: for the switcher and hreflang alternates."""
    request = context["request"]
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": settings.LANGUAGE_SELF_NAMES[code],
            "url": translate_url(path, code),
            "absolute_url": settings.SITE_URL + translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    request = context["request"]
    return settings.SITE_URL + (path if path is not None else request.path)


# Open Graph names a locale as language_TERRITORY; the territory where each of the
# portal's languages is most read by those it serves is a convention, not a claim.
OG_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES", "ar": "ar_AR"}


@register.simple_tag
def og_locale(code):
    return OG_LOCALES.get(code, code)
