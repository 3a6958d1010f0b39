"""The strict Content-Security-Policy breaks nothing the browser loads.

Chromium reports every blocked script, style or image on the console; the pages a
visitor and a staff member use must load without a single report.
"""

import pytest

from cpaor.seed import load as load_site_content
from initiatives.seed import load as load_initiatives
from tests.initiatives.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(transactional_db):
    load_site_content()
    load_initiatives()


def violations(page, paths):
    reports = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
    return reports


def test_public_pages_load_without_policy_violations(page, content):
    paths = [
        "/en/",
        "/ar/",
        "/fr/initiatives/",
        "/es/initiatives/government-leadership-engagement/",
        "/en/resources/?q=coordination",
        "/en/membership/",
        "/en/newsletters/",
        "/en/accounts/login/",
    ]
    assert violations(page, paths) == []


def log_in_to_admin(page, username, then="/admin/"):
    UserFactory(username=username, is_staff=True, is_superuser=True)
    page.goto(f"/admin/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")


def test_admin_pages_load_without_policy_violations(page, content):
    log_in_to_admin(page, "root")
    assert page.locator("#user-tools").is_visible()
    paths = [
        "/admin/",
        "/admin/initiatives/initiative/",
        "/admin/initiatives/initiative/add/",
        "/admin/resources/resource/add/",
    ]
    assert violations(page, paths) == []


def test_admin_translation_tabs_work_from_the_portals_own_jquery_ui(page, content):
    log_in_to_admin(page, "editor", then="/admin/initiatives/initiative/add/")
    french = page.locator('a.ui-tabs-anchor[href="#tab_id_title_fr"]')
    assert french.text_content().strip() == "fr"
    # One tab per language; choosing French shows the French title field.
    assert page.locator('a.ui-tabs-anchor[href^="#tab_id_title_"]').count() == 4
    assert page.locator("#id_title_en").is_visible()
    assert not page.locator("#id_title_fr").is_visible()
    french.click()
    assert page.locator("#id_title_fr").is_visible()
    assert not page.locator("#id_title_en").is_visible()
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert all(src.startswith(page.url.split("/admin/")[0]) for src in scripts), scripts
