"""Anonymous readers get every public page without a cookie, so browsers, the proxy and
a CDN may keep it; the public forms on those pages work without one, from the portal's
own pages only."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from common.pagecache import VERSION_KEY
from newsletters.models import Issue, Subscriber
from tests.initiatives.factories import ContactFactory, CountryFactory, InitiativeFactory
from tests.members.factories import MembershipFactory
from tests.newsletters.factories import IssueFactory, NewsletterListFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages():
    initiative = InitiativeFactory(slug="family-tracing", is_published=True)
    ContactFactory(initiative=initiative, email="amina.diallo@example.org")
    ResourceFactory(slug="case-management-guide", title_en="Case management guide")
    member = MembershipFactory(partner__name_en="Enfance Sénégal", partner__slug="enfance")
    member.countries.set([CountryFactory(iso_code="SN")])
    newsletter = NewsletterListFactory(slug="global")
    issue = IssueFactory(newsletter=newsletter)
    Issue.objects.filter(pk=issue.pk).update(
        status="sent", started_at=timezone.now(), finished_at=timezone.now()
    )
    return [
        "",
        "initiatives/",
        "initiatives/family-tracing/",
        "resources/",
        "resources/?q=case+management",
        "resources/case-management-guide/",
        "members/",
        "members/enfance/",
        "newsletters/",
        "newsletters/global/",
        f"newsletters/global/{issue.pk}/",
    ]


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_no_public_page_sets_a_cookie(client, settings, public_pages, language):
    # With the page cache on: each page is made once (as without it), then kept.
    settings.PAGE_CACHE_SECONDS = 3600
    cache.delete(VERSION_KEY)  # nothing kept by earlier tests answers
    for page in public_pages:
        response = client.get(f"/{language}/{page}")
        assert response.status_code == 200, page
        assert not response.cookies, (page, response.cookies)
        assert "Set-Cookie" not in response, page
    kept = [client.get(f"/{language}/{page}")["X-Page-Cache"] for page in public_pages]
    assert kept == ["hit"] * len(public_pages)


def test_the_sign_in_page_still_sets_its_csrf_cookie(client):
    response = client.get("/en/accounts/login/")
    assert "csrftoken" in response.cookies


FORM = {"email": "reader@example.org", "origin": "footer", "consent": "on"}


def test_subscribing_from_the_portals_own_page_needs_no_cookie(client):
    newsletter = NewsletterListFactory(language="en")
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/en/newsletters/",
        {**FORM, "lists": [str(newsletter.pk)]},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert (response.status_code, response["Location"]) == (
        302,
        "/en/newsletters/check-your-email/",
    )
    assert Subscriber.objects.filter(email="reader@example.org").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Origin": "https://elsewhere.example"},
        {"Referer": "https://elsewhere.example/page.html"},
        {"Origin": "null"},
    ],
    ids=["fetch-metadata", "origin", "referer", "opaque-origin"],
)
def test_subscribing_from_another_sites_page_is_refused(client, headers):
    newsletter = NewsletterListFactory(language="en")
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/en/newsletters/", {**FORM, "lists": [str(newsletter.pk)]}, headers=headers
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
