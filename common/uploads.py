"""Uploads are recognised by their content, never by their name.

A curator's file is accepted only when its first bytes (and, for Office files, the parts
inside the zip) say it is one of the formats the library serves; the stored name is then
built from the detected format, so a renamed program cannot reach the media storage as a
"report.pdf".
"""

import secrets
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

PDF, DOCX, XLSX, PPTX, PNG, JPEG = "pdf", "docx", "xlsx", "pptx", "png", "jpeg"

# What people see next to a version: "PDF", "Word", …
FORMAT_LABELS = {
    PDF: "PDF",
    DOCX: _("Word"),
    XLSX: _("Excel"),
    PPTX: _("PowerPoint"),
    PNG: "PNG",
    JPEG: "JPEG",
}
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx", PNG: "png", JPEG: "jpg"}
DOCUMENT_FORMATS = frozenset(EXTENSIONS)
IMAGE_FORMATS = frozenset({PNG, JPEG})

# The main part that tells one Office Open XML package from another.
OOXML_MAIN_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


def max_upload_bytes():
    return int(getattr(settings, "RESOURCE_MAX_UPLOAD_MB", 50)) * 1024 * 1024


def _read_head(fileobj, size=8):
    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    fileobj.seek(0)
    head = fileobj.read(size)
    fileobj.seek(position)
    return head


def _ooxml_format(fileobj):
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    found = {
        kind
        for prefix, kind in OOXML_MAIN_PARTS.items()
        if any(name.startswith(prefix) for name in names)
    }
    return found.pop() if len(found) == 1 else None


def detect_format(fileobj):
    """The format the content says the file is (PDF, DOCX, …), or None."""
    head = _read_head(fileobj)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_format(fileobj)
    return None


def is_executable(fileobj):
    return _read_head(fileobj).startswith(EXECUTABLE_MAGIC)


def _validate(upload, allowed, refusal):
    if upload is None:
        return
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; files can be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if is_executable(upload):
        raise ValidationError(
            _(
                "This file is a program, not a document, whatever its name says. "
                "Programs cannot be uploaded."
            ),
            code="executable",
        )
    if detect_format(upload) not in allowed:
        raise ValidationError(refusal, code="unsupported_format")


def validate_document(upload):
    """Refuse anything that is not a PDF, DOCX, XLSX, PPTX, PNG or JPEG by content."""
    _validate(
        upload,
        DOCUMENT_FORMATS,
        _(
            "This file is not a PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG "
            "or JPEG document. Its content was checked, not its name."
        ),
    )


def validate_image(upload):
    _validate(upload, IMAGE_FORMATS, _("Choose a PNG or JPEG picture."))


def safe_name(folder, filename, fileobj):
    """folder/slugified-name-1a2b3c4d.ext, the extension taken from the content."""
    stem = slugify(PurePath(filename or "").stem)[:60].strip("-") or "file"
    kind = detect_format(fileobj) if fileobj is not None else None
    extension = EXTENSIONS.get(kind, "bin")
    return f"{folder}/{stem}-{secrets.token_hex(4)}.{extension}"


def _uploaded(field_file):
    """The file object being saved, if there is one, for detecting its format."""
    try:
        return field_file.file
    except (ValueError, FileNotFoundError):
        return None


def version_upload_to(instance, filename):
    return safe_name("resources/files", filename, _uploaded(instance.file))


def thumbnail_upload_to(instance, filename):
    return safe_name("resources/thumbnails", filename, _uploaded(instance.thumbnail))
