import re

import pytest
from django.urls import reverse

from cpaor.models import Strategy
from cpaor.seed import load as load_site_content

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "ar"]


@pytest.fixture
def seeded(db):
    load_site_content()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_page_answers_in_each_language_with_its_direction(client, seeded, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_home_page_shows_the_strategy_goals_in_the_page_language(client, seeded):
    strategy = Strategy.objects.current()
    english = client.get("/en/").content.decode()
    french = client.get("/fr/").content.decode()
    assert english.count("<li>", english.index('class="goals"')) >= 4
    assert strategy.goals.first().text_en in english
    assert strategy.goals.first().text_fr in french
    assert "2020–2024" in english


def test_a_new_strategy_period_replaces_the_old_one_on_the_home_page(client, seeded):
    newer = Strategy.objects.create(title="Strategy 2025–2029", start_year=2025, end_year=2029)
    newer.goals.create(order=1, text="Put local leadership first.")
    html = client.get("/en/").content.decode()
    assert "Put local leadership first." in html
    assert "2025–2029" in html


def test_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_language_switcher_stays_on_the_same_page(client, seeded):
    html = client.get("/fr/initiatives/").content.decode()
    switcher = html[html.index('class="lang-switch"') :]
    switcher = switcher[: switcher.index("</nav>")]
    assert 'href="/en/initiatives/"' in switcher
    assert 'href="/es/initiatives/"' in switcher
    assert 'href="/ar/initiatives/"' in switcher
    assert "العربية" in switcher and "Español" in switcher and "Français" in switcher
    assert re.search(r'href="/fr/initiatives/"[^>]*aria-current="true"', switcher)


def test_pages_announce_their_other_languages_to_search_engines(client, seeded):
    html = client.get("/es/").content.decode()
    for lang in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{lang}" href="http://testserver/{lang}/">' in html
    assert '<link rel="canonical" href="http://testserver/es/">' in html


def test_every_page_has_a_skip_link_to_the_main_content(client, seeded):
    html = client.get("/en/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_navigation_and_footer_are_translated(client, seeded, lang):
    html = client.get(f"/{lang}/").content.decode()
    expected = {
        "en": ["Initiatives", "Resources", "Membership", "Newsletters", "Skip to main content"],
        "fr": ["Initiatives", "Ressources", "Adhésion", "Bulletins", "Aller au contenu principal"],
        "es": ["Iniciativas", "Recursos", "Membresía", "Boletines", "Ir al contenido principal"],
        "ar": ["المبادرات", "الموارد", "العضوية", "النشرات", "الانتقال إلى المحتوى الرئيسي"],
    }[lang]
    for text in expected:
        assert text in html, text


def test_home_page_html_and_css_stay_under_50_kilobytes(client, seeded):
    from django.contrib.staticfiles import finders

    html = client.get("/en/").content
    with open(finders.find("css/portal.css"), "rb") as stylesheet:
        css = stylesheet.read()
    assert len(html) + len(css) < 50 * 1024


def test_home_page_loads_nothing_from_another_host(client, seeded):
    html = client.get("/en/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    external = [
        url
        for url in sources
        if url.startswith(("http:", "https:", "//")) and not url.startswith("http://testserver")
    ]
    assert external == []


def test_home_page_runs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


def test_home_page_lists_published_key_resources_only(client, seeded):
    from resources.models import Resource
    from tests.resources.factories import ResourceFactory

    key = ResourceFactory(title_en="Inter-Agency Toolkit on Localisation", is_key=True)
    ResourceFactory(title_en="An ordinary report", is_key=False)
    ResourceFactory(title_en="A key draft", is_key=True, status=Resource.Status.DRAFT)
    html = client.get("/en/").content.decode()
    assert f'<a href="{key.get_absolute_url()}">Inter-Agency Toolkit on Localisation</a>' in html
    assert "An ordinary report" not in html
    assert "A key draft" not in html


def test_seeded_home_page_with_initiatives_stays_under_50_kilobytes(client, seeded):
    from django.contrib.staticfiles import finders

    from initiatives.seed import load as load_initiatives

    load_initiatives()
    html = client.get("/en/").content
    assert b"See all initiatives" in html
    with open(finders.find("css/portal.css"), "rb") as stylesheet:
        css = stylesheet.read()
    assert len(html) + len(css) < 50 * 1024
