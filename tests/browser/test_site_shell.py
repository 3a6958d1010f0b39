"""The site shell in a real browser: languages, direction, switcher, keyboard, phone."""

import pytest

from cpaor.seed import load as load_site_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    "en": "Protecting children in humanitarian crises, together",
    "fr": "Protéger les enfants dans les crises humanitaires, ensemble",
    "es": "Proteger a la niñez en las crisis humanitarias, juntos",
    "ar": "معاً لحماية الأطفال في الأزمات الإنسانية",
}


@pytest.fixture
def site(transactional_db):
    load_site_content()


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_home_page_reads_in_each_language(page, site, lang):
    page.goto(f"/{lang}/")
    assert page.locator("h1").inner_text() == HEADINGS[lang]
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("ol.goals li").count() == 4


def test_arabic_pages_run_right_to_left(page, site):
    page.goto("/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    # The brand sits at the right edge of the header in Arabic, at the left in English.
    box = page.locator(".brand").bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] + box["width"] > width / 2
    page.goto("/en/")
    assert page.locator(".brand").bounding_box()["x"] < width / 2


def test_language_switcher_keeps_the_reader_on_the_same_page(page, site):
    page.goto("/en/initiatives/")
    page.get_by_role("link", name="Français").click()
    assert page.url.endswith("/fr/initiatives/")
    page.get_by_role("link", name="العربية").click()
    assert page.url.endswith("/ar/initiatives/")
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, site):
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_home_page_fits_a_360_pixel_phone_without_sideways_scrolling(phone_page, site):
    phone_page.goto("/fr/")
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    assert phone_page.get_by_role("link", name="Bulletins").first.is_visible()


def test_home_page_works_with_javascript_turned_off(browser, live_server, site):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/es/")
    assert page.locator("h1").inner_text() == HEADINGS["es"]
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/")
    context.close()
