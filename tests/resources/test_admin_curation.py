"""The resource curators' admin: a checked CSV imported without choosing it again, the
template, titles in the preview, the list's sizes and text state, the upload visible at
once, readable delete confirmations, and the "Edit" link on public pages."""

import csv
import datetime
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.models import Issue
from resources.csv_io import COLUMNS, pending
from resources.models import Resource
from tests.initiatives.factories import InitiativeFactory, PartnerFactory, UserFactory
from tests.newsletters.factories import IssueFactory, newsletter_editor

from .factories import ResourceFactory, TopicFactory, VersionFactory, resource_curator

pytestmark = pytest.mark.django_db

IMPORT = "/admin/resources/resource/import/"
TEMPLATE = "/admin/resources/resource/import/template.csv"
CHANGELIST = "/admin/resources/resource/"
ROWS = (
    "slug,title_en,type\n"
    "kinship-care,Kinship care in emergencies,guidance\n"
    "case-management,Case management toolkit,toolkit\n"
)


def upload(text=ROWS, name="batch.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def kept_files(settings):
    folder = settings.PRIVATE_MEDIA_ROOT / pending.FOLDER
    return list(folder.iterdir()) if folder.exists() else []


def test_a_checked_file_is_imported_without_choosing_it_again(client, settings):
    client.force_login(resource_curator())
    checked = client.post(IMPORT, {"file": upload(), "_check": "1"})
    page = checked.content.decode()
    assert checked.status_code == 200 and not Resource.objects.exists()
    # The preview names the resources, with their slugs.
    assert "Kinship care in emergencies <code>kinship-care</code>" in page
    assert "“batch.csv” is kept for an hour" in page and 'name="_import_checked"' in page
    assert len(kept_files(settings)) == 1

    imported = client.post(IMPORT, {"_import_checked": "1"})
    assert imported.status_code == 302
    assert sorted(Resource.objects.values_list("slug", flat=True)) == [
        "case-management",
        "kinship-care",
    ]
    assert kept_files(settings) == []

    # Pressed twice (a second tab, the back button): nothing is imported twice.
    again = client.post(IMPORT, {"_import_checked": "1"}, follow=True)
    assert "The checked file is no longer kept" in again.content.decode()
    assert Resource.objects.count() == 2


def test_a_file_with_problems_offers_no_import_now(client, settings):
    client.force_login(resource_curator())
    response = client.post(
        IMPORT, {"file": upload("slug,title_en,type\nx,X,nonsense\n"), "_check": "1"}
    )
    assert response.status_code == 400
    assert "_import_checked" not in response.content.decode()
    assert kept_files(settings) == []


def test_a_checked_file_is_kept_for_an_hour_only(client, settings):
    client.force_login(resource_curator())
    client.post(IMPORT, {"file": upload(), "_check": "1"})
    session = client.session
    entry = session[pending.SESSION_KEY]
    entry["checked_at"] = (timezone.now() - datetime.timedelta(minutes=61)).isoformat()
    session[pending.SESSION_KEY] = entry
    session.save()
    response = client.post(IMPORT, {"_import_checked": "1"})
    assert response.status_code == 400
    assert not Resource.objects.exists()
    assert kept_files(settings) == []


def test_the_template_has_the_columns_and_an_example_that_imports(client):
    TopicFactory(slug="kinship")
    InitiativeFactory(slug="niaf")
    client.force_login(resource_curator())
    response = client.get(TEMPLATE)
    assert response["Content-Disposition"] == 'attachment; filename="resources-template.csv"'
    text = response.content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == COLUMNS
    row = dict(zip(header, example, strict=True))
    assert (row["topics"], row["initiatives"]) == ("kinship", "niaf")
    check = client.post(IMPORT, {"file": upload(text.replace("\r\n", "\n")), "_check": "1"})
    assert check.context["report"].ok
    assert "Download a template" in client.get(IMPORT).content.decode()


def test_the_lists_show_the_slugs_a_csv_names(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    InitiativeFactory(slug="niaf-initiative")
    PartnerFactory(slug="unicef-partner")
    assert "niaf-initiative" in client.get("/admin/initiatives/initiative/").content.decode()
    assert "unicef-partner" in client.get("/admin/initiatives/partner/").content.decode()


def test_the_list_shows_file_sizes_with_units_and_whether_the_text_was_read(client):
    version = VersionFactory(language="fr")
    version.file_size = 1_572_864
    version.extraction_status = "done"
    version.save()
    client.force_login(resource_curator())
    page = client.get(CHANGELIST).content.decode()
    assert "fr: 1.5\xa0MB, Read" in page


def test_the_add_form_shows_a_file_upload_at_once(client):
    client.force_login(resource_curator())
    page = client.get("/admin/resources/resource/add/").content.decode()
    assert 'name="versions-0-file"' in page


def test_a_delete_confirmation_names_the_links_between_records(client):
    topic = TopicFactory(name_en="Kinship care")
    resource = ResourceFactory(title_en="Guide to care", topics=[topic])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"{CHANGELIST}{resource.pk}/delete/").content.decode()
    assert "Guide to care – Kinship care" in page
    assert "Resource_topics object" not in page


def test_the_edit_link_is_for_staff_who_may_edit_only(client):
    resource = ResourceFactory()
    edit = f'href="/admin/resources/resource/{resource.pk}/change/"'
    url = resource.get_absolute_url()
    assert edit not in client.get(url).content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert edit not in client.get(url).content.decode()
    client.force_login(resource_curator())
    assert edit in client.get(url).content.decode()
    # Signed out again: the page kept for readers never carries it.
    client.logout()
    assert edit not in client.get(url).content.decode()


def test_a_whitespace_only_resave_of_a_resource_logs_nothing(client):
    resource = ResourceFactory(summary_en="First line.\nSecond line.")
    client.force_login(resource_curator())
    before = LogEntry.objects.count()
    data = {
        "title_en": resource.title_en + " ",
        "slug": resource.slug,
        "summary_en": "First line.\r\nSecond line.  ",
        "type": resource.type,
        "publication_date": "2019-01-01",
        "publication_precision": resource.publication_precision,
        "status": resource.status,
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    assert client.post(f"{CHANGELIST}{resource.pk}/change/", data).status_code == 302
    assert LogEntry.objects.count() == before


def test_the_list_reads_files_and_languages_in_constant_queries(client, django_assert_num_queries):
    client.force_login(resource_curator())
    VersionFactory.create_batch(2)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    VersionFactory.create_batch(5)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(CHANGELIST)
    assert page.content.decode().count("en: ") == 7


def test_a_newsletter_issues_edit_link_is_for_its_editors_only(client):
    issue = IssueFactory(
        status=Issue.Status.SENT, started_at=timezone.now(), finished_at=timezone.now()
    )
    edit = f'href="/admin/newsletters/issue/{issue.pk}/change/"'
    url = issue.get_absolute_url()
    assert edit not in client.get(url).content.decode()
    client.force_login(newsletter_editor())
    assert edit in client.get(url).content.decode()


def test_when_the_file_cannot_be_kept_the_check_still_stands(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocked  # saving under it fails as a broken disk would
    client.force_login(resource_curator())
    response = client.post(IMPORT, {"file": upload(), "_check": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the same file again" in page and "_import_checked" not in page
    # The file chosen again imports as before.
    assert client.post(IMPORT, {"file": upload(), "_import": "1"}).status_code == 302
    assert Resource.objects.count() == 2
