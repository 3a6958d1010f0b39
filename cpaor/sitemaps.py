"""sitemap.xml: every published initiative and resource, in each of the four languages,
each URL with its alternates (hreflang) and an x-default; and robots.txt, which names it.

URLs are built from SITE_URL, like the pages' canonical and hreflang links, not from the
Site row or the request's host.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from initiatives.models import Initiative
from resources.models import Resource


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000  # URLs per page; with four languages each, under the protocol's 50,000

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item):
        return item.updated


class InitiativeSitemap(PortalSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Initiative.objects.published().only("pk", "slug", "updated").order_by("pk")


class ResourceSitemap(PortalSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Resource.objects.published().only("pk", "slug", "updated").order_by("pk")


SITEMAPS = {"initiatives": InitiativeSitemap, "resources": ResourceSitemap}


@require_GET
def robots_txt(request):
    # Accounts live under each language's prefix; /accounts/ itself only redirects there.
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        *(f"Disallow: /{code}/accounts/" for code, _name in settings.LANGUAGES),
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
