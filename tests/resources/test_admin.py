from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.audit import trail_for
from resources.models import Resource, ResourceVersion

from .factories import ResourceFactory, TopicFactory, content_editor, resource_curator
from .files import EXE_BYTES, PNG_BYTES, pdf_bytes

pytestmark = pytest.mark.django_db

ADD = "/admin/resources/resource/add/"
CHANGELIST = "/admin/resources/resource/"


def resource_form(**overrides):
    data = {
        "title_en": "Alternative care in emergencies",
        "slug": "alternative-care",
        "summary_en": "How coordinators plan alternative care.",
        "type": "toolkit",
        "publication_date": "2019-01-01",
        "publication_precision": "year",
        "status": "published",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-language": "en",
        "versions-0-external_url": "",
    }
    data.update(overrides)
    return data


def test_a_curator_uploads_a_pdf_and_its_text_is_read_after_commit(
    client, django_capture_on_commit_callbacks
):
    client.force_login(resource_curator())
    upload = SimpleUploadedFile("Guide final.pdf", pdf_bytes(["Kinship care"]))
    with (
        mock.patch("resources.tasks.extract_version_text.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(ADD, resource_form(**{"versions-0-file": upload}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    version = ResourceVersion.objects.get()
    delay.assert_called_once_with(version.pk)
    assert version.file.name.startswith("resources/files/guide-final-")
    assert (version.file_format, version.extraction_status) == ("pdf", "pending")
    assert list(Resource.objects.search("alternative care", "en")) == [version.resource]


def test_a_renamed_program_is_refused_in_admin(client):
    client.force_login(resource_curator())
    upload = SimpleUploadedFile("report.pdf", EXE_BYTES)
    response = client.post(ADD, resource_form(**{"versions-0-file": upload}))
    assert response.status_code == 200
    assert "is a program, not a document" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_version_needs_a_file_or_a_link_in_admin(client):
    client.force_login(resource_curator())
    response = client.post(ADD, resource_form(**{"versions-0-language": "fr"}))
    assert "Upload a file or give a link" in response.content.decode()


def test_curators_filter_and_search_the_list(client):
    client.force_login(resource_curator())
    topic = TopicFactory()
    ResourceFactory(title_en="Kinship care", topics=[topic])
    for params in (
        {"q": "kinship"},
        {"type": "guidance", "is_key__exact": "0", "status__exact": "published"},
        {"language": "fr", "year": "2019", "topics__id__exact": topic.pk},
    ):
        assert client.get(CHANGELIST, params).status_code == 200


def test_bulk_actions_publish_and_mark_key(client):
    client.force_login(resource_curator())
    drafts = [ResourceFactory(status=Resource.Status.DRAFT) for _ in range(2)]
    ids = [str(resource.pk) for resource in drafts]
    client.post(CHANGELIST, {"action": "publish", "_selected_action": ids})
    client.post(CHANGELIST, {"action": "mark_key", "_selected_action": ids})
    assert Resource.objects.published().filter(is_key=True).count() == 2
    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": ids[:1]})
    assert Resource.objects.published().count() == 1


def test_a_content_editor_may_not_change_resources(client):
    client.force_login(content_editor())
    resource = ResourceFactory()
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{resource.pk}/change/").status_code == 403
    assert client.post(ADD, resource_form()).status_code == 403


def test_a_curator_previews_a_draft_on_the_site_and_sees_downloads_in_the_list(client):
    client.force_login(resource_curator())
    draft = ResourceFactory(status=Resource.Status.DRAFT, title_en="Draft toolkit")
    Resource.objects.filter(pk=draft.pk).update(download_count=42)
    change = client.get(f"{CHANGELIST}{draft.pk}/change/").content.decode()
    assert "View on site" in change
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "This resource is a draft" in preview.content.decode()
    assert preview["X-Robots-Tag"] == "noindex"
    changelist = client.get(CHANGELIST).content.decode()
    assert 'class="field-download_count">42<' in changelist
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_curator_may_search_topics_for_the_autocomplete(client):
    client.force_login(resource_curator())
    TopicFactory(name_en="Localisation")
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "resources", "model_name": "resource", "field_name": "topics", "term": "loc"},
    )
    assert [item["text"] for item in response.json()["results"]] == ["Localisation"]


def trail(resource):
    """(who, what) of each audit line of a resource, oldest first."""
    return list(trail_for(resource).order_by("pk").values_list("user__username", "change_message"))


def test_publishing_from_the_list_dates_the_first_publication_once_and_is_in_the_trail(client):
    curator = resource_curator()
    client.force_login(curator)
    draft = ResourceFactory(status=Resource.Status.DRAFT)
    selected = {"_selected_action": [str(draft.pk)]}
    client.post(CHANGELIST, {"action": "publish", **selected})
    first = Resource.objects.get(pk=draft.pk).published_at
    assert first is not None
    client.post(CHANGELIST, {"action": "unpublish", **selected})
    client.post(CHANGELIST, {"action": "publish", **selected})
    client.post(CHANGELIST, {"action": "publish", **selected})  # already published
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("published", first)
    name = curator.username
    assert trail(draft) == [(name, "Published"), (name, "Unpublished"), (name, "Published")]


def test_publishing_with_the_form_dates_the_first_publication_once_and_is_in_the_trail(client):
    curator = resource_curator()
    client.force_login(curator)
    response = client.post(ADD, resource_form(status="draft"))
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.published_at is None
    change = f"{CHANGELIST}{resource.pk}/change/"
    client.post(change, resource_form(status="published"))
    resource.refresh_from_db()
    first = resource.published_at
    assert (resource.status, first is not None) == ("published", True)
    client.post(change, resource_form(status="draft"))
    client.post(change, resource_form(status="published", title_en="Alternative care, 2nd ed."))
    resource.refresh_from_db()
    assert (resource.status, resource.published_at) == ("published", first)
    assert resource.title_en == "Alternative care, 2nd ed."
    name = curator.username
    assert trail(resource) == [
        (name, "Created"),
        (name, "Published"),
        (name, "Unpublished"),
        (name, "Published; changed title_en"),
    ]


def test_a_resource_created_published_with_a_link_has_one_line_for_itself_and_one_for_its_link(
    client,
):
    client.force_login(resource_curator())
    client.post(ADD, resource_form(**{"versions-0-external_url": "https://example.org/g.pdf"}))
    resource = Resource.objects.get()
    assert resource.published_at is not None
    entries = list(trail_for(resource).order_by("pk"))
    assert [entry.get_change_message() for entry in entries] == [
        "Created and published",
        "Added language version “Alternative care in emergencies (English)”.",
    ]


def test_a_curator_adds_changes_and_clears_a_thumbnail_in_the_form(client):
    client.force_login(resource_curator())
    cover = SimpleUploadedFile("Cover.png", PNG_BYTES, content_type="image/png")
    assert client.post(ADD, resource_form(thumbnail=cover)).status_code == 302
    resource = Resource.objects.get()
    assert resource.thumbnail.name.startswith("resources/thumbnails/cover-")
    assert resource.thumbnail.read() == PNG_BYTES
    change = f"{CHANGELIST}{resource.pk}/change/"
    other = SimpleUploadedFile("Other.png", PNG_BYTES, content_type="image/png")
    assert client.post(change, resource_form(thumbnail=other)).status_code == 302
    resource.refresh_from_db()
    assert resource.thumbnail.name.startswith("resources/thumbnails/other-")
    assert client.post(change, resource_form(**{"thumbnail-clear": "on"})).status_code == 302
    resource.refresh_from_db()
    assert not resource.thumbnail
