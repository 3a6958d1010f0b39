import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from initiatives.models import Initiative, Milestone

from .factories import (
    ContactFactory,
    CountryFactory,
    InitiativeFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
    content_editor,
    membership_reviewer,
)

pytestmark = pytest.mark.django_db


def list_url(language="en"):
    with translation.override(language):
        return reverse("initiatives:list")


def detail_url(initiative, language="en"):
    with translation.override(language):
        return initiative.get_absolute_url()


def titles(response):
    return [initiative.title for initiative in response.context["initiatives"]]


@pytest.fixture
def catalogue():
    """Three published initiatives across two themes, two regions and every status."""
    education = ThemeFactory(slug="education", name_en="Education")
    mhpss = ThemeFactory(slug="mhpss", name_en="MHPSS")
    africa = RegionFactory(slug="africa", name_en="Africa")
    asia = RegionFactory(slug="asia", name_en="Asia")
    kenya = CountryFactory(iso_code="KE", region=africa)
    InitiativeFactory(title_en="Schools", themes=[education], regions=[asia])
    InitiativeFactory(title_en="Counselling", themes=[mhpss], countries=[kenya], status="completed")
    InitiativeFactory(
        title_en="Learning spaces", themes=[education, mhpss], regions=[africa], status="planned"
    )
    InitiativeFactory(title_en="Hidden draft", themes=[education], is_published=False)


def test_list_shows_published_initiatives_with_theme_status_and_region(client, catalogue):
    response = client.get(list_url())
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Counselling", "Learning spaces", "Schools"]
    html = response.content.decode()
    assert "Hidden draft" not in html
    assert "Planned" in html and "Completed" in html
    schools = html[html.index(">Schools<") :]
    schools = schools[: schools.index("</li>")]
    assert "Education" in schools and "Asia" in schools and "Active" in schools


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"theme": "education"}, ["Learning spaces", "Schools"]),
        ({"region": "asia"}, ["Schools"]),
        # Counselling is in Kenya, a country of the region, not tagged with the region.
        ({"region": "africa"}, ["Counselling", "Learning spaces"]),
        ({"status": "completed"}, ["Counselling"]),
        ({"theme": "mhpss", "region": "africa"}, ["Counselling", "Learning spaces"]),
        ({"theme": "education", "region": "africa"}, ["Learning spaces"]),
        ({"theme": "mhpss", "status": "planned"}, ["Learning spaces"]),
        ({"theme": "education", "region": "africa", "status": "planned"}, ["Learning spaces"]),
        ({"theme": "", "region": "", "status": ""}, ["Counselling", "Learning spaces", "Schools"]),
    ],
)
def test_filters_and_their_combinations(client, catalogue, query, expected):
    response = client.get(list_url(), query)
    assert sorted(titles(response)) == expected


def test_no_match_says_so_and_offers_to_clear_the_filters(client, catalogue):
    response = client.get(list_url("fr"), {"theme": "education", "status": "completed"})
    html = response.content.decode()
    assert titles(response) == []
    assert 'class="empty-result"' in html
    assert '<a class="button secondary" href="/fr/initiatives/">' in html


def test_unknown_filter_value_gives_an_empty_list_not_an_error(client, catalogue):
    response = client.get(list_url(), {"region": "atlantis"})
    assert response.status_code == 200
    assert titles(response) == []


def test_filter_form_is_a_plain_get_form_with_labels(client, catalogue):
    html = client.get(list_url("es")).content.decode()
    assert re.search(r'<form[^>]+method="get"', html)
    for name in ("theme", "region", "status"):
        assert f'<label for="id_{name}">' in html
        assert f'name="{name}"' in html


def test_featured_initiatives_are_listed_first(client):
    InitiativeFactory(title_en="Alpha")
    InitiativeFactory(title_en="Omega", is_featured=True)
    assert titles(client.get(list_url())) == ["Omega", "Alpha"]


def test_draft_is_not_found_by_the_public(client):
    draft = InitiativeFactory(is_published=False)
    assert client.get(detail_url(draft)).status_code == 404


def test_draft_is_seen_by_a_content_editor(client):
    draft = InitiativeFactory(is_published=False, title_en="Work in progress")
    client.force_login(content_editor())
    response = client.get(detail_url(draft))
    assert response.status_code == 200
    assert "Draft: only editors can see this page." in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_draft_stays_hidden_from_staff_who_cannot_edit_initiatives(client):
    draft = InitiativeFactory(is_published=False)
    client.force_login(membership_reviewer())
    assert client.get(detail_url(draft)).status_code == 404


def test_french_page_without_french_text_shows_english_and_says_so(client):
    initiative = InitiativeFactory(title_en="Food and protection", summary_en="In English.")
    response = client.get(detail_url(initiative, "fr"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "fallback-notice" in html
    assert '<h1 id="initiative-title" lang="en">Food and protection</h1>' in html
    assert '<p class="lead" lang="en">In English.</p>' in html


def test_translated_page_has_no_notice(client):
    initiative = InitiativeFactory(
        title_en="Food",
        title_fr="Alimentation",
        summary_fr="En français.",
        body_fr="<p>Texte.</p>",
    )
    html = client.get(detail_url(initiative, "fr")).content.decode()
    assert '<h1 id="initiative-title">Alimentation</h1>' in html
    assert "fallback-notice" not in html


def test_list_marks_cards_shown_in_english(client):
    InitiativeFactory(title_en="Only English")
    html = client.get(list_url("ar")).content.decode()
    assert 'dir="rtl"' in html
    assert 'lang="en" dir="ltr"><a href="/ar/initiatives/' in html
    assert 'class="notice"' in html


def test_detail_shows_objectives_timeline_partners_and_regions(client):
    theme = ThemeFactory()
    initiative = InitiativeFactory(
        themes=[theme], regions=[RegionFactory(name_en="West and Central Africa")]
    )
    initiative.partners.add(PartnerFactory(name_en="IFRC network"))
    aim = ObjectiveFactory(initiative=initiative, text_en="Stronger coordination")
    ObjectiveFactory(initiative=initiative, parent=aim, text_en="Capacity building")
    MilestoneFactory(
        initiative=initiative,
        date=datetime.date(2018, 1, 1),
        precision=Milestone.Precision.YEAR,
        is_approximate=True,
        title_en="Addis Ababa workshop",
    )
    html = client.get(detail_url(initiative)).content.decode()
    assert '<ol class="timeline">' in html
    assert '<time datetime="2018">around 2018</time>' in html
    assert "Stronger coordination" in html and "Capacity building" in html
    assert "IFRC network" in html
    assert "West and Central Africa" in html
    assert '<nav class="breadcrumbs" aria-label="Breadcrumbs">' in html


def test_detail_has_opengraph_and_canonical_url(client):
    initiative = InitiativeFactory(title_en="Mine action", summary_en="Children and mines.")
    html = client.get(detail_url(initiative, "es")).content.decode()
    url = f"http://testserver/es/initiatives/{initiative.slug}/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Mine action">' in html
    assert '<meta property="og:description" content="Children and mines.">' in html
    assert 'property="og:type"' in html
    # Without a hero image, the portal's own share image.
    assert '<meta property="og:image" content="http://testserver/static/img/share.png">' in html
    assert html.count('property="og:title"') == 1


def test_og_image_is_absolute_when_there_is_a_hero(client):
    initiative = InitiativeFactory(hero_image="initiatives/hero.jpg", hero_alt_en="Children")
    html = client.get(detail_url(initiative)).content.decode()
    assert '<meta property="og:image" content="http://testserver/media/initiatives/hero.jpg">' in (
        html
    )
    assert 'alt="Children"' in html


def test_hostile_body_saved_without_clean_is_still_harmless_on_the_page(client):
    initiative = InitiativeFactory(body_en='<p onclick="x()">Hi</p><script>alert(1)</script>')
    html = client.get(detail_url(initiative)).content.decode()
    assert "<p>Hi</p>" in html
    assert "alert(1)" not in html and "onclick" not in html


def test_related_resources_section_hidden_when_there_are_none(client):
    html = client.get(detail_url(InitiativeFactory())).content.decode()
    assert "Related resources" not in html


def test_related_resources_section_lists_published_resources_about_the_initiative(client):
    from resources.models import Resource
    from tests.resources.factories import ResourceFactory

    initiative = InitiativeFactory()
    published = ResourceFactory(title_en="Engaging with States in conflict settings")
    draft = ResourceFactory(title_en="Unfinished draft", status=Resource.Status.DRAFT)
    elsewhere = ResourceFactory(title_en="About another initiative")
    published.initiatives.add(initiative)
    draft.initiatives.add(initiative)
    html = client.get(detail_url(initiative)).content.decode()
    assert "Related resources" in html
    assert f'href="{published.get_absolute_url()}"' in html
    assert "Unfinished draft" not in html
    assert elsewhere.title not in html


def test_related_initiatives_share_a_theme(client):
    theme, other = ThemeFactory(), ThemeFactory()
    initiative = InitiativeFactory(themes=[theme])
    InitiativeFactory(title_en="Same theme", themes=[theme, other])
    InitiativeFactory(title_en="Draft same theme", themes=[theme], is_published=False)
    InitiativeFactory(title_en="Other theme", themes=[other])
    response = client.get(detail_url(initiative))
    assert [i.title for i in response.context["related_initiatives"]] == ["Same theme"]


def test_contact_email_is_not_in_the_page_source(client):
    contact = ContactFactory(email="amina.diallo@example.org")
    html = client.get(detail_url(contact.initiative)).content.decode()
    assert "Amina Diallo" in html
    assert "amina.diallo" not in html
    assert "mailto:" not in html
    assert "Show e-mail address" in html
    assert 'method="post"' in html


def test_contact_email_is_revealed_on_post(client):
    contact = ContactFactory(email="amina.diallo@example.org")
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    shown = client.get(url)
    assert "amina.diallo" not in shown.content.decode()
    revealed = client.post(url)
    assert revealed.status_code == 200
    assert 'href="mailto:amina.diallo@example.org"' in revealed.content.decode()
    assert "no-store" in revealed["Cache-Control"]
    assert "noindex" in revealed["X-Robots-Tag"]


def test_revealing_addresses_in_bulk_is_limited_per_client(client, settings):
    import random

    settings.RATELIMIT_ENABLED = True
    # Addresses no other run has used: fresh counters without flushing the shared Redis.
    first, second = (f"10.{random.randrange(256)}.{random.randrange(256)}.{n}" for n in (1, 2))
    contact = ContactFactory(email="amina.diallo@example.org")
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    statuses = [client.post(url, REMOTE_ADDR=first).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    refused = client.post(url, REMOTE_ADDR=first)
    assert "amina.diallo" not in refused.content.decode()
    assert client.post(url, REMOTE_ADDR=second).status_code == 200


def test_contact_reveal_from_another_sites_page_is_refused(client):
    contact = ContactFactory(email="amina.diallo@example.org")
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    client.handler.enforce_csrf_checks = True
    forged = client.post(url, headers={"Origin": "https://elsewhere.example"})
    assert forged.status_code == 403
    assert "amina.diallo" not in forged.content.decode()
    own = client.post(url, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert "amina.diallo@example.org" in own.content.decode()


def test_contact_without_email_shows_only_name_and_role(client):
    contact = ContactFactory(email="", name="Joyce Mutiso")
    html = client.get(detail_url(contact.initiative)).content.decode()
    assert "Joyce Mutiso" in html
    assert "Show e-mail address" not in html
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    assert client.post(url).status_code == 404


def test_contact_of_a_draft_is_not_revealed(client):
    contact = ContactFactory(initiative=InitiativeFactory(is_published=False))
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    assert client.post(url).status_code == 404


def test_admin_view_on_site_leads_to_the_page(client):
    initiative = InitiativeFactory(is_published=False)
    client.force_login(content_editor())
    change = client.get(reverse("admin:initiatives_initiative_change", args=[initiative.pk]))
    assert change.status_code == 200
    assert "View on site" in change.content.decode()
    assert initiative.get_absolute_url().endswith(f"/initiatives/{initiative.slug}/")


def test_membership_reviewer_cannot_open_an_initiative_in_admin(client):
    initiative = InitiativeFactory()
    client.force_login(membership_reviewer())
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    assert client.get(url).status_code == 403


def test_content_editor_saves_hostile_body_sanitised_through_admin(client):
    client.force_login(content_editor())
    data = {
        "title_en": "Safe page",
        "slug": "safe-page",
        "summary_en": "Summary.",
        "body_en": '<p style="color:red">Kept</p><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">link</a><script>alert(3)</script>',
        "status": "active",
        "order": "1",
        "is_published": "on",
    }
    for prefix in ("objectives", "milestones", "contacts"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:initiatives_initiative_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    body = Initiative.objects.get(slug="safe-page").body_en
    assert body == '<p>Kept</p><a rel="noopener noreferrer">link</a>'


def test_content_editor_works_in_admin_with_translation_tabs_and_inlines(client):
    initiative = InitiativeFactory()
    ContactFactory(initiative=initiative)
    client.force_login(content_editor())
    changelist = client.get(
        reverse("admin:initiatives_initiative_changelist"), {"q": "Initiative", "status": "active"}
    )
    assert changelist.status_code == 200
    add = client.get(reverse("admin:initiatives_initiative_add")).content.decode()
    for field in ("id_title_en", "id_title_fr", "id_title_es", "id_title_ar", "id_body_ar"):
        assert field in add
    for prefix in ("objectives-TOTAL_FORMS", "milestones-TOTAL_FORMS", "contacts-TOTAL_FORMS"):
        assert prefix in add
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "initiatives", "model_name": "initiative", "field_name": "partners"},
    )
    assert autocomplete.status_code == 200


def test_home_page_shows_featured_initiatives(client):
    InitiativeFactory(title_en="On the home page", is_featured=True)
    InitiativeFactory(title_en="Not featured")
    html = client.get("/en/").content.decode()
    assert "On the home page" in html
    assert "Not featured" not in html


def test_next_page_link_keeps_the_filters(client):
    theme = ThemeFactory(slug="education")
    for n in range(31):
        InitiativeFactory(title_en=f"School {n:02}", themes=[theme])
    response = client.get(list_url(), {"theme": "education"})
    assert len(response.context["initiatives"]) == 30
    assert 'href="?theme=education&amp;page=2" rel="next"' in response.content.decode()
    assert titles(client.get(list_url(), {"theme": "education", "page": 2})) == ["School 30"]
