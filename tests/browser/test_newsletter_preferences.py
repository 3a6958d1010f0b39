"""The preference centre in a real browser: a reader in Arabic (right to left, on a phone)
changes their language to French and asks for plain text; the same with JavaScript off,
then leaving one list from an issue's link and erasing their data."""

import pytest

from newsletters import links
from newsletters.models import Subscriber
from tests.newsletters.factories import NewsletterListFactory, SubscriberFactory, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path(url):
    return url.replace("http://testserver", "")


@pytest.fixture
def reader():
    global_list = NewsletterListFactory(name_en="Global Newsletter", slug="global", language="en")
    arabic = NewsletterListFactory(name_en="Regional Arabic", slug="regional-arabic", language="ar")
    subscriber = subscribe(SubscriberFactory(language="ar"), global_list, arabic)
    return subscriber, global_list, arabic


def change_to_french_and_plain_text(page, subscriber):
    page.goto(path(links.manage_url(subscriber, "ar")))
    assert page.locator("html").get_attribute("dir") == "rtl"
    french = page.locator("input[name=language][value=fr]")
    assert page.locator("input[name=language][value=ar]").is_checked()
    french.check()
    page.locator("#id_plain_text").check()
    page.locator("button[name=save]").click()
    page.wait_for_load_state()
    # The page comes back with the saved state, still in Arabic (the page's language).
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("input[name=language][value=fr]").is_checked()
    assert page.locator("#id_plain_text").is_checked()
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.plain_text) == ("fr", True)
    assert subscriber.lists.count() == 2


def test_an_arabic_reader_on_a_phone_changes_language_and_asks_for_plain_text(phone_page, reader):
    subscriber, _, _ = reader
    change_to_french_and_plain_text(phone_page, subscriber)
    assert phone_page.locator(".messages").is_visible()
    # Nothing wider than the phone's screen.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_without_javascript_every_choice_works_to_the_end(no_js_page, reader):
    page = no_js_page
    subscriber, global_list, arabic = reader
    change_to_french_and_plain_text(page, subscriber)

    # The link at the foot of a Global issue: "leave this list" is the first button.
    page.goto(path(links.unsubscribe_url(subscriber, "en", global_list)))
    page.get_by_role("button", name="Leave Global Newsletter").click()
    page.get_by_role("heading", name="You left the newsletter").wait_for()
    assert list(subscriber.lists.all()) == [arabic]

    # Their data, then erasing it.
    page.goto(path(links.manage_url(subscriber, "en")))
    page.get_by_role("link", name="See what we keep about you").click()
    page.get_by_role("heading", name="What we keep about you").wait_for()
    assert subscriber.email in page.content()
    page.get_by_role("link", name="Erase your data").click()
    page.get_by_role("button", name="Erase my data").click()
    page.get_by_role("heading", name="Your data is erased").wait_for()
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    page.goto(path(links.manage_url(subscriber, "en")))
    page.get_by_role("heading", name="This link does not work").wait_for()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_readers_pages_have_no_serious_accessibility_violation(phone_page, reader, lang):
    from tests.browser.test_accessibility import AXE, serious

    subscriber, global_list, _ = reader
    manage = path(links.manage_url(subscriber, lang))
    pages = [
        manage,
        path(links.unsubscribe_url(subscriber, lang, global_list)),
        path(links.unsubscribe_url(subscriber, lang)),
        manage + "data/",
        manage + "erase/",
    ]
    found = {}
    for url in pages:
        assert phone_page.goto(url).status == 200, url
        problems = serious(AXE.run(phone_page))
        if problems:
            found[url] = problems
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, url
    assert found == {}
