"""Focal points in a real browser: on a phone in Arabic the members' area (with colleagues
and invitations), the invitation form, the directory-entry form and the leave page read
right to left, fit 360 px and have no serious accessibility finding (axe); without
JavaScript, by keyboard alone, an invited colleague accepts and sees the member, and a
focal point saves the directory entry."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from members import services
from members.models import FocalPoint
from tests.initiatives.factories import CountryFactory
from tests.members.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
PASSWORD = "a-long enough passphrase 42"


def serious(results):
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def person(email):
    user = UserFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, user, language="en"):
    page.goto(f"/{language}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def tab_to(page, locator, presses=80):
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail("cannot be reached with the Tab key")


@pytest.fixture
def member():
    membership = MembershipFactory(
        partner__name_en="شبكة حماية الطفل في المشرق",
        partner__acronym_en="",
        language="ar",
        description="نعمل مع الأطفال في الأردن وسوريا.",
    )
    membership.countries.set([CountryFactory(name_en="Jordan", name_ar="الأردن", iso_code="JO")])
    return membership


def test_on_a_phone_in_arabic_the_members_pages_read_right_to_left_fit_and_pass_axe(
    phone_page, member
):
    focal = person("layla@net.example.org")
    FocalPoint.objects.create(membership=member, user=focal)
    FocalPoint.objects.create(membership=member, user=UserFactory(email="omar@net.example.org"))
    services.focal_point_invite(membership=member, actor=focal, email="sara@net.example.org")
    sign_in(phone_page, focal, "ar")
    for path in (
        "/ar/membership/area/",
        f"/ar/membership/area/{member.pk}/invite/",
        f"/ar/membership/area/{member.pk}/entry/",
        f"/ar/membership/area/{member.pk}/leave/",
    ):
        response = phone_page.goto(path)
        assert response.status == 200, path
        assert phone_page.locator("html").get_attribute("dir") == "rtl"
        assert fits(phone_page), path
        assert serious(AXE.run(phone_page)) == [], path
    phone_page.goto("/ar/membership/area/")
    expect(phone_page.locator("span[dir=ltr]", has_text="sara@net.example.org")).to_be_visible()
    expect(phone_page.locator("span[dir=ltr]", has_text="omar@net.example.org")).to_be_visible()

    # A refused address comes back with its message, still fitting and accessible.
    phone_page.goto(f"/ar/membership/area/{member.pk}/invite/")
    phone_page.locator("#id_email").fill("not an address")
    phone_page.locator("#id_email").press("Enter")
    expect(phone_page.locator(".errorlist")).to_be_visible()
    assert fits(phone_page)
    assert serious(AXE.run(phone_page)) == []


def test_without_javascript_by_keyboard_a_colleague_accepts_and_edits_the_entry(
    browser, live_server, member
):
    focal = person("layla@net.example.org")
    FocalPoint.objects.create(membership=member, user=focal)
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="sara@net.example.org"
    )
    colleague = person("sara@net.example.org")
    token = services.focal_points.invitation_token(invitation)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, colleague)
        page.goto(f"/en/membership/invitations/{token}/")
        button = page.get_by_role("button", name="Accept: represent")
        tab_to(page, button)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("You are now a focal point")
        expect(page.locator(f"#membership-{member.pk}")).to_contain_text("layla@net.example.org")

        page.goto(f"/en/membership/area/{member.pk}/entry/")
        page.locator("#id_description").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("Case management in Amman and Irbid.")
        page.locator("#id_website").focus()
        page.keyboard.type("https://net.example.org/")
        save = page.get_by_role("button", name="Save the entry")
        tab_to(page, save, presses=10)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Your directory entry is saved")
        page.goto(f"/en/members/{member.partner.slug}/")
        expect(page.locator(".member-description")).to_contain_text("Amman and Irbid")
    finally:
        context.close()
    assert FocalPoint.objects.filter(membership=member, user=colleague).exists()
