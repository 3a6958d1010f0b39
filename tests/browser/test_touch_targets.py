"""On a phone, every link, button and field of the site's shell and lists can be touched:
at least 24 by 24 CSS pixels, or that far from its neighbours (WCAG 2.2, 2.5.8), as
Lighthouse's mobile audit checks it (axe's target-size rule), and the shell's own
targets measured directly, in English and Arabic."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cpaor.seed import load as load_site_content
from initiatives.seed import load as load_initiatives
from resources.seed import load as load_resources

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
PAGES = [
    "/{lang}/",
    "/{lang}/resources/",
    "/{lang}/initiatives/government-leadership-engagement/",
]
# The shell's and the lists' own targets: the language switch, the main menu, the
# footer, the library's facets and pages of results.
TARGETS = (
    ".lang-switch a, .main-nav a, .site-footer a, .site-footer button, "
    ".site-footer input, .facets a, .facets input, .facets button, .facets summary, "
    ".pagination a"
)

SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length && !el.closest('[aria-hidden=true]'))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 24 || box.height < 24)
  .map(([el, box]) => `${el.outerHTML.slice(0, 80)} ${box.width | 0}x${box.height | 0}`)
"""


@pytest.fixture
def content(transactional_db):
    load_site_content()
    load_initiatives()
    load_resources()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_target_on_a_phone_is_big_enough_to_touch(phone_page, content, lang):
    small, axe = {}, {}
    for template in PAGES:
        path = template.format(lang=lang)
        assert phone_page.goto(path).status == 200, path
        found = phone_page.evaluate(SMALL_TARGETS, TARGETS)
        if found:
            small[path] = found
        results = AXE.run(phone_page, options={"runOnly": ["target-size"]})
        violations = [
            node["html"][:80] for v in results.response["violations"] for node in v["nodes"]
        ]
        if violations:
            axe[path] = violations
    assert small == {}
    assert axe == {}
