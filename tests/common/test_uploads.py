import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from common import uploads
from tests.resources.files import EXE_BYTES, JPEG_BYTES, PNG_BYTES, ooxml_bytes, pdf_bytes


def upload(content, name):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (pdf_bytes(), "report.pdf", uploads.PDF),
        (ooxml_bytes("word/document.xml"), "note.docx", uploads.DOCX),
        (ooxml_bytes("xl/workbook.xml"), "data.xlsx", uploads.XLSX),
        (ooxml_bytes("ppt/presentation.xml"), "slides.pptx", uploads.PPTX),
        (PNG_BYTES, "chart.png", uploads.PNG),
        (JPEG_BYTES, "photo.jpg", uploads.JPEG),
    ],
)
def test_each_accepted_format_is_recognised_by_its_content(content, name, kind):
    file = upload(content, name)
    uploads.validate_document(file)
    assert uploads.detect_format(file) == kind


def test_a_pdf_named_like_a_picture_is_still_a_pdf():
    assert uploads.detect_format(upload(pdf_bytes(), "holiday.png")) == uploads.PDF


def test_a_renamed_program_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refusal:
        uploads.validate_document(upload(EXE_BYTES, "report.pdf"))
    assert refusal.value.code == "executable"
    assert "program" in refusal.value.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"plain text that claims to be a PDF",
        ooxml_bytes("word/document.xml", content_types=False),
        ooxml_bytes("other/thing.xml"),
        b"PK\x03\x04 not really a zip",
        b"<svg onload='alert(1)'></svg>",
    ],
)
def test_other_content_is_refused_whatever_the_name(content):
    with pytest.raises(ValidationError) as refusal:
        uploads.validate_document(upload(content, "report.docx"))
    assert refusal.value.code == "unsupported_format"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    big = upload(b"%PDF-1.4\n" + b"0" * (1024 * 1024), "big.pdf")
    with pytest.raises(ValidationError) as refusal:
        uploads.validate_document(big)
    assert refusal.value.code == "too_large"


def test_the_size_limit_is_fifty_megabytes_unless_set(settings):
    del settings.RESOURCE_MAX_UPLOAD_MB
    assert uploads.max_upload_bytes() == 50 * 1024 * 1024


def test_thumbnails_are_only_pictures():
    uploads.validate_image(upload(PNG_BYTES, "a.png"))
    with pytest.raises(ValidationError):
        uploads.validate_image(upload(pdf_bytes(), "a.png"))


def test_stored_names_are_slugified_with_a_random_suffix_and_the_real_extension():
    file = upload(pdf_bytes(), "../../Rapport final (v2) été.exe")
    first = uploads.safe_name("resources/files", file.name, file)
    second = uploads.safe_name("resources/files", file.name, file)
    assert first.startswith("resources/files/rapport-final-v2-ete-")
    assert first.endswith(".pdf")
    assert first != second
    assert ".." not in first
