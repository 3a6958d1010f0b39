from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi

from common.languages import shown_in_english
from common.sanitize import sanitize_html

register = template.Library()


@register.simple_tag
def fallback_lang(obj, field):
    """lang="en" on an element whose text falls back to English, so screen readers switch
    voice; in an Arabic page also dir="ltr", so its punctuation stays in place."""
    if not shown_in_english(obj, field):
        return ""
    if get_language_bidi():
        return format_html(' lang="{}" dir="ltr"', settings.LANGUAGE_CODE)
    return format_html(' lang="{}"', settings.LANGUAGE_CODE)


@register.filter
def absolute_media_url(url):
    """A media URL as an absolute one, for OpenGraph (storages such as S3 give it already)."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


@register.filter
def rich_text(html):
    """Editors' HTML, sanitised again on the way out whatever path wrote it."""
    return mark_safe(sanitize_html(html or ""))  # noqa: S308 - nh3 has just cleaned it
