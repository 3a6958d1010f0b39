"""Uploads are recognised by their content, never by their name.

A curator's file is accepted only when its first bytes (and, for Office files, the parts
inside the zip) say it is one of the formats the library serves; the stored name is then
built from the detected format, so a renamed program cannot reach the media storage as a
"report.pdf".
"""

import secrets
import zipfile
from pathlib import PurePath

from django import forms
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


# Pictures people upload to be shown (newsletter images, member logos): Pillow's name for
# each accepted format, and the extension the stored file gets from it.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PICTURE_MAX_SIDE = 4000  # pixels: larger pictures only weigh on field connections


class PictureField(forms.ImageField):
    """A picture checked by its content. Its size and a program's signature are refused
    before Pillow reads it at all; then Pillow must know it as one of PICTURE_FORMATS,
    no side longer than PICTURE_MAX_SIDE, and the upload is renamed
    <stem>-<random>.<extension its content gives>.

    max_bytes is a callable (read when a file comes, so settings can change); each form
    may word the refusals its own way through error_messages."""

    default_error_messages = {
        "too_large": _("This image is %(size)s; images can be at most %(limit)s."),
        "executable": _("This file is a program, not an image, whatever its name says."),
        "unsupported_format": _(
            "Choose a JPEG, PNG, WebP or GIF image. Its content was checked, not its name."
        ),
        "too_big": _(
            "This image is %(width)s × %(height)s pixels; images can be at most "
            "%(side)s pixels wide and high."
        ),
    }

    def __init__(self, *args, max_bytes, stem="image", **kwargs):
        self.max_bytes = max_bytes
        self.stem = stem
        super().__init__(*args, **kwargs)

    def _refuse(self, code, **params):
        raise ValidationError(self.error_messages[code], code=code, params=params)

    def to_python(self, data):
        if data and hasattr(data, "size"):
            limit = self.max_bytes()
            if data.size > limit:
                self._refuse(
                    "too_large", size=filesizeformat(data.size), limit=filesizeformat(limit)
                )
            if is_executable(data):
                self._refuse("executable")
        upload = super().to_python(data)  # Pillow opens and verifies it
        if upload is None:
            return upload
        picture = getattr(upload, "image", None)
        if picture is None or picture.format not in PICTURE_FORMATS:
            self._refuse("unsupported_format")
        width, height = picture.size
        if width > PICTURE_MAX_SIDE or height > PICTURE_MAX_SIDE:
            self._refuse("too_big", width=width, height=height, side=PICTURE_MAX_SIDE)
        stem = slugify(PurePath(upload.name or "").stem)[:50].strip("-") or self.stem
        upload.name = f"{stem}-{secrets.token_hex(4)}.{PICTURE_FORMATS[picture.format]}"
        return upload
