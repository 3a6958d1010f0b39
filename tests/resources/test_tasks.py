import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from resources import services
from resources.models import Resource, ResourceVersion
from resources.services import extraction
from resources.tasks import extract_version_text, requeue_stalled_extractions

from .factories import LinkVersionFactory, ResourceFactory, VersionFactory
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


def _read_in_threads(version_ids):
    """Run the extraction task for each version at the same time, each in its own thread
    with its own database connection, as two workers would."""

    def read(version_id):
        try:
            extract_version_text(version_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(version_ids)) as pool:
        for future in [pool.submit(read, version_id) for version_id in version_ids]:
            future.result(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_two_pdf_versions_saved_together_are_both_read():
    resource = ResourceFactory(status=Resource.Status.DRAFT)
    english = VersionFactory(
        resource=resource,
        language="en",
        file=ContentFile(pdf_bytes(["Unaccompanied children guidance"]), name="en.pdf"),
    )
    french = VersionFactory(
        resource=resource,
        language="fr",
        file=ContentFile(pdf_bytes(["Enfants non accompagnes orientations"]), name="fr.pdf"),
    )
    queued = []
    with (
        mock.patch.object(extract_version_text, "delay", side_effect=queued.append),
        transaction.atomic(),
    ):
        services.resource_versions_saved(resource_id=resource.pk)
    assert sorted(queued) == sorted([english.pk, french.pk])

    # Both workers are inside their reading at once: neither waits for, nor is skipped
    # because of, the other's lock.
    both_reading = threading.Barrier(2, timeout=15)
    real_read_pdf = extraction.read_pdf

    def read_pdf_side_by_side(handle):
        both_reading.wait()
        return real_read_pdf(handle)

    with mock.patch.object(extraction, "read_pdf", side_effect=read_pdf_side_by_side):
        _read_in_threads(queued)

    for version in (english, french):
        version.refresh_from_db()
        assert version.extraction_status == ResourceVersion.Extraction.DONE
        assert version.page_count == 1
    assert list(Resource.objects.search("unaccompanied", "en")) == [resource]
    assert list(Resource.objects.search("accompagnes", "fr")) == [resource]


def _waiting_since(version, seconds_ago):
    ResourceVersion.objects.filter(pk=version.pk).update(
        extraction_queued_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )


def test_the_sweep_runs_with_beat_after_each_time_limit(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["resources-requeue-stalled-extractions"]
    assert entry["task"] == requeue_stalled_extractions.name
    assert entry["schedule"] <= services.extraction_stall_seconds()


def test_a_version_left_waiting_past_the_time_limit_is_queued_again_and_read(
    django_capture_on_commit_callbacks,
):
    limit = services.extraction_stall_seconds()
    lost = VersionFactory(
        file=ContentFile(pdf_bytes(["Case management"]), name="lost.pdf"), extraction_attempts=1
    )
    _waiting_since(lost, limit + 5)
    never_queued = VersionFactory(language="fr", resource=lost.resource)
    recent = VersionFactory(language="es", resource=lost.resource, extraction_attempts=1)
    _waiting_since(recent, limit - 30)

    with (
        mock.patch.object(extract_version_text, "delay", side_effect=extract_version_text) as q,
        django_capture_on_commit_callbacks(execute=True),
    ):
        requeue_stalled_extractions()

    assert sorted(call.args[0] for call in q.call_args_list) == sorted([lost.pk, never_queued.pk])
    lost.refresh_from_db()
    assert lost.extraction_status == ResourceVersion.Extraction.DONE
    assert lost.extraction_attempts == 2
    assert list(Resource.objects.search("case management", "en")) == [lost.resource]
    recent.refresh_from_db()
    assert (recent.extraction_status, recent.extraction_attempts) == ("pending", 1)


def test_a_version_that_is_never_read_ends_as_unreadable(django_capture_on_commit_callbacks):
    version = VersionFactory()
    with mock.patch.object(extract_version_text, "delay") as queue:
        with django_capture_on_commit_callbacks(execute=True):
            services.resource_versions_saved(resource_id=version.resource_id)
        # Every message is lost (a worker killed at the time limit, say); each sweep
        # after the limit queues it again, until the tries are used up.
        for _ in range(services.EXTRACTION_MAX_ATTEMPTS + 2):
            _waiting_since(version, services.extraction_stall_seconds() + 1)
            with django_capture_on_commit_callbacks(execute=True):
                services.versions_requeue_stalled()
    assert queue.call_count == services.EXTRACTION_MAX_ATTEMPTS
    version.refresh_from_db()
    assert version.extraction_status == ResourceVersion.Extraction.FAILED
    assert version.extraction_attempts == services.EXTRACTION_MAX_ATTEMPTS


def test_choosing_a_new_file_gives_it_all_its_tries_again():
    version = VersionFactory(extraction_status="failed", extraction_attempts=3)
    services.version_file_changed(version)
    assert (version.extraction_status, version.extraction_attempts) == ("pending", 0)
    assert version.extraction_queued_at is None


@pytest.mark.django_db(transaction=True)
def test_a_version_being_read_is_not_queued_again():
    version = VersionFactory()
    _waiting_since(version, services.extraction_stall_seconds() + 1)
    with transaction.atomic():
        ResourceVersion.objects.select_for_update().filter(pk=version.pk).order_by().get()
        with ThreadPoolExecutor(max_workers=1) as pool:

            def sweep():
                try:
                    return services.versions_requeue_stalled()
                finally:
                    connection.close()

            assert pool.submit(sweep).result(timeout=30) == (0, 0)
