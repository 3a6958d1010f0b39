import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from resources.models import Resource
from tests.initiatives.factories import InitiativeFactory

from .factories import ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_feed(response):
    """The feed's root after checking what every Atom reader relies on."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link.startswith("http://testserver/")
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://testserver/")
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "published"):
            assert entry.find(f"{ATOM}{required}").text, required
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith("http://testserver/"), href
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    ids = [entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    return root


def entry_titles(root):
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def published(title, days_ago, **kwargs):
    resource = ResourceFactory(title_en=title, **kwargs)
    Resource.objects.filter(pk=resource.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return resource


def test_the_feed_lists_newly_published_resources_newest_first_without_drafts(client):
    published("Older guide", 10)
    newest = published("Newest toolkit", 1, summary_en="Toolkit summary")
    ResourceFactory(title_en="Secret draft", status=Resource.Status.DRAFT)
    root = parse_feed(client.get("/en/resources/feed/"))
    assert entry_titles(root) == ["Newest toolkit", "Older guide"]
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").text == "Toolkit summary"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver" + newest.get_absolute_url()
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://testserver/en/resources/feed/"
    )


def test_the_feed_is_in_the_language_of_its_address(client):
    published("Localisation toolkit", 1, title_fr="Boîte à outils localisation")
    published("Only in English", 2)
    root = parse_feed(client.get("/fr/resources/feed/"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert entry_titles(root) == ["Boîte à outils localisation", "Only in English"]
    link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link.startswith("http://testserver/fr/resources/")
    english = parse_feed(client.get("/en/resources/feed/"))
    # The same resource has the same id in every language's feed.
    assert english.find(f"{ATOM}entry/{ATOM}id").text == root.find(f"{ATOM}entry/{ATOM}id").text


def test_a_topic_feed_holds_only_that_topics_published_resources(client):
    topic, other = TopicFactory(slug="localisation", name_en="Localisation"), TopicFactory()
    published("On localisation", 2, topics=[topic])
    published("On something else", 1, topics=[other])
    ResourceFactory(title_en="Draft on localisation", status="draft", topics=[topic])
    root = parse_feed(client.get("/en/resources/feed/topic/localisation/"))
    assert entry_titles(root) == ["On localisation"]
    assert "Localisation" in root.find(f"{ATOM}title").text
    categories = [c.get("term") for c in root.findall(f"{ATOM}entry/{ATOM}category")]
    assert categories == ["Localisation"]


def test_an_initiative_feed_holds_only_that_initiatives_published_resources(client):
    initiative = InitiativeFactory(slug="niaf", title_en="NIAF", is_published=True)
    published("NIAF guidance", 3, initiatives=[initiative])
    published("Unrelated", 1)
    ResourceFactory(title_en="NIAF draft", status="draft", initiatives=[initiative])
    root = parse_feed(client.get("/es/resources/feed/initiative/niaf/"))
    assert entry_titles(root) == ["NIAF guidance"]
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "http://testserver/es/initiatives/niaf/"
    )


def test_feeds_of_unknown_or_draft_things_are_not_found(client):
    InitiativeFactory(slug="draft-initiative", is_published=False)
    assert client.get("/en/resources/feed/topic/nope/").status_code == 404
    assert client.get("/en/resources/feed/initiative/draft-initiative/").status_code == 404


def test_an_empty_feed_is_still_valid(client):
    root = parse_feed(client.get("/ar/resources/feed/"))
    assert root.findall(f"{ATOM}entry") == []


@pytest.mark.parametrize("size", [2, 20])
def test_feeds_run_a_constant_number_of_queries(client, size, django_assert_num_queries):
    topic = TopicFactory(slug="t")
    initiative = InitiativeFactory(slug="i", is_published=True)
    for n in range(size):
        published(f"Resource {n}", n, topics=[topic], initiatives=[initiative])
    # The first request reads the Site row, which Django then keeps for the process.
    client.get("/en/resources/feed/")
    with django_assert_num_queries(2):  # resources, their topics
        assert len(entry_titles(parse_feed(client.get("/en/resources/feed/")))) == size
    with django_assert_num_queries(3):  # the topic, resources, their topics
        parse_feed(client.get("/en/resources/feed/topic/t/"))
    with django_assert_num_queries(3):
        parse_feed(client.get("/en/resources/feed/initiative/i/"))


def test_the_resource_pages_point_to_their_feeds(client):
    topic = TopicFactory(slug="localisation")
    initiative = InitiativeFactory(slug="niaf", is_published=True)
    resource = published("Guide", 1, topics=[topic], initiatives=[initiative])
    page = client.get("/en/resources/", {"topic": "localisation", "initiative": "niaf"})
    html = page.content.decode()
    for url in (
        "/en/resources/feed/",
        "/en/resources/feed/topic/localisation/",
        "/en/resources/feed/initiative/niaf/",
    ):
        assert 'type="application/atom+xml" title="' in html
        assert f'href="{url}"' in html
    detail = client.get(resource.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in detail and 'href="/en/resources/feed/"' in detail
