"""Curators in a real browser, in English and in the Arabic (right to left) admin: one
imports a CSV without choosing the file twice; an editor sees which language tabs lack a
text, comes back on the tab chosen after "Save and continue", and restores an earlier
version.

Buttons are found by their names in the admin's language, from the same catalogues the
pages use (Django's own for the admin's buttons)."""

import re

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative
from resources.models import Resource
from tests.browser.admin import log_in, words
from tests.initiatives.factories import InitiativeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("language", ["en", "ar"]),
]

TITLES = {"en": "Kinship care in emergencies", "ar": "الرعاية الأسرية في الطوارئ"}
CSV = f"slug,title_en,title_ar,type\nkinship-care,{TITLES['en']},{TITLES['ar']},guidance\n"

# The list, with the fragment the change form's address had (#lang-ar) or not.
INITIATIVES = re.compile(r".*/admin/initiatives/initiative/(#.*)?$")


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Checked CSV files kept in this test's own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def test_a_curator_imports_a_checked_csv_without_choosing_it_again(admin_page, language):
    page = admin_page
    log_in(page, "/admin/resources/resource/import/", language)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "batch.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.get_by_role("button", name=words(language, "Check the file (dry run)")).click()
    preview = page.locator("ul.import-preview li")
    assert TITLES["en"] in preview.inner_text()
    assert not Resource.objects.exists()

    page.get_by_role("button", name=words(language, "Import now"), exact=True).click()
    page.wait_for_url("**/admin/resources/resource/")
    # Named in the admin's language.
    expect(page.locator("#result_list")).to_contain_text(TITLES[language])
    assert Resource.objects.get().title_ar == TITLES["ar"]


def test_an_editor_keeps_the_language_tab_and_restores_an_earlier_version(admin_page, language):
    page = admin_page
    initiative = InitiativeFactory(title_en="Localisation first", title_fr="Localisation")
    change = f"/admin/initiatives/initiative/{initiative.pk}/change/"
    log_in(page, change, language)
    missing, filled = words(language, "missing"), words(language, "filled")
    save = page.get_by_role("button", name=words(language, "Save"), exact=True)

    # The tabs say which languages lack the title (static/js/admin-translation-state.js).
    arabic_tab = page.locator('a[href="#tab_id_title_ar"]')
    expect(arabic_tab).to_contain_text(f"({missing})")
    expect(page.locator('a[href="#tab_id_title_fr"]')).to_contain_text(f"({filled})")

    arabic_tab.click()
    page.fill("#id_title_ar", "التوطين أولاً")
    page.get_by_role("button", name=words(language, "Save and continue editing")).click()
    page.wait_for_url("**#lang-ar")
    expect(page.locator('li.ui-tabs-active a[href="#tab_id_title_ar"]')).to_be_visible()
    expect(arabic_tab).to_contain_text(f"({filled})")

    page.click('a[href="#tab_id_title_en"]')
    page.fill("#id_title_en", "Localisation later")
    save.click()
    page.wait_for_url(INITIATIVES)
    assert Initiative.objects.get().title_en == "Localisation later"

    page.goto(f"/admin/initiatives/initiative/{initiative.pk}/history/")
    # Newest first: the last line is the version saved with the Arabic title.
    page.locator("#change-history tbody tr").last.locator("a").first.click()
    assert page.locator("#id_title_en").input_value() == "Localisation first"
    save.click()
    page.wait_for_url(INITIATIVES)
    initiative.refresh_from_db()
    assert (initiative.title_en, initiative.title_ar) == ("Localisation first", "التوطين أولاً")
