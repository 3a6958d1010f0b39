import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.http import QueryDict

from initiatives import seed as initiatives_seed
from resources import seed
from resources.filters import ResourceFilter
from resources.models import Resource, ResourceVersion

pytestmark = pytest.mark.django_db

TOOLKIT = "inter-agency-toolkit-localisation-humanitarian-coordination"
ENGAGING = "engaging-with-states-in-conflict-settings"


@pytest.fixture
def initiatives():
    initiatives_seed.load()


def test_the_two_named_resources_are_loaded_and_linked_to_their_initiative(initiatives, client):
    seed.load(demo=False)
    engaging = Resource.objects.get(slug=ENGAGING)
    assert engaging.title.startswith("Engaging with States in Conflict Settings")
    assert (engaging.year, engaging.type, engaging.is_key) == (2019, "guidance", False)
    assert "Six pages" in engaging.summary
    assert [i.slug for i in engaging.initiatives.all()] == ["government-leadership-engagement"]
    toolkit = Resource.objects.get(slug=TOOLKIT)
    assert toolkit.title_en == "Inter-Agency Toolkit on Localisation in Humanitarian Coordination"
    assert (toolkit.type, toolkit.is_key, toolkit.status) == ("toolkit", True, "published")
    assert [i.slug for i in toolkit.initiatives.all()] == ["government-leadership-engagement"]
    assert {p.slug for p in toolkit.publishers.all()} == {
        "global-cp-aor",
        "global-education-cluster",
    }
    assert list(Resource.objects.search("armed violence", "en")) == [engaging]
    assert list(Resource.objects.search("localisation toolkit", "fr")) == [toolkit]
    for resource in (engaging, toolkit):
        assert client.get(resource.get_absolute_url()).status_code == 200
    assert Resource.objects.count() == 2
    assert not Resource.objects.filter(is_demo=True).exists()


def test_demo_resources_are_marked_and_spread_across_every_facet(initiatives):
    seed.load(demo=True)
    demo = Resource.objects.filter(is_demo=True)
    assert demo.count() == seed.DEMO_COUNT
    for resource in demo:
        assert resource.slug.startswith("demo-")
        assert resource.title_en.startswith("[Demo] ")
        assert resource.versions.exists()
        for version in resource.versions.all():
            assert version.external_url.startswith("https://example.org/cpaor-demo/")
    facets = ResourceFilter(QueryDict(""), queryset=Resource.objects.published()).facets()
    assert len(facets["type"]) >= 10
    assert {choice["value"] for choice in facets["language"]} == {"en", "fr", "es", "ar"}
    assert len(facets["year"]) >= 8
    assert len(facets["topic"]) == 8
    assert len(facets["initiative"]) == 9
    assert len(facets["region"]) == 8
    assert facets["key"] >= 3
    # Demo titles are translated, and found by the search in that language.
    assert Resource.objects.search("localización", "es").filter(is_demo=True).exists()
    assert Resource.objects.search("توطين", "ar").filter(is_demo=True).exists()


def test_loading_twice_creates_nothing_and_keeps_a_curators_edits(initiatives):
    seed.load(demo=True)
    count = Resource.objects.count()
    Resource.objects.filter(slug=ENGAGING).update(title_en="Edited by a curator")
    Resource.objects.filter(slug="demo-001").update(title_en="Edited demo")
    seed.load(demo=True)
    assert Resource.objects.count() == count
    assert Resource.objects.get(slug=ENGAGING).title_en == "Edited by a curator"
    assert Resource.objects.get(slug="demo-001").title_en == "Edited demo"


def test_the_command_leaves_demo_out_when_told_and_can_remove_it(monkeypatch):
    call_command("load_starting_content", "--no-demo")
    assert not Resource.objects.filter(is_demo=True).exists()
    monkeypatch.setenv("CPAOR_DEMO_CONTENT", "0")
    call_command("load_starting_content")
    assert not Resource.objects.filter(is_demo=True).exists()
    monkeypatch.setenv("CPAOR_DEMO_CONTENT", "1")
    call_command("load_starting_content")
    assert Resource.objects.filter(is_demo=True).count() == seed.DEMO_COUNT
    call_command("load_starting_content")
    assert Resource.objects.filter(is_demo=True).count() == seed.DEMO_COUNT
    call_command("load_starting_content", "--remove-demo")
    assert list(Resource.objects.order_by("slug").values_list("slug", flat=True)) == [
        ENGAGING,
        TOOLKIT,
    ]


def test_production_gets_no_demo_content_unless_asked(monkeypatch, settings):
    monkeypatch.delenv("CPAOR_DEMO_CONTENT", raising=False)
    settings.PRODUCTION = True
    call_command("load_starting_content")
    assert not Resource.objects.filter(is_demo=True).exists()
    call_command("load_starting_content", "--demo")
    assert Resource.objects.filter(is_demo=True).exists()


def test_the_starting_resources_are_published_through_the_services_for_nobody(initiatives):
    seed.load(demo=True)
    assert not Resource.objects.published().filter(published_at=None).exists()
    assert Resource.objects.published().count() == Resource.objects.count()
    assert not LogEntry.objects.exists()  # the seed acts for nobody
    # Each demo link carries the page count the seed gave its resource.
    pages = {data["slug"]: data["pages"] for data in seed.demo_resources()}
    for version in ResourceVersion.objects.select_related("resource"):
        assert version.page_count == pages[version.resource.slug]
