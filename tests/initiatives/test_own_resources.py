"""An initiative's page lists its own resources: real ones before demo ones, key ones
first among each, with how many there are and the way to all of them and to their feed."""

import datetime

import pytest

from initiatives import seed as initiatives_seed
from initiatives.models import Initiative
from resources import seed as resources_seed
from resources.models import Resource

from .factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_the_seeds_named_resource_comes_before_the_demo_items(client):
    initiatives_seed.load()
    resources_seed.load(demo=True)
    initiative = Initiative.objects.get(slug="government-leadership-engagement")
    demo = Resource.objects.filter(initiatives=initiative, is_demo=True).count()
    assert demo >= 6  # enough demo items to have hidden it before
    response = client.get(initiative.get_absolute_url())
    html = response.content.decode()
    titles = [resource.title for resource in response.context["related_resources"]]
    # The key toolkit, then "Engaging with States…", then the demo items.
    assert titles[0].startswith("Inter-Agency Toolkit on Localisation")
    assert titles[1].startswith("Engaging with States in Conflict Settings")
    assert all(title.startswith("[Demo]") for title in titles[2:])
    engaging = html.index("Engaging with States in Conflict Settings")
    assert engaging < html.index("[Demo]", html.index('id="resources-heading"'))
    assert f"All {demo + 2} resources of this initiative in the library" in html
    assert f'href="/en/resources/?initiative={initiative.slug}"' in html
    feed = f"/en/resources/feed/initiative/{initiative.slug}/"
    assert f'href="{feed}"' in html
    assert client.get(feed).status_code == 200
    listed = client.get(f"/en/resources/?initiative={initiative.slug}")
    assert listed.context["paginator"].count == demo + 2


def test_real_then_key_then_newest_and_drafts_left_out(client):
    initiative = InitiativeFactory()

    def resource(slug, **values):
        created = Resource.objects.create(
            slug=slug,
            title_en=slug,
            status=Resource.Status.PUBLISHED,
            publication_date=datetime.date(values.pop("year", 2020), 1, 1),
            **values,
        )
        created.initiatives.add(initiative)

    resource("new-demo", is_demo=True, year=2024)
    resource("old-real", year=2010)
    resource("new-real", year=2022)
    resource("key-demo", is_demo=True, is_key=True, year=2015)
    Resource.objects.create(slug="draft", title_en="draft").initiatives.add(initiative)
    response = client.get(initiative.get_absolute_url())
    slugs = [r.slug for r in response.context["related_resources"]]
    assert slugs == ["new-real", "old-real", "key-demo", "new-demo"]
    assert response.context["resource_count"] == 4


def test_an_unpublished_initiative_offers_no_feed_that_would_not_open(client, admin_user):
    initiative = InitiativeFactory(is_published=False)
    Resource.objects.create(
        slug="one", title_en="One", status=Resource.Status.PUBLISHED
    ).initiatives.add(initiative)
    client.force_login(admin_user)
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert "The resource of this initiative in the library" in html
    assert "/feed/initiative/" not in html


@pytest.mark.parametrize("rows", [3, 40])
def test_the_resources_section_costs_one_query_however_many(
    client, django_assert_num_queries, rows
):
    initiative = InitiativeFactory()
    resources = Resource.objects.bulk_create(
        Resource(slug=f"r-{n}", title_en=f"R {n}", status=Resource.Status.PUBLISHED)
        for n in range(rows)
    )
    Resource.initiatives.through.objects.bulk_create(
        Resource.initiatives.through(resource=r, initiative=initiative) for r in resources
    )
    # The initiative, its seven relations, its resources with their count (no themes, so
    # no related initiatives; tests/initiatives/test_queries.py counts those too).
    with django_assert_num_queries(9):
        response = client.get(initiative.get_absolute_url())
    assert len(response.context["related_resources"]) == min(rows, 6)
    assert response.context["resource_count"] == rows
