"""The page a renewal reminder's link opens, in a real browser: on a phone in Arabic it
reads right to left, fits the screen and has no serious accessibility finding (axe); by
keyboard alone and without JavaScript it renews; a changed link gets a page that says so."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from members import services
from members.models import FocalPoint
from members.services.memberships import add_years
from tests.members.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def serious(results):
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def reminder_path(language):
    """The path of the link a focal point's reminder carries, 12 days before the date."""
    due = timezone.localdate() + datetime.timedelta(days=12)
    membership = MembershipFactory(
        renewal_due=due, language=language, partner__name_en="Réseau Enfance Sahel"
    )
    person = UserFactory()
    FocalPoint.objects.create(membership=membership, user=person)
    link = services.renewal_link(
        membership=membership, user_id=person.pk, until=due + datetime.timedelta(days=30)
    )
    return membership, link.split("://", 1)[1].split("/", 1)[1]


def test_on_a_phone_in_arabic_the_page_is_right_to_left_fits_and_passes_axe(phone_page):
    _membership, path = reminder_path("ar")
    response = phone_page.goto(f"/{path}")
    assert response.status == 200
    assert phone_page.locator("html").get_attribute("dir") == "rtl"
    assert phone_page.locator("html").get_attribute("lang") == "ar"
    assert phone_page.locator(".commitments li").count() == len(services.COMMITMENTS)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert serious(AXE.run(phone_page)) == []

    response = phone_page.goto(f"/{path[:-6]}xxxxx/")
    assert response.status == 400
    assert serious(AXE.run(phone_page)) == []


def test_by_keyboard_without_javascript_the_button_renews(browser, live_server):
    membership, path = reminder_path("en")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/{path}")
        button = page.get_by_role("button", name="I confirm these commitments")
        for _ in range(60):  # from the top of the page, through the header's links
            page.keyboard.press("Tab")
            if button.evaluate("element => element === document.activeElement"):
                break
        else:
            pytest.fail("the button cannot be reached with the Tab key")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("status").get_by_text("the membership is renewed").is_visible()
        assert page.get_by_role("button", name="I confirm these commitments").count() == 0
    finally:
        context.close()
    due = membership.renewal_due
    membership.refresh_from_db()
    assert membership.renewal_due == add_years(due, 1)
