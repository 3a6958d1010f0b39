"""Every list of the API costs the same queries at 3 items as at 12."""

import datetime

import pytest
from django.utils import timezone

from newsletters.models import Issue
from tests.initiatives.factories import (
    ContactFactory,
    CountryFactory,
    InitiativeFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
)
from tests.newsletters.factories import IssueFactory, NewsletterListFactory
from tests.resources.factories import LinkVersionFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

# The index is current (1); the page's resources (1), their topics, initiatives,
# regions, countries, publishers and versions (6).
RESOURCES = 8


def make(size):
    topic, region, partner = TopicFactory(), RegionFactory(), PartnerFactory()
    country = CountryFactory(region=region)
    newsletter = NewsletterListFactory()
    for n in range(size):
        initiative = InitiativeFactory(partners=[partner], regions=[region], countries=[country])
        initiative.themes.set([ThemeFactory()])
        ObjectiveFactory(initiative=initiative)
        MilestoneFactory(initiative=initiative)
        ContactFactory(initiative=initiative)
        resource = ResourceFactory(
            title_en=f"Guidance note {n}",
            topics=[topic],
            initiatives=[initiative],
            regions=[region],
            publishers=[partner],
        )
        resource.countries.set([country])
        LinkVersionFactory(resource=resource)
        when = timezone.now() - datetime.timedelta(days=n)
        IssueFactory(
            newsletter=newsletter, status=Issue.Status.SENT, started_at=when, finished_at=when
        )


@pytest.mark.parametrize("size", [3, 12])
def test_each_list_costs_the_same_queries_however_many_items(api, django_assert_num_queries, size):
    make(size)
    api("/api/v1/resources/", {"facets": "1"})  # the index is read after the changes

    with django_assert_num_queries(RESOURCES):
        assert len(api("/api/v1/resources/", {"facets": "1"})["results"]) == size
    # Words: matched (1), ranked among the few results (1), snippets with the page.
    with django_assert_num_queries(RESOURCES + 2):
        assert api("/api/v1/resources/", {"q": "guidance"})["count"] == size
    # A later page: where the cursor's resource stands (1).
    first = api("/api/v1/resources/", {"page_size": "2"})["next"]
    with django_assert_num_queries(RESOURCES + 1):
        api(first.removeprefix("http://testserver"))
    # The initiatives (1) with their themes, regions, countries, partners, objectives,
    # milestones and contacts (7).
    with django_assert_num_queries(8):
        assert len(api("/api/v1/initiatives/")["results"]) == size
    with django_assert_num_queries(1):
        assert len(api("/api/v1/newsletters/issues/")["results"]) == size
    with django_assert_num_queries(1):
        api("/api/v1/newsletters/")
