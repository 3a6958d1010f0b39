"""Subscribing in a real browser: the footer-free page form, the confirmation link from
the e-mail, the preference centre and unsubscribing."""

import re

import pytest
from django.core import mail as outbox

from cpaor.celery import app
from newsletters.models import Subscriber
from tests.newsletters.factories import NewsletterListFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery():
    # The confirmation e-mail is sent by the live server thread into the locmem outbox.
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_subscribe_confirm_from_the_email_and_unsubscribe(page, live_server, eager_celery):
    NewsletterListFactory(name_en="Global Newsletter", slug="global", language="en")
    page.goto("/en/newsletters/")
    form = page.locator("form.newsletter-form")
    form.get_by_label("E-mail address").fill("reader@example.org")
    form.get_by_label("Global Newsletter").check()
    form.get_by_label(re.compile("I agree to receive")).check()
    form.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    assert Subscriber.objects.get().status == "pending"
    message = next(m for m in outbox.outbox if m.to == ["reader@example.org"])
    link = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="Subscription confirmed").wait_for()
    assert Subscriber.objects.get().status == "confirmed"

    page.get_by_role("link", name="Change your newsletters or unsubscribe").click()
    page.get_by_role("button", name="Unsubscribe from all").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "unsubscribed"
    assert not subscriber.lists.exists()


def test_the_footer_form_works_on_a_phone_in_arabic(phone_page, eager_celery):
    NewsletterListFactory(slug="regional-arabic", language="ar")
    phone_page.goto("/ar/")
    assert phone_page.locator("html").get_attribute("dir") == "rtl"
    footer = phone_page.locator("form.footer-subscribe")
    footer.locator("#footer-email").fill("qari@example.org")
    footer.locator("#footer-consent").check()
    footer.locator("button[type=submit]").click()
    phone_page.wait_for_url("**/ar/newsletters/check-your-email/")
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "ar"
    assert any(m.to == ["qari@example.org"] for m in outbox.outbox)


def test_subscribing_works_by_keyboard_alone(page, eager_celery):
    NewsletterListFactory(name_en="Global Newsletter", slug="global", language="en")
    page.goto("/en/newsletters/")
    in_form = "el => !!el.closest('form.newsletter-form')"

    def focused(expression):
        return page.evaluate(
            f"(() => {{ const el = document.activeElement; return {expression}; }})()"
        )

    for _ in range(80):  # Tab from the top of the page to the form's e-mail field
        page.keyboard.press("Tab")
        if focused("el.type === 'email' && !!el.closest('form.newsletter-form')"):
            break
    else:
        pytest.fail("the e-mail field cannot be reached with Tab")
    page.keyboard.type("keys@example.org")
    # On through the form: tick every box (the list, the consent) with Space, then
    # Enter on the button.
    for _ in range(20):
        page.keyboard.press("Tab")
        assert page.evaluate(f"({in_form})(document.activeElement)"), "focus left the form"
        if focused("el.type === 'checkbox' && !el.checked"):
            page.keyboard.press("Space")
        elif focused("el.tagName === 'BUTTON'"):
            page.keyboard.press("Enter")
            break
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert Subscriber.objects.get().email == "keys@example.org"
    assert any(m.to == ["keys@example.org"] for m in outbox.outbox)
