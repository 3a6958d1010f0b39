"""Read as text: a document's extracted text as a page of a few kilobytes that opens on
any phone, in the document's language and direction."""

import re

import pytest
from django.core.files.base import ContentFile

from resources import services
from resources.models import Resource, ResourceVersion
from resources.views import text_paragraphs

from .factories import LinkVersionFactory, ResourceFactory, VersionFactory
from .files import pdf_bytes

pytestmark = pytest.mark.django_db

ARABIC = "حماية الأطفال في حالات الطوارئ مسؤولية مشتركة."


def with_text(text, language="en", **resource_values):
    resource = ResourceFactory(**resource_values)
    return VersionFactory(
        resource=resource,
        language=language,
        extracted_text=text,
        text_bytes=len(text.encode()),
        extraction_status=ResourceVersion.Extraction.DONE,
    )


def test_a_pdf_read_by_the_worker_offers_its_text_with_its_size(client):
    version = VersionFactory(
        file=ContentFile(pdf_bytes(["Children first.", "Coordinators act."]), name="r.pdf")
    )
    services.version_extract_text(version_id=version.pk)
    version.refresh_from_db()
    assert version.text_bytes == len(version.extracted_text.encode()) > 0
    html = client.get(version.resource.get_absolute_url()).content.decode()
    link = f'href="/en/resources/{version.resource.slug}/text/en/"'
    assert link in html and "Read as text (" in html
    page = client.get(f"/en/resources/{version.resource.slug}/text/en/")
    assert page.status_code == 200
    assert "<p>Children first.</p>" in page.content.decode()


def test_the_text_page_is_a_few_kilobytes_without_pictures_or_stylesheets(client):
    version = with_text("Case management.\nA short guide for coordinators.\n" * 20)
    response = client.get(f"/en/resources/{version.resource.slug}/text/en/")
    html = response.content.decode()
    assert response.status_code == 200
    overhead = len(response.content) - version.text_bytes
    assert overhead < 1500  # the page around the text costs less than 1.5 KB
    assert not re.search(r"<(img|script|link rel=\"stylesheet\"|iframe)", html)
    assert '<html lang="en" dir="ltr">' in html
    assert f"<h1>{version.resource.title}</h1>" in html
    assert f'href="{version.resource.get_absolute_url()}"' in html
    assert html.count("<p>Case management.</p>") == 20
    assert response["X-Robots-Tag"] == "noindex"


def test_an_arabic_text_reads_right_to_left_whatever_the_readers_language(client):
    version = with_text(ARABIC, language="ar", title_ar="حماية الطفل")
    html = client.get(f"/fr/resources/{version.resource.slug}/text/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>حماية الطفل</h1>" in html
    assert f"<p>{ARABIC}</p>" in html
    # The way back is in the reader's own language and direction.
    assert '<p lang="fr" dir="ltr"><a href="/fr/resources/' in html


def test_an_untranslated_title_is_marked_as_english(client):
    version = with_text("Texte.", language="fr", title_en="Guidance")
    html = client.get(f"/en/resources/{version.resource.slug}/text/fr/").content.decode()
    assert '<h1 lang="en">Guidance</h1>' in html


def test_no_text_no_page(client):
    link = LinkVersionFactory()
    blank = with_text("   \n ", language="fr")
    draft = with_text("Draft text.", status=Resource.Status.DRAFT)
    for slug, language in (
        (link.resource.slug, "en"),
        (blank.resource.slug, "fr"),
        (link.resource.slug, "xx"),
        (draft.resource.slug, "en"),
        ("no-such-resource", "en"),
    ):
        assert client.get(f"/en/resources/{slug}/text/{language}/").status_code == 404
    html = client.get(link.resource.get_absolute_url()).content.decode()
    assert "Read as text" not in html


def test_lines_of_a_pdf_become_paragraphs():
    text = "Children in armed\nconflict need protec-\ntion.\nSecond paragraph:\n\nThird"
    assert text_paragraphs(text) == [
        "Children in armed conflict need protection.",
        "Second paragraph:",
        "Third",
    ]
