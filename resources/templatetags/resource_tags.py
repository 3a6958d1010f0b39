from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from resources.models import MARK_START, MARK_STOP, ResourceVersion

register = template.Library()


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    escaped = str(conditional_escape(snippet or ""))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))


def _download_facts(version):
    """[PDF, 6 pages, 1.2 MB]: what a download costs, as far as it is known."""
    facts = [str(version.format_label)] if version.format_label else []
    if version.page_count:
        facts.append(
            ngettext("%(count)d page", "%(count)d pages", version.page_count)
            % {"count": version.page_count}
        )
    if version.file_size:
        facts.append(str(filesizeformat(version.file_size)))
    return facts


@register.simple_tag
def version_facts(version, resource):
    """English · Summary · PDF · 6 pages · 2019 · 1.2 MB"""
    facts = [version.get_language_display()]
    if version.kind != ResourceVersion.Kind.FULL:
        facts.append(str(version.get_kind_display()))
    facts += _download_facts(version)
    if resource.year:
        facts.insert(len(facts) - (1 if version.file_size else 0), str(resource.year))
    return " · ".join(facts)


@register.simple_tag
def download_facts(version):
    """Summary · PDF · 6 pages · 1.2 MB: a result's download, after its language."""
    facts = []
    if version.kind != ResourceVersion.Kind.FULL:
        facts.append(str(version.get_kind_display()))
    return " · ".join(facts + _download_facts(version))


@register.simple_tag
def language_versions(versions):
    """Full document — English; Summary — Arabic, French, Spanish"""
    by_kind = {}
    for version in versions:
        by_kind.setdefault(version.kind, []).append(str(version.get_language_display()))
    return "; ".join(
        f"{label} — {', '.join(sorted(by_kind[kind]))}"
        for kind, label in ResourceVersion.Kind.choices
        if kind in by_kind
    )


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
