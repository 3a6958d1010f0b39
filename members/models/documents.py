"""Where applicants' supporting documents are stored: never under MEDIA_URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from common import uploads


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT with no URL: only the download view reads it. Read from
    settings on each use, so tests can point it elsewhere."""

    @property
    def base_location(self):
        return str(
            getattr(settings, "PRIVATE_MEDIA_ROOT", None) or settings.BASE_DIR / ".data" / "private"
        )

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    """Where supporting documents go: never under MEDIA_URL, so only the permission-checking
    download view can serve them. A deployment may define a "private" storage (a bucket
    without public access); otherwise a folder beside the media root."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateFileSystemStorage()


def document_upload_to(instance, filename):
    """membership/documents/<slug>-<random>.<extension from the content>: the applicant's
    file name never reaches the storage as it was typed."""
    try:
        fileobj = instance.supporting_document.file
    except (ValueError, FileNotFoundError):
        fileobj = None
    return uploads.safe_name("membership/documents", filename, fileobj)
