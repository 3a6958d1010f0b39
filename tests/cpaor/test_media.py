"""Uploaded files come back as downloads with their real type, never as a page; the files
of drafts only to the editors who see the drafts, never from a shared cache."""

import pytest

from initiatives.models import Initiative
from resources.models import Resource
from tests.initiatives.factories import InitiativeFactory, content_editor
from tests.resources.factories import ResourceFactory, VersionFactory, resource_curator

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for folder in ("resources", "initiatives", "partners"):
        (tmp_path / folder).mkdir()
    (tmp_path / "resources" / "toolkit.pdf").write_bytes(b"%PDF-1.7\n%test\n")
    (tmp_path / "resources" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    (tmp_path / "resources" / "notes.html").write_bytes(b"<script>alert(1)</script>")
    (tmp_path / "resources" / "draft.pdf").write_bytes(b"%PDF-1.7\n%draft plans\n")
    (tmp_path / "resources" / "draft-cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 20)
    (tmp_path / "resources" / "replaced.pdf").write_bytes(b"%PDF-1.7\n%an old file\n")
    (tmp_path / "initiatives" / "draft-hero.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"2" * 20)
    (tmp_path / "partners" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"3" * 20)
    (tmp_path.parent / "secret.txt").write_text("outside the media folder")
    published = ResourceFactory(thumbnail="resources/cover.png")
    VersionFactory(resource=published, language="en", file="resources/toolkit.pdf")
    VersionFactory(resource=published, language="fr", file="resources/notes.html")
    draft = ResourceFactory(status=Resource.Status.DRAFT, thumbnail="resources/draft-cover.png")
    VersionFactory(resource=draft, file="resources/draft.pdf")
    InitiativeFactory(is_published=False, hero_image="initiatives/draft-hero.png")
    return tmp_path


def test_a_document_is_a_download_with_its_real_type(client, media):
    response = client.get("/media/resources/toolkit.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="toolkit.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_image_may_show_inline(client, media):
    response = client.get("/media/resources/cover.png")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_html_is_never_rendered_as_a_page_of_the_portal(client, media):
    response = client.get("/media/resources/notes.html")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/missing.pdf"]
)
def test_nothing_outside_the_media_folder_or_missing_is_served(client, media, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"outside the media folder" not in response.content


def test_uploads_cannot_be_posted_to(client, media):
    assert client.post("/media/resources/toolkit.pdf").status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/media/resources/toolkit.pdf", "/media/resources/cover.png", "/media/partners/logo.png"],
)
def test_files_of_published_content_are_cached_publicly(client, media, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"


@pytest.mark.parametrize(
    "path",
    [
        "/media/resources/draft.pdf",
        "/media/resources/draft-cover.png",
        "/media/resources//draft.pdf",
        "/media/resources/./draft.pdf",
        "/media/./resources/draft.pdf",
        "/media/initiatives/draft-hero.png",
    ],
)
def test_the_files_of_drafts_are_not_found_by_the_public(client, media, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"draft plans" not in response.content
    assert "public" not in response.get("Cache-Control", "")


def test_a_file_that_belongs_to_no_resource_is_not_served(client, media):
    client.force_login(resource_curator())
    assert client.get("/media/resources/replaced.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/media/resources/draft.pdf", "/media/resources/draft-cover.png"])
def test_curators_get_a_drafts_files_kept_out_of_shared_caches(client, media, path):
    client.force_login(resource_curator())
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(media.joinpath(path[7:]).read_bytes())


def test_editors_get_a_draft_initiatives_picture_kept_out_of_shared_caches(client, media):
    client.force_login(content_editor())
    response = client.get("/media/initiatives/draft-hero.png")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    Initiative.objects.update(is_published=True)
    assert client.get("/media/initiatives/draft-hero.png")["Cache-Control"].startswith("public")


def test_a_resource_published_later_serves_its_file_publicly(client, media):
    Resource.objects.filter(status=Resource.Status.DRAFT).update(status=Resource.Status.PUBLISHED)
    response = client.get("/media/resources/draft.pdf")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
