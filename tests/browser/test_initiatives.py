"""A coordinator browses the initiatives in French, with the keyboard only."""

import pytest

from tests.initiatives.factories import InitiativeFactory, RegionFactory, ThemeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector, limit=60):
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_coordinator_filters_by_region_and_opens_an_initiative_by_keyboard(page):
    theme = ThemeFactory(name_en="Education", name_fr="Éducation")
    asia = RegionFactory(
        slug="east-asia-pacific",
        name_en="East Asia and Pacific",
        name_fr="Asie de l’Est et Pacifique",
    )
    africa = RegionFactory(slug="west-central-africa", name_fr="Afrique de l’Ouest et du Centre")
    InitiativeFactory(
        slug="leadership",
        title_en="Government Leadership",
        title_fr="Leadership des gouvernements",
        summary_fr="Les États d’abord.",
        themes=[theme],
        regions=[asia],
    )
    InitiativeFactory(title_fr="Écoles sûres", regions=[africa], themes=[theme])

    page.goto("/fr/initiatives/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=3).count() == 2

    tab_to(page, "#id_region")
    page.keyboard.type("Asie")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/initiatives/?*region=east-asia-pacific*")
    assert page.get_by_role("heading", level=3).all_inner_texts() == [
        "Leadership des gouvernements"
    ]

    tab_to(page, "a[href='/fr/initiatives/leadership/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/initiatives/leadership/")
    assert page.get_by_role("heading", level=1).inner_text() == "Leadership des gouvernements"
    assert page.locator(".fallback-notice").is_visible()  # the body is only in English


def test_arabic_pages_fit_a_phone_and_read_right_to_left(phone_page):
    initiative = InitiativeFactory(
        title_ar="قيادة الحكومات وانخراطها",
        summary_ar="تتحمّل الدول المسؤولية الأولى.",
        regions=[RegionFactory(name_ar="شرق آسيا والمحيط الهادئ")],
        themes=[ThemeFactory(name_ar="التوطين")],
    )
    for url in ("/ar/initiatives/", f"/ar/initiatives/{initiative.slug}/"):
        phone_page.goto(url)
        assert phone_page.locator("html").get_attribute("dir") == "rtl"
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a 360px phone"
