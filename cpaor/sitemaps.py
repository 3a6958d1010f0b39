"""sitemap.xml: the portal's public pages (home, the lists, membership, the newsletters),
every published initiative and resource, every member's directory page, every newsletter
list's archive and every issue sent, in each of the four languages, each URL with its
alternates (hreflang) and an x-default; and robots.txt, which names it and keeps crawlers
out of accounts, signed links and downloads.

URLs are built from SITE_URL, like the pages' canonical and hreflang links, not from the
Site row or the request's host.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from initiatives.models import Initiative
from members.models import Membership
from newsletters.models import Issue, NewsletterList
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


class PageSitemap(PortalSitemap):
    """The pages that list or explain rather than hold one item."""

    changefreq = "weekly"
    priority = 1.0
    NAMES = [
        "home",
        "initiatives:list",
        "resources:list",
        "members:join",
        "directory:index",
        "newsletters:index",
    ]

    def items(self):
        return self.NAMES

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return None


class MemberSitemap(PortalSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return (
            Membership.objects.in_directory()
            .select_related("partner")
            .only("pk", "partner__slug")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("directory:member", args=[item.partner.slug])

    def lastmod(self, item):
        return None


class NewsletterArchiveSitemap(PortalSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return (
            NewsletterList.objects.active()
            .annotate(last_issue=Max("issues__finished_at"))
            .only("pk", "slug")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.last_issue


class IssueSitemap(PortalSitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return (
            Issue.objects.archived()
            .select_related("newsletter")
            .only("pk", "updated", "newsletter__slug")
            .order_by("pk")
        )


SITEMAPS = {
    "pages": PageSitemap,
    "initiatives": InitiativeSitemap,
    "resources": ResourceSitemap,
    "members": MemberSitemap,
    "newsletters": NewsletterArchiveSitemap,
    "issues": IssueSitemap,
}


@require_GET
def robots_txt(request):
    # Accounts live under each language's prefix; /accounts/ itself only redirects there.
    languages = [code for code, _name in settings.LANGUAGES]
    private = [
        "accounts/",  # sign-in and sign-up
        "membership/apply/",  # forms behind a sign-in
        "membership/dashboard/",
        "membership/applications/",
        "membership/area/",
        "newsletters/confirm/",  # signed links from e-mails: one reader's each
        "newsletters/preferences/",
        "newsletters/unsubscribe/",
    ]
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /anymail/",
        *(f"Disallow: /{code}/{path}" for code in languages for path in private),
        # Downloads and exports are counted or generated; their pages are what to index.
        "Disallow: /*/download/",
        "Disallow: /*/cite.",
        "Disallow: /*/members/export.",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
