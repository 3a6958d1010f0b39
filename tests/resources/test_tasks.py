import pytest
from django.core.files.base import ContentFile

from resources.models import Resource, ResourceVersion
from resources.tasks import extract_version_text

from .factories import LinkVersionFactory, VersionFactory
from .files import ooxml_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def test_the_page_count_and_text_of_a_pdf_are_read_and_searchable():
    content = pdf_bytes(["Alternative care for unaccompanied children", "Page two", "Three"])
    version = VersionFactory(file=ContentFile(content, name="guide.pdf"))
    extract_version_text(version.pk)
    version.refresh_from_db()
    assert version.extraction_status == ResourceVersion.Extraction.DONE
    assert version.page_count == 3
    assert "unaccompanied children" in version.extracted_text
    assert version.file_size == len(content)
    assert list(Resource.objects.search("unaccompanied", "en")) == [version.resource]


def test_reading_again_changes_nothing():
    version = VersionFactory()
    extract_version_text(version.pk)
    ResourceVersion.objects.filter(pk=version.pk).update(page_count=99)
    extract_version_text(version.pk)
    version.refresh_from_db()
    assert version.page_count == 99


def test_a_damaged_pdf_is_marked_as_unreadable():
    version = VersionFactory(file=ContentFile(b"%PDF-1.4 broken", name="broken.pdf"))
    extract_version_text(version.pk)
    version.refresh_from_db()
    assert version.extraction_status == ResourceVersion.Extraction.FAILED


def test_other_formats_get_their_size_and_format_but_no_text():
    content = ooxml_bytes("word/document.xml")
    version = VersionFactory(file=ContentFile(content, name="note.docx"), file_format="")
    extract_version_text(version.pk)
    version.refresh_from_db()
    assert version.extraction_status == ResourceVersion.Extraction.NOT_APPLICABLE
    assert (version.file_format, version.file_size) == ("docx", len(content))


def test_a_link_has_nothing_to_read():
    version = LinkVersionFactory()
    extract_version_text(version.pk)
    version.refresh_from_db()
    assert version.extraction_status == ResourceVersion.Extraction.NOT_APPLICABLE
