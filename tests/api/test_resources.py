"""The library through the API: what it lists, in which language, found and counted as
the library's page does, and walked page by page."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from resources.models import Resource
from tests.initiatives.factories import (
    CountryFactory,
    InitiativeFactory,
    PartnerFactory,
    RegionFactory,
)
from tests.resources.factories import (
    LinkVersionFactory,
    ResourceFactory,
    TopicFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/resources/"


def test_a_resource_comes_with_its_facts_links_and_versions_never_its_text(api):
    topic = TopicFactory(name_en="Case management", name_fr="Gestion de cas")
    initiative = InitiativeFactory(title_en="MHPSS")
    draft_initiative = InitiativeFactory(is_published=False)
    region = RegionFactory(name_en="West and Central Africa")
    publisher = PartnerFactory(name_en="UNICEF", acronym_en="UNICEF")
    resource = ResourceFactory(
        title_en="Case management toolkit",
        title_fr="Boîte à outils de gestion de cas",
        summary_en="How to manage cases.",
        is_key=True,
        topics=[topic],
        initiatives=[initiative, draft_initiative],
        regions=[region],
        publishers=[publisher],
    )
    resource.countries.set([CountryFactory(iso_code="SN", name_en="Senegal", region=region)])
    VersionFactory(
        resource=resource, language="en", page_count=12, file_size=2048, extracted_text="secret"
    )
    LinkVersionFactory(resource=resource, language="fr")

    data = api(f"{LIST}{resource.pk}/")

    assert data["title"] == "Case management toolkit"
    assert data["type"] == "guidance"
    assert data["is_key"] is True
    assert data["is_demo"] is False
    assert data["publication_date"] == "2019-01-01"
    assert data["topics"] == [{"slug": topic.slug, "name": "Case management"}]
    # A draft initiative is not shown, as on the resource's page.
    assert [i["slug"] for i in data["initiatives"]] == [initiative.slug]
    assert data["countries"] == [{"iso_code": "SN", "name": "Senegal"}]
    assert data["publishers"][0]["name"] == "UNICEF"
    assert data["short_url"] == f"http://testserver/r/{resource.pk}/"
    assert data["url"] == f"http://testserver/en/resources/{resource.slug}/"
    english, french = data["versions"]
    assert english["language"] == "en" and english["format"] == "pdf"
    assert english["kind"] == "full"
    assert english["pages"] == 12 and english["size"] == 2048
    assert english["download_url"].endswith(f"/resources/{resource.slug}/download/en/")
    assert french["format"] == "link" and french["size"] is None
    assert "secret" not in str(data)


def test_texts_come_in_the_language_asked_for_else_in_english(api, client):
    resource = ResourceFactory(title_en="Guidance", title_fr="Orientations", summary_en="Text")

    french = api(f"{LIST}{resource.pk}/", {"lang": "fr"})
    assert french["title"] == "Orientations"
    assert french["summary"] == "Text"  # untranslated: English, as the page shows it
    assert french["url"] == f"http://testserver/fr/resources/{resource.slug}/"
    assert client.get(f"{LIST}{resource.pk}/", {"lang": "ar"})["Content-Language"] == "ar"
    by_header = api(f"{LIST}{resource.pk}/", accept_language="fr")
    assert by_header["title"] == "Orientations"
    assert api(f"{LIST}{resource.pk}/", {"lang": "en"}, accept_language="fr")["title"] == (
        "Guidance"
    )


def test_drafts_never_appear_and_demo_resources_are_flagged(api):
    published = ResourceFactory()
    draft = ResourceFactory(status=Resource.Status.DRAFT, title_en="Unfinished draft")
    demo = ResourceFactory(is_demo=True)

    data = api(LIST)

    assert {r["id"] for r in data["results"]} == {published.pk, demo.pk}
    assert next(r for r in data["results"] if r["id"] == demo.pk)["is_demo"] is True
    assert data["count"] == 2
    api(f"{LIST}{draft.pk}/", status=404)
    assert api(LIST, {"q": "unfinished"})["results"] == []


def test_words_facets_and_language_filter_as_the_library_does(api):
    topic = TopicFactory()
    match = ResourceFactory(title_en="Mental health guidance", type="report", topics=[topic])
    VersionFactory(resource=match, language="fr")
    in_summary = ResourceFactory(
        title_en="Field notes",
        summary_en="Notes on mental health in emergencies.",
        publication_date=datetime.date(2024, 1, 1),
    )
    ResourceFactory(title_en="Budget template", type="tool")

    found = api(LIST, {"q": "mental health", "facets": "1"})
    # Relevance: the title that holds the words before the summary that does.
    assert [r["id"] for r in found["results"]] == [match.pk, in_summary.pk]
    assert "<mark>" in found["results"][1]["snippet"]
    types = {choice["value"]: choice["count"] for choice in found["facets"]["type"]}
    assert types == {"report": 1, "guidance": 1}
    assert found["facets"]["year"] == [{"value": 2024, "count": 1}, {"value": 2019, "count": 1}]

    assert [r["id"] for r in api(LIST, {"type": "report"})["results"]] == [match.pk]
    assert [r["id"] for r in api(LIST, {"topic": topic.slug})["results"]] == [match.pk]
    assert [r["id"] for r in api(LIST, {"language": "fr"})["results"]] == [match.pk]
    assert [r["id"] for r in api(LIST, {"year": "2024"})["results"]] == [in_summary.pk]
    either = api(LIST, {"type": ["report", "tool"]})
    assert either["count"] == 2
    assert "facets" not in either


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year_from": "abc"},
        {"type": "poem"},
        {"language": "xx"},
        {"topic": "no-such-topic"},
        {"sort": "random"},
        {"lang": "xx"},
        {"cursor": "%%%"},
        {"page_size": "many"},
        {"page_size": "0"},
        {"colour": "blue"},
        {"q": "child\x00protection"},
        {"page_size": "-1"},
    ],
)
def test_bad_parameters_are_refused_with_a_message_never_a_server_error(api, query):
    ResourceFactory()
    assert set(api(LIST, query, status=400)) == set(query)


def test_a_huge_page_size_gives_at_most_a_hundred(api):
    ResourceFactory.create_batch(3)
    assert len(api(LIST, {"page_size": "100000000000000000000"})["results"]) == 3


@pytest.mark.parametrize(
    "query",
    [
        {"year_from": "99999999999"},
        {"year_to": "-5"},
        {"q": "!!! & | <-> ''"},
        {"q": "x" * 2000},
        {"key": "0"},
    ],
)
def test_odd_but_valid_parameters_give_an_answer(api, query):
    ResourceFactory()
    assert isinstance(api(LIST, query)["results"], list)


def cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def walk(api, query):
    seen, data = [], api(LIST, query)
    while True:
        seen += [r["id"] for r in data["results"]]
        if not data["next"]:
            return seen
        data = api(data["next"].removeprefix("http://testserver"))


def test_the_cursor_walks_every_resource_exactly_once(api):
    dated = [ResourceFactory(publication_date=datetime.date(2015 + n % 4, 1, 1)) for n in range(9)]
    undated = ResourceFactory.create_batch(3, publication_date=None)

    newest = walk(api, {"page_size": "4"})

    assert sorted(newest) == sorted(r.pk for r in dated + undated)
    assert newest[-3:] == sorted((r.pk for r in undated), reverse=True)
    by_title = walk(api, {"page_size": "5", "sort": "title"})
    assert sorted(by_title) == sorted(newest) and by_title != newest


def test_a_resource_published_between_two_pages_moves_nothing(api):
    resources = [ResourceFactory(publication_date=datetime.date(2019, 1, n)) for n in range(1, 6)]
    first = api(LIST, {"page_size": "2"})
    ResourceFactory(publication_date=datetime.date(2025, 1, 1))
    rest = walk(api, {"page_size": "2", "cursor": cursor_of(first["next"])})
    ids = [r["id"] for r in first["results"]] + rest
    assert ids == [r.pk for r in reversed(resources)]


def test_a_cursor_of_one_order_is_refused_in_another(client, api):
    ResourceFactory.create_batch(3, title_en="Guidance note")
    cursor = cursor_of(api(LIST, {"page_size": "1"})["next"])
    response = client.get(LIST, {"page_size": "1", "sort": "title", "cursor": cursor})
    assert response.status_code == 400
    altered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get(LIST, {"cursor": altered}).status_code == 400
