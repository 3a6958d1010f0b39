from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from resources.models import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    escaped = str(conditional_escape(snippet or ""))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))


@register.simple_tag
def version_facts(version, resource):
    """English · PDF · 6 pages · 2019 · 1.2 MB"""
    facts = [version.get_language_display(), str(version.format_label)]
    if version.page_count:
        facts.append(
            ngettext("%(count)d page", "%(count)d pages", version.page_count)
            % {"count": version.page_count}
        )
    if resource.year:
        facts.append(str(resource.year))
    if version.file_size:
        facts.append(str(filesizeformat(version.file_size)))
    return " · ".join(facts)


@register.simple_tag
def citation(resource, url):
    """Publishers (year). Title. URL — escaped, with the title in <cite>."""
    publishers = ", ".join(str(partner) for partner in resource.publishers.all()) or _(
        "Global Child Protection Area of Responsibility"
    )
    year = resource.year or _("n.d.")
    return format_html_join(
        "",
        "{} ({}). <cite>{}</cite>. {}",
        [(publishers, year, resource.title, url)],
    )
