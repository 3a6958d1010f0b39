"""The resource library in a real browser: search, narrow, open, download; phone; Arabic."""

import datetime
import re

import pytest

from resources.models import Resource
from tests.resources.factories import LinkVersionFactory, ResourceFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(transactional_db, live_server):
    health = TopicFactory(name_en="Health", slug="health")
    target = ResourceFactory(
        title_en="Coordination toolkit for health partners",
        slug="coordination-toolkit",
        type=Resource.Type.TOOLKIT,
        topics=[health],
        publication_date=datetime.date(2020, 5, 1),
    )
    LinkVersionFactory(resource=target, language="fr", external_url=f"{live_server.url}/healthz")
    ResourceFactory(title_en="Coordination report", type=Resource.Type.REPORT, topics=[health])
    ResourceFactory(title_en="Coordination toolkit, older", type=Resource.Type.TOOLKIT)
    ResourceFactory(title_en="Unrelated guidance", summary_en="About school feeding.")
    return target


def test_search_narrow_by_two_facets_open_and_download(page, library):
    page.goto("/en/resources/")
    page.get_by_label("Search the library").fill("coordination")
    page.get_by_role("button", name="Search").click()
    assert page.locator(".result-count").inner_text() == "3 resources"
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("coordin")

    page.get_by_role("checkbox", name=re.compile(r"^Toolkit")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Health")).check()
    page.get_by_role("button", name="Show resources").click()
    assert page.locator(".result-count").inner_text() == "1 resource"
    assert "type=toolkit" in page.url and "topic=health" in page.url
    assert page.get_by_role("checkbox", name=re.compile(r"^Toolkit")).is_checked()

    page.get_by_role("link", name="Coordination toolkit for health partners").click()
    assert page.locator("h1").inner_text() == "Coordination toolkit for health partners"
    assert "French · Link · 2020" in page.locator(".version-facts").inner_text()

    page.get_by_role("link", name=re.compile("Open in French")).click()
    page.wait_for_url("**/healthz")
    library.refresh_from_db()
    assert library.download_count == 1


def test_the_library_fits_a_phone_and_reads_right_to_left_in_arabic(phone_page, library):
    phone_page.goto("/ar/resources/?q=coordination")
    assert phone_page.locator("html").get_attribute("dir") == "rtl"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.keyboard.press("Tab")  # the skip link comes first
    assert phone_page.evaluate("document.activeElement.className") == "skip-link"
