import datetime

import pytest

from resources.models import Resource, ResourceVersion, Topic
from resources.services import resource_update_search_vector
from tests.initiatives.factories import (
    CountryFactory,
    InitiativeFactory,
    PartnerFactory,
    RegionFactory,
)

from .factories import (
    LinkVersionFactory,
    ResourceFactory,
    TopicFactory,
    VersionFactory,
    resource_curator,
)

pytestmark = pytest.mark.django_db

LIST = "/en/resources/"


def titles(response):
    return [resource.title for resource in response.context["resources"]]


def facet(response, name):
    return {choice["value"]: choice["count"] for choice in response.context["facets"][name]}


def test_the_library_lists_published_resources_newest_first(client):
    ResourceFactory(title_en="Old", publication_date=datetime.date(2015, 1, 1))
    ResourceFactory(title_en="New", publication_date=datetime.date(2021, 1, 1))
    ResourceFactory(title_en="Draft", status=Resource.Status.DRAFT)
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["New", "Old"]


def test_a_search_ranks_and_highlights_without_letting_markup_through(client):
    ResourceFactory(title_en="Case management guidance", summary_en="<script>x</script> case")
    ResourceFactory(title_en="Other", summary_en="About case management, briefly.")
    ResourceFactory(title_en="Unrelated")
    response = client.get(LIST, {"q": "case management"})
    assert titles(response) == ["Case management guidance", "Other"]
    html = response.content.decode()
    assert "<mark>case</mark>" in html
    assert "<script>x" not in html
    assert response.context["sort"] == "relevance"
    # The sort menu's first choice is empty, so a new search from a sorted page ranks.
    assert client.get(LIST, {"q": "case", "sort": ""}).context["sort"] == "relevance"


def test_facets_narrow_each_other_and_count_given_the_other_filters(client):
    health, education = TopicFactory(slug="health"), TopicFactory(slug="education")
    ResourceFactory(title_en="A", type="report", topics=[health])
    ResourceFactory(title_en="B", type="report", topics=[education])
    ResourceFactory(title_en="C", type="toolkit", topics=[health])
    response = client.get(LIST, {"type": "report", "topic": "health"})
    assert titles(response) == ["A"]
    # Counts of a facet ignore its own choice: two reports, a toolkit, among health.
    assert facet(response, "type") == {"report": 1, "toolkit": 1}
    assert facet(response, "topic") == {"health": 1, "education": 1}


def test_choices_within_a_facet_widen_the_results(client):
    ResourceFactory(title_en="A", type="report")
    ResourceFactory(title_en="B", type="toolkit")
    ResourceFactory(title_en="C", type="video")
    response = client.get(LIST, {"type": ["report", "toolkit"], "sort": "title"})
    assert titles(response) == ["A", "B"]


def test_language_year_initiative_region_and_key_filters(client):
    initiative = InitiativeFactory(slug="gle")
    region = RegionFactory(slug="east-africa")
    kenya = CountryFactory(region=region)
    match = ResourceFactory(
        title_en="Match",
        publication_date=datetime.date(2019, 3, 1),
        is_key=True,
        initiatives=[initiative],
    )
    match.countries.set([kenya])
    LinkVersionFactory(resource=match, language="fr")
    ResourceFactory(title_en="Too old", publication_date=datetime.date(2010, 1, 1))
    LinkVersionFactory(resource=ResourceFactory(title_en="English only"), language="en")
    query = {
        "language": "fr",
        "year_from": "2018",
        "year_to": "2020",
        "initiative": "gle",
        "region": "east-africa",
        "key": "true",
    }
    response = client.get(LIST, query)
    assert titles(response) == ["Match"]
    assert facet(response, "language") == {"fr": 1}
    assert response.context["facets"]["key"] == 1
    assert facet(response, "region") == {"east-africa": 1}


def test_an_unknown_choice_or_a_mistyped_year_does_not_break_the_page(client):
    ResourceFactory(title_en="A")
    response = client.get(LIST, {"year_from": "soon", "topic": "nope", "sort": "x"})
    assert response.status_code == 200
    assert titles(response) == ["A"]


def test_sorting_by_title_in_the_page_language(client):
    ResourceFactory(title_en="Zebra", title_fr="Abeille")
    ResourceFactory(title_en="Apple", title_fr="Pomme")
    response = client.get("/fr/resources/", {"sort": "title"})
    assert titles(response) == ["Abeille", "Pomme"]


def make_library(count):
    """count resources with topics, initiatives, regions and versions, quickly."""
    topics = [TopicFactory() for _ in range(3)]
    initiative = InitiativeFactory()
    region = RegionFactory()
    resources = Resource.objects.bulk_create(
        Resource(
            title_en=f"Guide {n}",
            slug=f"guide-{n}",
            summary_en="Coordination guidance.",
            type="guidance",
            status="published",
            publication_date=datetime.date(2000 + n % 20, 1, 1),
        )
        for n in range(count)
    )
    Resource.topics.through.objects.bulk_create(
        Resource.topics.through(resource=resource, topic=topic)
        for resource in resources
        for topic in topics[: 1 + resource.pk % 3]
    )
    Resource.initiatives.through.objects.bulk_create(
        Resource.initiatives.through(resource=resource, initiative=initiative)
        for resource in resources
    )
    Resource.regions.through.objects.bulk_create(
        Resource.regions.through(resource=resource, region=region) for resource in resources
    )
    ResourceVersion.objects.bulk_create(
        ResourceVersion(resource=resource, language=language, external_url="https://x.org/")
        for resource in resources
        for language in ("en", "fr")
    )
    for resource in resources:
        resource_update_search_vector(resource.pk)
    return topics


# The index is current (1), the page's resources and their versions (2); their topics
# come from the index.
QUERIES = 3
# After a change, the index is read again: the generation, the published resources,
# their versions, their links to topics, initiatives, regions and countries, and the
# topics, initiatives and regions the facets offer.
REBUILD = 10


@pytest.mark.parametrize("size", [5, 200])
def test_the_library_costs_the_same_queries_however_large(client, django_assert_num_queries, size):
    topics = make_library(size)
    with django_assert_num_queries(QUERIES + REBUILD):
        client.get(LIST)
    with django_assert_num_queries(QUERIES):
        client.get(LIST)
    # The topic's slug is checked; the words are matched, then the few results ranked.
    with django_assert_num_queries(QUERIES + 3):
        client.get(LIST, {"q": "guide", "topic": topics[0].slug, "language": "fr"})
    # The same words again: their matches are remembered, and newest first needs no ranks.
    with django_assert_num_queries(QUERIES):
        client.get(LIST, {"q": "guide", "sort": "newest"})
    # Other words, newest first: matched, not ranked.
    with django_assert_num_queries(QUERIES + 1):
        client.get(LIST, {"q": "coordination", "sort": "newest"})
    # The order by title is read once per language.
    with django_assert_num_queries(QUERIES + 1):
        client.get(LIST, {"sort": "title"})
    with django_assert_num_queries(QUERIES):
        client.get(LIST, {"sort": "title", "language": "fr"})


def test_the_detail_page_shows_versions_citation_and_related(client):
    topic = TopicFactory()
    initiative = InitiativeFactory(title_en="Government Leadership & Engagement")
    publisher = PartnerFactory(name_en="Global Protection Cluster", acronym_en="")
    resource = ResourceFactory(
        title_en="Engaging with States",
        topics=[topic],
        initiatives=[initiative],
        publishers=[publisher],
        publication_date=datetime.date(2019, 1, 1),
    )
    VersionFactory(resource=resource, page_count=6, file_size=1_258_291)
    ResourceFactory(title_en="A neighbour", topics=[topic])
    response = client.get(f"/en/resources/{resource.slug}/")
    html = response.content.decode()
    assert "English · PDF · 6 pages · 2019 · 1.2\xa0MB" in html
    assert "Global Protection Cluster (2019). <cite>Engaging with States</cite>." in html
    assert "A neighbour" in html
    assert "Government Leadership &amp; Engagement" in html
    assert "Downloaded" not in html


def test_drafts_are_not_found_by_the_public_but_seen_by_curators(client):
    draft = ResourceFactory(status=Resource.Status.DRAFT)
    LinkVersionFactory(resource=draft)
    assert client.get(f"/en/resources/{draft.slug}/").status_code == 404
    assert client.get(f"/en/resources/{draft.slug}/download/en/").status_code == 404
    client.force_login(resource_curator())
    response = client.get(f"/en/resources/{draft.slug}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"


def test_downloading_counts_and_redirects_and_staff_see_the_count(client):
    version = LinkVersionFactory(external_url="https://example.org/guide.pdf")
    url = f"/en/resources/{version.resource.slug}/download/en/"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "https://example.org/guide.pdf"
    version.resource.refresh_from_db()
    assert version.resource.download_count == 2
    assert client.get(f"/en/resources/{version.resource.slug}/download/ar/").status_code == 404
    client.force_login(resource_curator())
    assert "Downloaded 2 times" in client.get(version.resource.get_absolute_url()).content.decode()


def test_the_library_is_in_arabic_right_to_left(client):
    ResourceFactory(title_en="Only in English")
    html = client.get("/ar/resources/").content.decode()
    assert 'dir="rtl"' in html
    assert 'lang="en" dir="ltr"' in html


def test_topics_keep_their_translated_names(client):
    Topic.objects.create(name_en="Education", name_fr="Éducation", slug="education")
    assert Topic.objects.get(slug="education").name_fr == "Éducation"
