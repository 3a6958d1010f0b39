"""Every download says what it costs before a reader on a slow link spends it: type,
language, kind, pages and size, in the results and on the resource's page."""

import pytest
from django.utils import translation

from resources.models import Resource, ResourceVersion

from .factories import LinkVersionFactory, ResourceFactory, VersionFactory

pytestmark = pytest.mark.django_db

LIST = "/en/resources/"


def report_with_summaries():
    resource = ResourceFactory(title_en="Engaging with States", publication_date=None)
    VersionFactory(resource=resource, language="en", page_count=6, file_size=1_258_291)
    for language in ("ar", "fr", "es"):
        LinkVersionFactory(
            resource=resource,
            language=language,
            kind=ResourceVersion.Kind.SUMMARY,
            external_url=f"https://example.org/summary-{language}.html",
            file_format="html",
        )
    return resource


def test_the_results_show_each_downloads_type_language_pages_and_size(client):
    report_with_summaries()
    html = client.get(LIST).content.decode()
    assert 'English</a> <span class="version-facts">· PDF · 6 pages · 1.2\xa0MB</span>' in html
    assert 'French</a> <span class="version-facts">· Summary · Web page</span>' in html


def test_sizes_are_written_the_readers_way(client):
    report_with_summaries()
    with translation.override("fr"):
        html = client.get("/fr/resources/").content.decode()
    assert "PDF · 6 pages · 1,2\xa0Mio" in html


def test_the_resource_page_says_which_language_versions_exist(client):
    resource = report_with_summaries()
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "Full document — English; Summary — Arabic, French, Spanish" in html
    assert "English · PDF · 6 pages · 1.2\xa0MB" in html
    assert "Arabic · Summary · Web page" in html


def build(count):
    resources = Resource.objects.bulk_create(
        Resource(slug=f"r-{n}", title_en=f"R {n}", status=Resource.Status.PUBLISHED)
        for n in range(count)
    )
    ResourceVersion.objects.bulk_create(
        ResourceVersion(
            resource=resource,
            language=language,
            kind=kind,
            external_url=f"https://example.org/{resource.slug}-{language}.pdf",
            file_format="pdf",
            file_size=20_000 * (1 + resource.pk % 9),
            page_count=12,
            text_bytes=4_000,
            extracted_text="Text. " * 700,
            link_status=ResourceVersion.LinkStatus.BROKEN,
        )
        for resource in resources
        for language, kind in (("en", "full"), ("ar", "summary"))
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_results_cost_the_same_queries_and_never_read_the_texts(
    client, django_assert_num_queries, count
):
    build(count)
    client.get(LIST)  # the facet index is built once
    # The index is current, the page's resources and their versions (topics: the index).
    with django_assert_num_queries(3) as captured:
        html = client.get(LIST).content.decode()
    assert html.count("Read as text (3.9\xa0KB)") == 2 * min(count, 20)
    assert html.count("The link may be broken") == 2 * min(count, 20)
    versions = [
        query["sql"] for query in captured.captured_queries if "resourceversion" in query["sql"]
    ]
    assert versions and not any("extracted_text" in sql for sql in versions)


@pytest.mark.parametrize("count", [1, 4])
def test_the_resource_page_costs_the_same_queries_however_many_versions(
    client, django_assert_num_queries, count
):
    resource = ResourceFactory()
    for language in ("en", "fr", "es", "ar")[:count]:
        LinkVersionFactory(resource=resource, language=language, text_bytes=100)
    with django_assert_num_queries(7) as captured:
        client.get(resource.get_absolute_url())
    assert not any("extracted_text" in query["sql"] for query in captured.captured_queries)
