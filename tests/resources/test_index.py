"""The facet index follows every change to the library, committed or not, and only those."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from resources import services
from resources.index import library_index
from resources.models import LibraryGeneration, Resource
from tests.initiatives.factories import CountryFactory, InitiativeFactory, RegionFactory

from .factories import LinkVersionFactory, ResourceFactory, TopicFactory

LIST = "/en/resources/"


def facet(client, name, params=None):
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    if name == "key":
        return response.context["facets"]["key"]
    return {choice["value"]: choice["count"] for choice in response.context["facets"][name]}


def generation():
    return LibraryGeneration.objects.get(pk=1).generation


@pytest.mark.django_db(transaction=True)
def test_each_committed_change_the_index_reads_moves_the_generation_once():
    LibraryGeneration.objects.get_or_create(pk=1)  # a flush may have emptied the table
    before = generation()
    resource = ResourceFactory(title_en="First")
    assert generation() > before

    before = generation()
    with transaction.atomic():  # one transaction of many rows: one move, at commit
        for number in range(3):
            ResourceFactory(title_en=f"Batch {number}")
        assert generation() == before
    assert generation() > before

    for change in (
        lambda: resource.topics.add(TopicFactory()),
        lambda: LinkVersionFactory(resource=resource, language="fr"),
        lambda: services.resource_unpublish(actor=None, resource_ids=[resource.pk]),
        lambda: services.resource_mark_key(actor=None, resource_ids=[resource.pk]),
    ):
        before = generation()
        change()
        assert generation() > before

    # What the index does not read leaves it alone: downloads and the search words.
    before = generation()
    services.resource_register_download(resource_id=resource.pk)
    services.resource_update_search_vector(resource.pk)
    assert generation() == before


@pytest.mark.django_db(transaction=True)
def test_an_edit_the_library_does_not_show_moves_nothing_and_one_it_shows_does(
    client, django_assert_num_queries
):
    LibraryGeneration.objects.get_or_create(pk=1)
    initiative = InitiativeFactory(slug="gle", title_en="Leadership")
    resource = ResourceFactory(title_en="Guide", initiatives=[initiative])
    assert facet(client, "initiative") == {"gle": 1}
    index, before = library_index(), generation()

    initiative.body_en = "<p>A new paragraph about the initiative.</p>"
    initiative.save()
    resource.download_count = 3
    resource.save()  # every column written again, none of them changed
    assert generation() == before
    with django_assert_num_queries(1):  # the generation alone: no rebuild
        assert library_index() is index

    initiative.title_en = "Government leadership"
    initiative.save()
    assert generation() > before
    labels = [choice["label"] for choice in client.get(LIST).context["facets"]["initiative"]]
    assert labels == ["Government leadership"]
    assert library_index() is not index


@pytest.mark.django_db
def test_inside_a_transaction_only_what_the_library_shows_is_read_again():
    initiative = InitiativeFactory()
    ResourceFactory(initiatives=[initiative])
    index = library_index()
    initiative.body_en = "<p>Edited.</p>"
    initiative.save()
    assert library_index() is index
    initiative.is_published = False
    initiative.save()
    assert library_index() is not index


@pytest.mark.django_db(transaction=True)
def test_the_list_shows_a_committed_change_on_the_next_page_load(client):
    topic = TopicFactory(slug="education")
    resource = ResourceFactory(title_en="Learning", topics=[topic])
    assert facet(client, "topic") == {"education": 1}
    ResourceFactory(title_en="Schools", topics=[topic])
    assert facet(client, "topic") == {"education": 2}
    services.resource_unpublish(actor=None, resource_ids=[resource.pk])
    assert facet(client, "topic") == {"education": 1}
    topic.name_en = "Schooling"
    topic.save()
    labels = [choice["label"] for choice in client.get(LIST).context["facets"]["topic"]]
    assert labels == ["Schooling"]


@pytest.mark.django_db(transaction=True)
def test_a_country_moved_to_another_region_moves_its_resources(client):
    east = RegionFactory(slug="east", name_en="East")
    west = RegionFactory(slug="west", name_en="West")
    country = CountryFactory(region=east)
    resource = ResourceFactory()
    resource.countries.add(country)
    assert facet(client, "region") == {"east": 1}
    country.region = west
    country.save()
    assert facet(client, "region") == {"west": 1}


@pytest.mark.django_db
def test_a_transaction_sees_its_own_changes_and_a_rollback_leaves_no_trace(client):
    ResourceFactory(title_en="Kept", is_key=True)
    assert facet(client, "key") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        ResourceFactory(title_en="Rolled back", is_key=True)
        assert facet(client, "key") == 2  # before any commit
        raise RuntimeError
    assert facet(client, "key") == 1
    assert [r.title for r in client.get(LIST).context["resources"]] == ["Kept"]


@pytest.mark.django_db
def test_the_index_is_read_again_only_when_the_library_changed(django_assert_num_queries):
    ResourceFactory()
    first = library_index()
    assert library_index() is first
    with django_assert_num_queries(1):
        library_index()
    Resource.objects.filter(pk=first.ids[0]).update(download_count=5)
    assert library_index() is first
    ResourceFactory()
    assert library_index() is not first
    assert library_index().size == 2


@pytest.mark.django_db
def test_drafts_and_unknown_ids_are_not_positions():
    published = ResourceFactory()
    draft = ResourceFactory(status=Resource.Status.DRAFT)
    index = library_index()
    assert index.lookup([published.pk, draft.pk, 10**9, -1]).tolist() == [0, -1, -1, -1]


@pytest.mark.django_db
@pytest.mark.parametrize("tier_directly", [0, 500], ids=["from the indexes", "from documents"])
def test_relevance_puts_titles_then_summaries_then_file_text_and_the_newest_first(
    client, monkeypatch, tier_directly
):
    monkeypatch.setattr("resources.filters.TIER_DIRECTLY", tier_directly)
    in_text = ResourceFactory(title_en="Annual report", summary_en="Figures.")
    LinkVersionFactory(resource=in_text, extracted_text="Water points and sanitation.")
    services.resource_update_search_vector(in_text.pk)
    ResourceFactory(
        title_en="Hygiene kits",
        summary_en="Water and soap for families.",
        publication_date=datetime.date(2024, 1, 1),
    )
    ResourceFactory(title_en="Water in camps", publication_date=datetime.date(2015, 1, 1))
    ResourceFactory(title_en="Water trucking", publication_date=datetime.date(2020, 1, 1))
    ResourceFactory(title_en="Water draft", status=Resource.Status.DRAFT)
    ResourceFactory(title_en="Sanitation", summary_en="Latrines and water.")
    found = client.get(LIST, {"q": "water"}).context["resources"]
    assert [r.title for r in found] == [
        "Water trucking",
        "Water in camps",
        "Hygiene kits",
        "Sanitation",
        "Annual report",
    ]
    # One word in the title and the other in the summary beat both in the file's text.
    found = client.get(LIST, {"q": "water sanitation"}).context["resources"]
    assert [r.title for r in found] == ["Sanitation", "Annual report"]


@pytest.mark.django_db
def test_remembered_searches_end_with_the_library_they_came_from(client):
    ResourceFactory(title_en="Water points")
    assert client.get(LIST, {"q": "water"}).context["paginator"].count == 1
    ResourceFactory(title_en="Water trucking")
    assert client.get(LIST, {"q": "water"}).context["paginator"].count == 2


@pytest.mark.django_db
def test_when_titles_fill_the_page_the_summaries_wait_for_the_next(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("resources.filters.TIER_DIRECTLY", 0)
    for year in range(2000, 2025):
        ResourceFactory(title_en=f"Water {year}", publication_date=datetime.date(year, 1, 1))
    ResourceFactory(title_en="Soap", summary_en="Water and soap.")
    client.get(LIST)  # the index is read
    with django_assert_num_queries(4):  # index current, words with titles, page (2)
        first = client.get(LIST, {"q": "water"}).context["resources"]
    assert [r.title for r in first] == [f"Water {year}" for year in range(2024, 2004, -1)]
    with django_assert_num_queries(4):  # index current, headings, page (2)
        second = client.get(LIST, {"q": "water", "page": 2}).context["resources"]
    titles = [r.title for r in second]
    assert titles == [f"Water {year}" for year in range(2004, 1999, -1)] + ["Soap"]


@pytest.mark.django_db
def test_a_search_narrowed_by_facets_to_a_few_resources_reads_no_titles_for_the_library(
    client, monkeypatch
):
    monkeypatch.setattr("resources.filters.TIER_DIRECTLY", 1)
    ResourceFactory(title_en="Water report", type="report")
    ResourceFactory(title_en="Water kits", type="toolkit")
    ResourceFactory(title_en="Sanitation", summary_en="Water.", type="toolkit")

    def search(params):
        with CaptureQueriesContext(connection) as queries:
            found = client.get(LIST, params).context["resources"]
        reads_titles = any("resources_search_titles" in query["sql"] for query in queries)
        return [r.title for r in found], reads_titles

    # Two toolkits: more than are put in tiers directly, so the titles' index answers.
    assert search({"q": "water", "type": "toolkit"}) == (["Water kits", "Sanitation"], True)
    # One report: its own document tells its tier.
    assert search({"q": "report", "type": "report"}) == (["Water report"], False)


@pytest.mark.django_db(transaction=True)
def test_the_search_documents_have_their_own_generation_moved_by_real_changes_only():
    """lexicon.py reads the frequent words' bitmaps again when this number moves."""

    def searched():
        row = LibraryGeneration.objects.filter(pk=2).first()
        return row.generation if row else None

    resource = ResourceFactory(title_en="Guide", summary_en="On coordination.")
    before, facets = searched(), generation()
    services.resource_update_search_vector(resource.pk)  # the same words: nothing moves
    assert searched() == before
    resource.summary_en = "On localisation."
    resource.save()
    services.resource_update_search_vector(resource.pk)
    assert searched() > before
    assert generation() == facets  # the facet index is not read again for it


@pytest.mark.django_db
def test_a_results_topics_come_from_the_index_in_order_translated_and_current(client):
    education = TopicFactory(name_en="Education", name_fr="Éducation", order=2)
    mhpss = TopicFactory(name_en="MHPSS", name_fr="SMSPS", order=1)
    unused = TopicFactory(name_en="Unused", order=0)
    resource = ResourceFactory(title_en="Schools", topics=[education, mhpss])
    ResourceFactory(title_en="Untagged")

    def topics_shown(language="en"):
        response = client.get(f"/{language}/resources/")
        tags = {
            shown.title: [topic.name for topic in shown.listed_topics]
            for shown in response.context["resources"]
        }
        return tags, response.content.decode()

    tags, html = topics_shown()
    assert tags == {"Schools": ["MHPSS", "Education"], "Untagged": []}
    assert html.index(">MHPSS</span>") < html.index(">Education</span>")
    assert unused.name_en not in html
    with translation.override("fr"):
        assert topics_shown("fr")[0]["Schools"] == ["SMSPS", "Éducation"]

    # A curator's rename and removal show on the next request.
    mhpss.name_en = "Mental health"
    mhpss.save()
    resource.topics.remove(education)
    tags, html = topics_shown()
    assert tags["Schools"] == ["Mental health"]
    assert ">Education</span>" not in html


@pytest.mark.django_db
def test_newest_first_puts_ties_by_the_latest_added_and_undated_resources_last(client):
    undated = ResourceFactory(title_en="Undated", publication_date=None, type="report")
    older = ResourceFactory(title_en="Older", publication_date=datetime.date(1999, 12, 31))
    first = ResourceFactory(title_en="Same day, first", publication_date=datetime.date(2020, 5, 1))
    second = ResourceFactory(
        title_en="Same day, second", publication_date=datetime.date(2020, 5, 1), is_key=True
    )
    response = client.get(LIST, {"sort": "newest"})
    shown = [resource.title for resource in response.context["resources"]]
    assert shown == [second.title, first.title, older.title, undated.title]
    years = {choice["value"]: choice["count"] for choice in response.context["facets"]["year"]}
    assert years == {2020: 2, 1999: 1}
    assert response.context["facets"]["key"] == 1
    assert facet(client, "type")["report"] == Resource.objects.filter(type="report").count()
