import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from common.audit import trail_for
from resources.models import Resource, ResourceVersion
from tests.initiatives.factories import (
    CountryFactory,
    InitiativeFactory,
    PartnerFactory,
    RegionFactory,
    UserFactory,
)

from .factories import (
    ResourceFactory,
    TopicFactory,
    VersionFactory,
    content_editor,
    resource_curator,
)

pytestmark = pytest.mark.django_db

IMPORT = "/admin/resources/resource/import/"
EXPORT = "/admin/resources/resource/export/"
CHANGELIST = "/admin/resources/resource/"

HEADER = (
    "slug,title_en,title_fr,summary_en,type,topics,initiatives,regions,countries,"
    "publishers,publication_date,is_key,status,links"
)


@pytest.fixture
def vocabulary():
    region = RegionFactory(slug="eastern-southern-africa")
    return {
        "topic": TopicFactory(slug="localisation"),
        "other_topic": TopicFactory(slug="mhpss"),
        "initiative": InitiativeFactory(slug="niaf", is_published=True),
        "region": region,
        "country": CountryFactory(iso_code="KE", region=region),
        "partner": PartnerFactory(slug="unicef"),
    }


def csv_file(*rows, header=HEADER, name="batch.csv"):
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


GOOD_ROWS = (
    "localisation-toolkit,Localisation toolkit,Boîte à outils localisation,"
    "How to localise coordination.,toolkit,localisation|mhpss,niaf,eastern-southern-africa,"
    "ke,unicef,2021-05,yes,published,en=https://example.org/toolkit.pdf",
    "niaf-guide,NIAF guide,,A guide to the NIAF.,guidance,,,,,,2019,no,draft,",
)


def post(client, upload, *, dry_run):
    button = "_check" if dry_run else "_import"
    return client.post(IMPORT, {"file": upload, button: "1"})


def errors_of(response):
    return [(error.row, error.column, error.message) for error in response.context["report"].errors]


def test_a_dry_run_reports_what_would_be_created_and_imports_nothing(client, vocabulary):
    client.force_login(resource_curator())
    response = post(client, csv_file(*GOOD_ROWS), dry_run=True)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.dry_run
    assert report.created == ["localisation-toolkit", "niaf-guide"]
    assert "Importing this file will create 2" in response.content.decode()
    assert not Resource.objects.exists()
    assert not ResourceVersion.objects.exists()


def test_an_import_creates_the_resources_with_their_relations(client, vocabulary):
    client.force_login(resource_curator())
    response = post(client, csv_file(*GOOD_ROWS), dry_run=False)
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    toolkit = Resource.objects.get(slug="localisation-toolkit")
    assert (toolkit.title_en, toolkit.title_fr) == (
        "Localisation toolkit",
        "Boîte à outils localisation",
    )
    assert (toolkit.type, toolkit.is_key, toolkit.status) == ("toolkit", True, "published")
    assert toolkit.published_at is not None
    assert str(toolkit.publication_date) == "2021-05-01"
    assert toolkit.publication_precision == "month"
    assert {t.slug for t in toolkit.topics.all()} == {"localisation", "mhpss"}
    assert [i.slug for i in toolkit.initiatives.all()] == ["niaf"]
    assert [c.iso_code for c in toolkit.countries.all()] == ["KE"]
    assert [p.slug for p in toolkit.publishers.all()] == ["unicef"]
    version = toolkit.versions.get()
    assert (version.language, version.external_url) == ("en", "https://example.org/toolkit.pdf")
    guide = Resource.objects.get(slug="niaf-guide")
    assert (guide.status, guide.published_at, guide.title_fr) == ("draft", None, None)
    # Imported resources are searchable at once.
    assert list(Resource.objects.search("localise", "en")) == [toolkit]


def test_importing_the_same_file_twice_changes_nothing(client, vocabulary):
    client.force_login(resource_curator())
    post(client, csv_file(*GOOD_ROWS), dry_run=False)
    first = list(Resource.objects.order_by("pk").values())
    response = post(client, csv_file(*GOOD_ROWS), dry_run=True)
    report = response.context["report"]
    assert (report.created, report.updated) == ([], [])
    assert report.unchanged == ["localisation-toolkit", "niaf-guide"]
    post(client, csv_file(*GOOD_ROWS), dry_run=False)
    assert list(Resource.objects.order_by("pk").values()) == first
    assert ResourceVersion.objects.count() == 1


def test_a_row_with_an_existing_slug_updates_that_resource(client, vocabulary):
    client.force_login(resource_curator())
    existing = ResourceFactory(
        slug="niaf-guide", title_en="Old title", topics=[vocabulary["topic"]]
    )
    response = post(
        client,
        csv_file("niaf-guide,New title,guidance,", header="slug,title_en,type,topics"),
        dry_run=False,
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.title_en == "New title"
    assert not existing.topics.exists()  # the column is there, and empty
    assert existing.status == "published"  # no status column: kept
    assert Resource.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("bad-type,Title,,,pamphlet,,,,,,2019,no,draft,", "type", "“pamphlet” is not a type"),
        ("unknown-topic,Title,,,report,nope|mhpss,,,,,2019,no,draft,", "topics", "nope"),
        ("bad-date,Title,,,report,,,,,,2019-13,no,draft,", "publication_date", "not a date"),
        ("bad-date-2,Title,,,report,,,,,,next year,no,draft,", "publication_date", "not a date"),
        ("no-title,,,,report,,,,,,2019,no,draft,", "title_en", "English title is required"),
        ("Bad Slug!,Title,,,report,,,,,,2019,no,draft,", "slug", "letters, numbers"),
        ("bad-key,Title,,,report,,,,,,2019,maybe,draft,", "is_key", "yes or no"),
        ("bad-status,Title,,,report,,,,,,2019,no,hidden,", "status", "published or draft"),
        ("bad-country,Title,,,report,,,,XX,,2019,no,draft,", "countries", "XX"),
        ("bad-link,Title,,,report,,,,,,2019,no,draft,de=https://x.org", "links", "language"),
        ("bad-url,Title,,,report,,,,,,2019,no,draft,en=javascript:alert(1)", "links", "web"),
    ],
)
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_imported(
    client, vocabulary, row, column, message
):
    client.force_login(resource_curator())
    response = post(client, csv_file(GOOD_ROWS[0], row), dry_run=False)
    assert response.status_code == 400
    errors = errors_of(response)
    assert [(error[0], error[1]) for error in errors] == [(3, column)]
    assert message in errors[0][2]
    assert "nothing was imported" in response.content.decode()
    assert not Resource.objects.exists()  # the good first row is not imported either


def test_a_slug_twice_in_the_file_is_reported_on_the_second_row(client, vocabulary):
    client.force_login(resource_curator())
    response = post(client, csv_file(GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]), dry_run=True)
    assert errors_of(response) == [(4, "slug", "“localisation-toolkit” is already on row 2.")]


def test_every_bad_row_is_reported_at_once(client, vocabulary):
    client.force_login(resource_curator())
    response = post(
        client,
        csv_file(
            "a,,,,report,,,,,,2019,no,draft,",
            "b,Title,,,report,,,,,,2019,no,draft,",
            "c,Title,,,thing,,,,,,1999-02-30,no,draft,",
        ),
        dry_run=True,
    )
    assert [(row, column) for row, column, _message in errors_of(response)] == [
        (2, "title_en"),
        (4, "type"),
        (4, "publication_date"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"slug,title_en\nx,y\n", "This required column is missing"),
        (b"slug,title_en,type,colour\nx,y,report,red\n", "Unknown column"),
        (b"slug,title_en,type\n", "no resources"),
        ("slug,title_en,type\nx,Lettre é,report\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_is_refused_clearly(client, content, message):
    client.force_login(resource_curator())
    upload = SimpleUploadedFile("batch.csv", content, content_type="text/csv")
    response = post(client, upload, dry_run=False)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Resource.objects.exists()


def test_a_link_cannot_replace_an_uploaded_file(client, vocabulary):
    client.force_login(resource_curator())
    version = VersionFactory(resource__slug="with-file", language="en")
    response = post(
        client,
        csv_file(
            "with-file,T,report,en=https://example.org/x.pdf", header="slug,title_en,type,links"
        ),
        dry_run=False,
    )
    assert response.status_code == 400
    assert errors_of(response)[0][:2] == (2, "links")
    version.refresh_from_db()
    assert version.file and not version.external_url


def read_export(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def test_an_export_imports_back_unchanged(client, vocabulary):
    client.force_login(resource_curator())
    post(client, csv_file(*GOOD_ROWS), dry_run=False)
    ResourceFactory(slug="formula", title_en="=HYPERLINK(evil)", title_ar="دليل التنسيق")
    before = list(Resource.objects.order_by("pk").values())
    rows = read_export(client.get(EXPORT))
    assert [row["slug"] for row in rows] == ["localisation-toolkit", "niaf-guide", "formula"]
    toolkit = rows[0]
    assert toolkit["topics"] == "localisation|mhpss"
    assert toolkit["countries"] == "KE"
    assert toolkit["publication_date"] == "2021-05"
    assert toolkit["links"] == "en=https://example.org/toolkit.pdf"
    assert rows[2]["title_en"] == "'=HYPERLINK(evil)"  # not run by a spreadsheet

    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    upload = SimpleUploadedFile("export.csv", stream.getvalue().encode(), content_type="text/csv")
    response = post(client, upload, dry_run=True)
    assert response.context["report"].unchanged == [row["slug"] for row in rows]
    post(client, SimpleUploadedFile("export.csv", stream.getvalue().encode()), dry_run=False)
    assert list(Resource.objects.order_by("pk").values()) == before


def test_the_export_follows_the_changelist_filters_and_search(client):
    client.force_login(resource_curator())
    ResourceFactory(slug="kinship", title_en="Kinship care", type="toolkit")
    ResourceFactory(slug="report", title_en="Annual report", type="report")
    ResourceFactory(slug="draft-toolkit", type="toolkit", status="draft")
    slugs = [row["slug"] for row in read_export(client.get(EXPORT, {"type__exact": "toolkit"}))]
    assert slugs == ["kinship", "draft-toolkit"]
    slugs = [row["slug"] for row in read_export(client.get(EXPORT, {"q": "annual"}))]
    assert slugs == ["report"]
    page = client.get(CHANGELIST, {"type__exact": "toolkit"}).content.decode()
    assert f"{EXPORT}?type__exact=toolkit" in page
    assert IMPORT in page


def test_the_export_action_writes_the_selected_resources(client):
    client.force_login(resource_curator())
    chosen = ResourceFactory(slug="chosen")
    ResourceFactory(slug="left-out")
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [str(chosen.pk)]}
    )
    assert [row["slug"] for row in read_export(response)] == ["chosen"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_export_runs_the_same_queries_however_many_resources(
    client, vocabulary, size, django_assert_num_queries
):
    client.force_login(resource_curator())
    for _ in range(size):
        ResourceFactory(topics=[vocabulary["topic"]], regions=[vocabulary["region"]], publishers=[])
    # session, user, 2 permissions, 3 filter choices (topics, years, initiatives), the
    # changelist's 2 counts, resources, 6 prefetches
    with django_assert_num_queries(16):
        rows = read_export(client.get(EXPORT))
    assert len(rows) == size


def test_only_resource_curators_and_superusers_may_import(client, vocabulary):
    for user in (content_editor(), UserFactory(is_staff=True)):
        client.force_login(user)
        assert client.get(IMPORT).status_code == 403
        assert post(client, csv_file(*GOOD_ROWS), dry_run=False).status_code == 403
        assert client.get(EXPORT).status_code == 403
    assert not Resource.objects.exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(IMPORT).status_code == 200
    assert post(client, csv_file(*GOOD_ROWS), dry_run=False).status_code == 302
    assert Resource.objects.count() == 2


def test_a_visitor_is_sent_to_the_admin_login(client):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("reversed,Safe title,Titre \u202egnp.exe,,report,,,,,,2019,no,draft,", "title_fr"),
        ('two-lines,"First line\nSecond line",,,report,,,,,,2019,no,draft,', "title_en"),
        ("separator,Line\u2028separated,,,report,,,,,,2019,no,draft,", "title_en"),
    ],
)
def test_a_title_that_is_not_one_line_of_text_is_that_rows_error(client, vocabulary, row, column):
    client.force_login(resource_curator())
    response = post(client, csv_file(GOOD_ROWS[0], row, GOOD_ROWS[1]), dry_run=False)
    assert response.status_code == 400
    errors = errors_of(response)
    assert [(error[0], error[1]) for error in errors] == [(3, column)]
    assert "Write this on one line" in errors[0][2]
    assert f"<td>3</td><td>{column}</td><td>Write this on one line" in response.content.decode()
    assert not Resource.objects.exists()


def test_an_import_dates_a_first_publication_once_and_puts_each_change_in_the_trail(
    client, vocabulary
):
    curator = resource_curator()
    client.force_login(curator)
    post(client, csv_file(*GOOD_ROWS), dry_run=False)
    toolkit = Resource.objects.get(slug="localisation-toolkit")
    first = toolkit.published_at
    assert first is not None
    header = "slug,title_en,type,status"
    for status in ("draft", "published"):
        row = f"localisation-toolkit,Localisation toolkit,toolkit,{status}"
        assert post(client, csv_file(row, header=header), dry_run=False).status_code == 302
    toolkit.refresh_from_db()
    assert (toolkit.status, toolkit.published_at) == ("published", first)
    assert [(entry.user, entry.change_message) for entry in trail_for(toolkit).order_by("pk")] == [
        (curator, "Created and published"),
        (curator, "Unpublished"),
        (curator, "Published"),
    ]
    guide = Resource.objects.get(slug="niaf-guide")
    assert [entry.change_message for entry in trail_for(guide)] == ["Created"]


def test_a_dry_run_leaves_no_line_in_the_trail(client, vocabulary):
    client.force_login(resource_curator())
    post(client, csv_file(*GOOD_ROWS), dry_run=True)
    assert not LogEntry.objects.exists()
