"""Reading the uploaded files: page count, format, size and text of each language
version, by a worker after the transaction that chose the file has committed; and the
sweep that queues again the versions a killed worker or a lost message left waiting."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from common import uploads
from common.pagecache import public_pages_changed
from common.queueing import delay

from ..models import ResourceVersion
from .links import versions_check_links_after_commit
from .search import resource_update_search_vector

logger = logging.getLogger(__name__)

# A tsvector is at most 1 MB; the text of a very long report is cut well before that.
EXTRACTED_TEXT_LIMIT = 300_000
# Times a version is handed to a worker before it is marked unreadable: a file that
# kills the worker at the hard time limit, or a task lost with the broker, is queued
# again by versions_requeue_stalled, but not for ever.
EXTRACTION_MAX_ATTEMPTS = 3


def _enqueue_extraction(version_id):
    from ..tasks import extract_version_text

    delay(extract_version_text, version_id, later="the stalled-extraction sweep")


def _enqueue_after_commit(version_ids):
    for version_id in version_ids:
        transaction.on_commit(lambda version_id=version_id: _enqueue_extraction(version_id))


def resource_versions_saved(*, resource_id: int) -> None:
    """After a curator saved a resource's language versions: index it now, and read the
    text of new files, and check new links, once the transaction has committed (the
    worker must see them)."""
    resource_update_search_vector(resource_id)
    public_pages_changed()
    versions_check_links_after_commit(
        ResourceVersion.objects.filter(
            resource_id=resource_id, link_checked_at=None, resource__is_demo=False
        )
        .exclude(external_url="")
        .values_list("pk", flat=True)
    )
    pending = list(
        ResourceVersion.objects.filter(
            resource_id=resource_id, extraction_status=ResourceVersion.Extraction.PENDING
        ).values_list("pk", flat=True)
    )
    # A curator's save is a fresh start: the sweep counts its tries from here.
    ResourceVersion.objects.filter(pk__in=pending).update(
        extraction_queued_at=Now(), extraction_attempts=1
    )
    _enqueue_after_commit(pending)


def extraction_stall_seconds() -> int:
    """How long a queued version may wait: the extraction task's hard time limit. A task
    still running is past it only if it was killed; a queued one, if it was lost."""
    from ..tasks import extract_version_text

    return extract_version_text.time_limit or settings.CELERY_TASK_TIME_LIMIT


def versions_requeue_stalled() -> tuple[int, int]:
    """Queue again every version still waiting to be read after the extraction task's
    time limit; one already tried EXTRACTION_MAX_ATTEMPTS times is marked unreadable.
    Run by Celery beat. Returns (queued again, given up)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=extraction_stall_seconds())
    with transaction.atomic():
        # A version being read holds its row lock: it is not stalled, skip it.
        stalled = list(
            ResourceVersion.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(extraction_status=ResourceVersion.Extraction.PENDING)
            .filter(Q(extraction_queued_at=None) | Q(extraction_queued_at__lt=cutoff))
            .only("pk", "resource_id", "extraction_attempts")
        )
        exhausted = [v.pk for v in stalled if v.extraction_attempts >= EXTRACTION_MAX_ATTEMPTS]
        again = [v.pk for v in stalled if v.extraction_attempts < EXTRACTION_MAX_ATTEMPTS]
        if exhausted:
            ResourceVersion.objects.filter(pk__in=exhausted).update(
                extraction_status=ResourceVersion.Extraction.FAILED
            )
            logger.warning(
                "Gave up reading resource versions %s after %d attempts",
                exhausted,
                EXTRACTION_MAX_ATTEMPTS,
            )
        if again:
            ResourceVersion.objects.filter(pk__in=again).update(
                extraction_queued_at=Now(), extraction_attempts=F("extraction_attempts") + 1
            )
            logger.info("Queued resource versions %s again for reading", again)
            _enqueue_after_commit(again)
    return len(again), len(exhausted)


def version_file_changed(version: ResourceVersion) -> None:
    """Mark a version whose file was just chosen, before it is saved: read it again."""
    version.extraction_status = ResourceVersion.Extraction.PENDING
    version.extraction_queued_at = None
    version.extraction_attempts = 0
    version.page_count = None
    version.extracted_text = ""
    version.text_bytes = 0
    version.link_status = ResourceVersion.LinkStatus.UNCHECKED
    version.link_http_status = None
    version.link_checked_at = None
    version.link_error = ""
    if version.file:
        version.file_format = uploads.detect_format(version.file) or ""
        version.file_size = version.file.size
    else:
        version.file_format = ""
        version.file_size = None


def read_pdf(fileobj):
    """(page count, text) of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(fileobj)
    texts = []
    length = 0
    for page in reader.pages:
        if length >= EXTRACTED_TEXT_LIMIT:
            break
        text = page.extract_text() or ""
        texts.append(text)
        length += len(text)
    return len(reader.pages), "\n".join(texts)[:EXTRACTED_TEXT_LIMIT].replace("\x00", "")


def version_extract_text(*, version_id: int) -> None:
    """Read a version's file: size, format, and for a PDF its page count and text.

    Safe to run again: a version already read, or gone, is left alone, and so is one
    another worker is reading. Only the version's own row is locked (no ordering join
    onto its resource), so the versions of one resource are read side by side.
    """
    with transaction.atomic():
        version = (
            ResourceVersion.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(pk=version_id, extraction_status=ResourceVersion.Extraction.PENDING)
            .first()
        )
        if version is None:
            return
        fields = ["extraction_status", "file_format", "file_size"]
        if not version.file:
            version.extraction_status = ResourceVersion.Extraction.NOT_APPLICABLE
            version.save(update_fields=fields)
            return
        try:
            with version.file.open("rb") as handle:
                version.file_format = uploads.detect_format(handle) or ""
                version.file_size = version.file.size
                if version.file_format == uploads.PDF:
                    page_count, text = read_pdf(handle)
                    version.page_count = page_count
                    version.extracted_text = text
                    version.text_bytes = len(text.encode())
                    fields += ["page_count", "extracted_text", "text_bytes"]
                    version.extraction_status = ResourceVersion.Extraction.DONE
                else:
                    version.extraction_status = ResourceVersion.Extraction.NOT_APPLICABLE
        except OSError:
            raise  # storage unreachable: the task retries
        except Exception:  # a damaged PDF must not keep the task retrying forever
            logger.exception("Could not read resource version %s", version_id)
            version.extraction_status = ResourceVersion.Extraction.FAILED
        version.save(update_fields=fields)
        resource_update_search_vector(version.resource_id)
        public_pages_changed()  # its pages, format and words now show and are found
