"""Both public pages run a fixed number of SQL queries, however many rows there are."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from initiatives.models import Contact, Initiative, Milestone, Objective, Partner
from resources.models import Resource

from .factories import RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

# list: filter choices (themes, regions), count, page, themes and regions of the page.
LIST_QUERIES = 6
# detail: initiative, its themes, regions, countries, partners, objectives, milestones,
# contacts, then the related initiatives and the related resources.
DETAIL_QUERIES = 10


def build(rows):
    """One initiative with `rows` of everything, and `rows` other initiatives."""
    theme, region = ThemeFactory(), RegionFactory()
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            slug=f"bulk-{n}",
            title_en=f"Initiative {n}",
            summary_en="Summary.",
            is_published=True,
            is_featured=n % 7 == 0,
        )
        for n in range(rows + 1)
    )
    Initiative.themes.through.objects.bulk_create(
        Initiative.themes.through(initiative=i, theme=theme) for i in initiatives
    )
    Initiative.regions.through.objects.bulk_create(
        Initiative.regions.through(initiative=i, region=region) for i in initiatives
    )
    subject = initiatives[0]
    partners = Partner.objects.bulk_create(
        Partner(slug=f"partner-{n}", name_en=f"Partner {n}") for n in range(rows)
    )
    Initiative.partners.through.objects.bulk_create(
        Initiative.partners.through(initiative=subject, partner=p) for p in partners
    )
    Objective.objects.bulk_create(
        Objective(initiative=subject, order=n, text_en=f"Objective {n}") for n in range(rows)
    )
    Milestone.objects.bulk_create(
        Milestone(initiative=subject, date=datetime.date(2020, 1, 1), title_en=f"M {n}")
        for n in range(rows)
    )
    Contact.objects.bulk_create(
        Contact(initiative=subject, name=f"Person {n}", email=f"p{n}@example.org")
        for n in range(rows)
    )
    resources = Resource.objects.bulk_create(
        Resource(slug=f"resource-{n}", title_en=f"Resource {n}", status=Resource.Status.PUBLISHED)
        for n in range(rows)
    )
    Resource.initiatives.through.objects.bulk_create(
        Resource.initiatives.through(resource=r, initiative=subject) for r in resources
    )
    return subject, theme, region


@pytest.mark.parametrize("rows", [5, 500])
def test_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    _subject, theme, region = build(rows)
    with translation.override("fr"):
        url = reverse("initiatives:list")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES + 2):  # each chosen filter is looked up
        response = client.get(url, {"theme": theme.slug, "region": region.slug, "status": "active"})
    assert len(response.context["initiatives"]) == min(rows + 1, 30)


@pytest.mark.parametrize("rows", [5, 500])
def test_detail_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    subject, _theme, _region = build(rows)
    with translation.override("ar"):
        url = subject.get_absolute_url()
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<time datetime=") == rows
    assert html.count('href="/ar/resources/resource-') == min(rows, 6)
