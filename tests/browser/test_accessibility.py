"""An axe-core audit of every public page type, in the four languages.

axe (bundled by axe-playwright-python, injected through the browser's debugging
protocol, so the strict Content-Security-Policy stays on) checks contrast, names, labels,
landmarks, headings, language attributes and ARIA use. No serious or critical finding
may stand.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cpaor.seed import load as load_site_content
from initiatives.seed import load as load_initiatives
from resources.models import Resource
from resources.seed import load as load_resources

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr", "es", "ar"]
AXE = Axe()


@pytest.fixture
def content(transactional_db):
    load_site_content()
    load_initiatives()
    load_resources()


def page_types():
    resource = Resource.objects.published().order_by("pk").first()
    return [
        "/{lang}/",
        "/{lang}/initiatives/",
        "/{lang}/initiatives/?status=active",
        "/{lang}/initiatives/government-leadership-engagement/",
        "/{lang}/resources/",
        "/{lang}/resources/?q=coordination",
        f"/{{lang}}/resources/{resource.slug}/",
        "/{lang}/membership/",
        "/{lang}/members/",
        "/{lang}/newsletters/",
        "/{lang}/accounts/login/",
        "/{lang}/accounts/signup/",
        "/{lang}/accounts/password/reset/",
    ]


def serious(results):
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_have_no_serious_accessibility_violation(page, content, lang):
    found = {}
    for template in page_types():
        path = template.format(lang=lang)
        response = page.goto(path)
        assert response.status == 200, path
        problems = serious(AXE.run(page))
        if problems:
            found[path] = problems
    assert found == {}


def test_phone_layout_has_no_serious_accessibility_violation(phone_page, content):
    found = {}
    for template in page_types()[:6]:
        path = template.format(lang="ar")
        phone_page.goto(path)
        problems = serious(AXE.run(phone_page))
        if problems:
            found[path] = problems
    assert found == {}
