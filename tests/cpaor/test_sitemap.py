import xml.etree.ElementTree as ET

import pytest

from cpaor import sitemaps
from tests.initiatives.factories import InitiativeFactory
from tests.members.factories import MembershipFactory
from tests.newsletters.factories import IssueFactory, NewsletterListFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ["en", "fr", "es", "ar"]


def read_sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SM}urlset"
    urls = {}
    for url in root.findall(f"{SM}url"):
        location = url.find(f"{SM}loc").text
        urls[location] = {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
    return urls


def test_the_sitemap_lists_published_initiatives_and_resources_in_four_languages(client):
    InitiativeFactory(slug="niaf", is_published=True)
    InitiativeFactory(slug="secret-initiative", is_published=False)
    ResourceFactory(slug="toolkit")
    ResourceFactory(slug="draft-resource", status="draft")
    urls = read_sitemap(client)
    expected = {
        f"http://testserver/{code}/{section}/{slug}/"
        for code in LANGUAGES
        for section, slug in (("initiatives", "niaf"), ("resources", "toolkit"))
    }
    items = {url for url in urls if url.rstrip("/").count("/") == 5}
    assert items == expected
    alternates = urls["http://testserver/fr/resources/toolkit/"]
    assert alternates == {
        **{code: f"http://testserver/{code}/resources/toolkit/" for code in LANGUAGES},
        # Without a language prefix: the portal sends each reader to their language.
        "x-default": "http://testserver/resources/toolkit/",
    }
    response = client.get("/resources/toolkit/", headers={"accept-language": "fr"})
    assert (response.status_code, response["Location"]) == (302, "/fr/resources/toolkit/")


def test_the_sitemap_uses_the_site_url_not_the_request_host(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "portal.example.org"]
    ResourceFactory(slug="toolkit")
    urls = read_sitemap(client)
    assert "https://portal.example.org/ar/resources/toolkit/" in urls


@pytest.mark.parametrize("size", [2, 20])
def test_the_sitemap_runs_a_constant_number_of_queries(client, size, django_assert_num_queries):
    for _ in range(size):
        InitiativeFactory(is_published=True)
        ResourceFactory()
    client.get("/sitemap.xml")  # the first request reads the Site row, then Django keeps it
    # initiatives, resources, members, newsletter lists, issues
    with django_assert_num_queries(5):
        urls = read_sitemap(client)
    pages = len(sitemaps.PageSitemap.NAMES)
    assert len(urls) == (2 * size + pages) * len(LANGUAGES)


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def test_robots_txt_keeps_crawlers_out_of_the_accounts_pages_in_every_language(client):
    lines = client.get("/robots.txt").content.decode().splitlines()
    for code in LANGUAGES:
        assert f"Disallow: /{code}/accounts/" in lines
        # The rule covers the real pages, which live under the language prefix.
        assert client.get(f"/{code}/accounts/login/").status_code == 200


def test_the_sitemap_lists_the_portals_pages_members_archives_and_sent_issues(client):
    member = MembershipFactory(partner__slug="enfance-senegal")
    MembershipFactory(partner__slug="lapsed-org", status="lapsed")
    newsletter = NewsletterListFactory(slug="global")
    sent = IssueFactory(newsletter=newsletter, status="sent")
    IssueFactory(newsletter=newsletter, status="draft")
    urls = read_sitemap(client)
    for code in LANGUAGES:
        for path in (
            "",
            "initiatives/",
            "resources/",
            "membership/",
            "members/",
            "newsletters/",
            f"members/{member.partner.slug}/",
            "newsletters/global/",
            f"newsletters/global/{sent.pk}/",
        ):
            assert f"http://testserver/{code}/{path}" in urls, (code, path)
    assert not any("lapsed-org" in url for url in urls)
    assert len([url for url in urls if "/newsletters/global/" in url]) == 2 * len(LANGUAGES)
    assert urls["http://testserver/ar/"]["fr"] == "http://testserver/fr/"


def test_robots_txt_keeps_crawlers_out_of_signed_links_and_downloads(client):
    lines = client.get("/robots.txt").content.decode().splitlines()
    for code in LANGUAGES:
        assert f"Disallow: /{code}/newsletters/unsubscribe/" in lines
        assert f"Disallow: /{code}/membership/area/" in lines
    assert "Disallow: /*/download/" in lines
    assert "Disallow: /*/cite." in lines
    assert not any(line.endswith(": /") for line in lines)
