"""Actions on resources. Admin, views, tasks and the seed all call these."""

import datetime
import logging

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from common import uploads

from .models import SEARCH_CONFIGS, Resource, ResourceVersion, SearchDocument

logger = logging.getLogger(__name__)

# A tsvector is at most 1 MB; the text of a very long report is cut well before that.
EXTRACTED_TEXT_LIMIT = 300_000
# Times a version is handed to a worker before it is marked unreadable: a file that
# kills the worker at the hard time limit, or a task lost with the broker, is queued
# again by versions_requeue_stalled, but not for ever.
EXTRACTION_MAX_ATTEMPTS = 3


def _version_text(language):
    return Subquery(
        ResourceVersion.objects.filter(resource=OuterRef("pk"), language=language).values(
            "extracted_text"
        )[:1]
    )


def resource_update_search_vector(resource_id):
    """Re-index the resource: titles (A) > summaries (B) > file text (C), each language
    with its own configuration.

    Its search document is locked first: the statement that writes it reads the versions'
    text from a snapshot taken when it starts, so two versions read at once must write
    one after the other, the second seeing the first's committed text."""
    with transaction.atomic():
        list(
            SearchDocument.objects.select_for_update()
            .filter(resource_id=resource_id)
            .values_list("pk", flat=True)
        )
        resources_update_search_vectors([resource_id])


def resources_update_search_vectors(resource_ids=None):
    """The same for many resources in one statement (imports, the seed); None: all."""
    resources = Resource.objects.order_by()
    if resource_ids is not None:
        resources = resources.filter(pk__in=list(resource_ids))
    vector = None
    for language, config in SEARCH_CONFIGS.items():
        parts = SearchVector(f"title_{language}", config=config, weight="A") + SearchVector(
            f"summary_{language}", config=config, weight="B"
        )
        vector = parts if vector is None else vector + parts
    for language, config in SEARCH_CONFIGS.items():
        vector += SearchVector(_version_text(language), config=config, weight="C")
    select, params = (
        resources.annotate(document=vector).values("id", "document").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {SearchDocument._meta.db_table} (resource_id, vector)
            SELECT id, document FROM ({select}) source
            ON CONFLICT (resource_id) DO UPDATE SET vector = EXCLUDED.vector
            """,
            params,
        )


def _date_first_publication(queryset):
    queryset.filter(status=Resource.Status.PUBLISHED, published_at=None).update(published_at=Now())


def _enqueue_extraction(version_id):
    from .tasks import extract_version_text

    extract_version_text.delay(version_id)


def _enqueue_after_commit(version_ids):
    for version_id in version_ids:
        transaction.on_commit(lambda version_id=version_id: _enqueue_extraction(version_id))


def resource_saved(*, resource_id):
    """After a curator saved a resource and its versions: index it now, and read the
    text of new files once the transaction has committed (the worker must see them)."""
    resource_update_search_vector(resource_id)
    _date_first_publication(Resource.objects.filter(pk=resource_id))
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


def extraction_stall_seconds():
    """How long a queued version may wait: the extraction task's hard time limit. A task
    still running is past it only if it was killed; a queued one, if it was lost."""
    from .tasks import extract_version_text

    return extract_version_text.time_limit or settings.CELERY_TASK_TIME_LIMIT


def versions_requeue_stalled():
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


def version_file_changed(version):
    """Mark a version whose file was just chosen, before it is saved: read it again."""
    version.extraction_status = ResourceVersion.Extraction.PENDING
    version.extraction_queued_at = None
    version.extraction_attempts = 0
    version.page_count = None
    version.extracted_text = ""
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


def version_extract_text(*, version_id):
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
                    fields += ["page_count", "extracted_text"]
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


def _set_status(resources, status):
    ids = [resource.pk for resource in resources]
    with transaction.atomic():
        changed = list(
            Resource.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(status=status)
            .values_list("pk", flat=True)
        )
        fields = {"status": status}
        if status == Resource.Status.PUBLISHED:
            fields["published_at"] = Coalesce(F("published_at"), Now())
        Resource.objects.filter(pk__in=changed).update(**fields)
    return len(changed)


def resources_publish(*, resources):
    """Publish the resources; returns how many changed."""
    return _set_status(resources, Resource.Status.PUBLISHED)


def resources_unpublish(*, resources):
    return _set_status(resources, Resource.Status.DRAFT)


def resources_mark_key(*, resources, is_key=True):
    ids = [resource.pk for resource in resources]
    with transaction.atomic():
        return (
            Resource.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(is_key=is_key)
            .update(is_key=is_key)
        )


def resource_register_download(*, resource_id):
    """Count one download; an atomic increment, so concurrent clicks are all counted."""
    Resource.objects.filter(pk=resource_id).update(download_count=F("download_count") + 1)


def resources_import_csv(*, data, dry_run):
    """Create or update resources from the bytes of a CSV file: every row, or none.

    Returns an ImportReport; with dry_run nothing is kept, but the report says what the
    import would create and update, or which rows must be corrected first.
    """
    from .csv_io import import_resources

    return import_resources(data, dry_run=dry_run)
