from unittest import mock

import pytest

from resources import services
from resources.models import Resource, ResourceVersion

from .factories import LinkVersionFactory, ResourceFactory, VersionFactory

pytestmark = pytest.mark.django_db


def test_saving_a_resource_reads_new_files_only_after_commit(django_capture_on_commit_callbacks):
    version = VersionFactory()
    link = LinkVersionFactory(resource=version.resource, language="fr", extraction_status="n/a")
    with (
        mock.patch("resources.tasks.extract_version_text.delay") as delay,
        mock.patch("resources.tasks.check_version_link.delay") as check,
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.resource_versions_saved(resource_id=version.resource_id)
        assert not delay.called and not check.called
        # The file is read, the link is checked, the kept public pages are made again.
        assert len(callbacks) == 3
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(version.pk)
    check.assert_called_once_with(link.pk, None)


def test_saving_a_resource_indexes_its_new_title():
    resource = ResourceFactory(title_en="Old words")
    Resource.objects.filter(pk=resource.pk).update(title_en="Psychosocial support")
    services.resource_versions_saved(resource_id=resource.pk)
    assert list(Resource.objects.search("psychosocial", "en")) == [resource]


def test_a_newly_chosen_file_is_read_again():
    version = VersionFactory(page_count=3, extraction_status=ResourceVersion.Extraction.DONE)
    services.version_file_changed(version)
    assert version.extraction_status == ResourceVersion.Extraction.PENDING
    assert (version.page_count, version.file_format) == (None, "pdf")
