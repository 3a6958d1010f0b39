"""Curators in a real browser: one imports a CSV in the Arabic (right to left) admin
without choosing the file twice; an editor sees which language tabs lack a text, comes
back on the tab chosen after "Save and continue", and restores an earlier version."""

import re

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative
from resources.models import Resource
from tests.initiatives.factories import InitiativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "slug,title_en,title_ar,type\n"
    "kinship-care,Kinship care in emergencies,الرعاية الأسرية في الطوارئ,guidance\n"
)

MISSING = re.compile("missing", re.IGNORECASE)
FILLED = re.compile("filled", re.IGNORECASE)
# The list, with the fragment the change form's address had (#lang-ar) or not.
INITIATIVES = re.compile(r".*/admin/initiatives/initiative/(#.*)?$")


def log_in(page, path):
    # A superuser: the groups made by migrations are gone once an earlier test of this
    # process has emptied the tables (tests/browser/test_newsletter_compose.py).
    user = UserFactory(is_staff=True, is_superuser=True)
    page.goto(f"/admin/login/?next={path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


@pytest.fixture
def arabic_page(browser, live_server, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    context = browser.new_context(base_url=live_server.url, locale="ar")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_curator_imports_a_checked_csv_without_choosing_it_again(arabic_page):
    page = arabic_page
    log_in(page, "/admin/resources/resource/import/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "batch.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.click("input[name=_check]")
    preview = page.locator("ul.import-preview li")
    assert "Kinship care in emergencies" in preview.inner_text()
    assert not Resource.objects.exists()

    page.click("input[name=_import_checked]")
    page.wait_for_url("**/admin/resources/resource/")
    # Named in the admin's language.
    expect(page.locator("#result_list")).to_contain_text("الرعاية الأسرية في الطوارئ")
    assert Resource.objects.get().title_ar == "الرعاية الأسرية في الطوارئ"


def test_an_editor_keeps_the_language_tab_and_restores_an_earlier_version(page):
    initiative = InitiativeFactory(title_en="Localisation first", title_fr="Localisation")
    change = f"/admin/initiatives/initiative/{initiative.pk}/change/"
    log_in(page, change)

    # The tabs say which languages lack the title (static/js/admin-translation-state.js).
    expect(page.locator('a[href="#tab_id_title_ar"]')).to_contain_text(MISSING)
    expect(page.locator('a[href="#tab_id_title_fr"]')).to_contain_text(FILLED)

    page.click('a[href="#tab_id_title_ar"]')
    page.fill("#id_title_ar", "التوطين أولاً")
    page.click("input[name=_continue]")
    page.wait_for_url("**#lang-ar")
    expect(page.locator('li.ui-tabs-active a[href="#tab_id_title_ar"]')).to_be_visible()
    expect(page.locator('a[href="#tab_id_title_ar"]')).to_contain_text(FILLED)

    page.click('a[href="#tab_id_title_en"]')
    page.fill("#id_title_en", "Localisation later")
    page.click("input[name=_save]")
    page.wait_for_url(INITIATIVES)
    assert Initiative.objects.get().title_en == "Localisation later"

    page.goto(f"/admin/initiatives/initiative/{initiative.pk}/history/")
    # Newest first: the last line is the version saved with the Arabic title.
    page.locator("#change-history tbody tr").last.locator("a").first.click()
    assert page.locator("#id_title_en").input_value() == "Localisation first"
    page.click("input[name=_save]")
    page.wait_for_url(INITIATIVES)
    initiative.refresh_from_db()
    assert (initiative.title_en, initiative.title_ar) == ("Localisation first", "التوطين أولاً")
