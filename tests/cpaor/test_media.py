"""Uploaded files come back as downloads with their real type, never as a page."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "toolkit.pdf").write_bytes(b"%PDF-1.7\n%test\n")
    (tmp_path / "resources" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    (tmp_path / "resources" / "notes.html").write_bytes(b"<script>alert(1)</script>")
    (tmp_path.parent / "secret.txt").write_text("outside the media folder")
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
