"""Images for issue bodies: uploaded in admin with a text alternative, accepted by their
content, served by the portal, and in the e-mail at the site's absolute address."""

import io
import re

import pytest
from django.core import mail as outbox
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from newsletters.models import IssueImage
from tests.initiatives.factories import UserFactory, content_editor

from .factories import IssueFactory, newsletter_editor

pytestmark = pytest.mark.django_db

ADD = "/admin/newsletters/issueimage/add/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor_client(client):
    client.editor = newsletter_editor()
    client.force_login(client.editor)
    return client


def picture(kind="PNG", size=(40, 30), name="Map of the region.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 83, 148)).save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def upload(client, file, alt="Map of the region", issue=None):
    data = {"image": file, "alt_text": alt}
    if issue is not None:
        data["issue"] = issue.pk
    return client.post(ADD, data)


def test_an_editor_uploads_a_png_and_gets_its_markdown_on_the_issue_page(editor_client, media):
    issue = IssueFactory()
    response = upload(editor_client, picture(), issue=issue)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/newsletters/issue/{issue.pk}/change/#compose-images"
    image = IssueImage.objects.get()
    assert (image.width, image.height, image.issue, image.uploaded_by) == (
        40,
        30,
        issue,
        editor_client.editor,
    )
    assert re.fullmatch(
        r"newsletters/images/\d{4}/\d{2}/map-of-the-region-[0-9a-f]{8}\.png", image.image.name
    )
    assert (media / image.image.name).is_file()
    snippet = f"![Map of the region](/media/{image.image.name})"
    page = editor_client.get(response["Location"]).content.decode()
    assert "Image uploaded. Copy this into the body where it should appear" in page
    assert f'value="{snippet}"' in page  # listed under the body, ready to copy
    served = editor_client.get(f"/media/{image.image.name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_alt_text_is_required(editor_client):
    response = upload(editor_client, picture(), alt="")
    assert response.status_code == 200
    assert "alt_text" in response.context["adminform"].form.errors
    assert not IssueImage.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(editor_client, media):
    text = SimpleUploadedFile("notes.txt", b"Not a picture at all", content_type="text/plain")
    response = upload(editor_client, text)
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not IssueImage.objects.exists()
    assert not any(media.rglob("*.*"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "valid image"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "valid image"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "program"),
    ],
)
def test_a_file_renamed_png_is_refused(editor_client, content, message):
    renamed = SimpleUploadedFile("photo.png", content, content_type="image/png")
    response = upload(editor_client, renamed)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["image"]
    assert message in error
    assert not IssueImage.objects.exists()


def test_an_image_of_a_format_e_mails_do_not_show_is_refused_whatever_its_name(editor_client):
    response = upload(editor_client, picture(kind="BMP", name="scan.png"))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["image"]
    assert error.startswith("Choose a JPEG, PNG, WebP or GIF image.")


def test_the_stored_name_follows_the_content_not_the_name(editor_client):
    assert upload(editor_client, picture(kind="GIF", name="animation.png")).status_code == 302
    assert upload(editor_client, picture(kind="WEBP", name="photo.jpg")).status_code == 302
    names = sorted(image.image.name.rsplit(".", 1)[1] for image in IssueImage.objects.all())
    assert names == ["gif", "webp"]


def test_an_image_too_large_or_too_heavy_is_refused(editor_client, settings):
    response = upload(editor_client, picture(size=(4001, 10)))
    assert "4001 × 10 pixels" in response.context["adminform"].form.errors["image"][0]
    settings.NEWSLETTER_IMAGE_MAX_BYTES = 100
    response = upload(editor_client, picture())
    assert "images can be at most 100" in response.context["adminform"].form.errors["image"][0]
    assert not IssueImage.objects.exists()


def test_people_who_do_not_write_issues_cannot_upload(client):
    client.force_login(content_editor())
    assert upload(client, picture()).status_code == 403
    assert not IssueImage.objects.exists()


def test_the_email_shows_the_image_at_the_sites_address_and_its_alt_text_in_plain_text(
    editor_client, eager_celery, django_capture_on_commit_callbacks
):
    issue = IssueFactory(subject="Field visit")
    upload(editor_client, picture(), alt="Children at a learning centre", issue=issue)
    image = IssueImage.objects.get()
    issue.body = f"Our visit:\n\n![Children at a learning centre]({image.image.url})"
    issue.save()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/newsletters/issue/{issue.pk}/test/")
    [message] = outbox.outbox  # through the locmem backend
    html = message.alternatives[0][0]
    assert f'src="http://testserver/media/{image.image.name}"' in html
    assert 'alt="Children at a learning centre"' in html
    assert "Our visit:\n\nChildren at a learning centre" in message.body
    assert "/media/" not in message.body


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def stored_images(issue, count):
    for n in range(count):
        IssueImage.objects.create(
            issue=issue,
            image=f"newsletters/images/2026/12/picture-{issue.pk}-{n}.png",
            alt_text=f"Picture {n}",
            width=40,
            height=30,
            uploaded_by=UserFactory(),
        )


def test_the_image_list_and_the_issue_page_cost_the_same_queries_for_one_image_or_twenty(
    editor_client,
):
    few, many = IssueFactory(), IssueFactory()
    stored_images(few, 1)
    queries(
        editor_client, f"/admin/newsletters/issue/{few.pk}/change/"
    )  # fills the in-process caches
    before = queries(editor_client, "/admin/newsletters/issueimage/")
    issue_page = queries(editor_client, f"/admin/newsletters/issue/{few.pk}/change/")
    stored_images(many, 20)
    assert queries(editor_client, "/admin/newsletters/issueimage/") == before
    assert queries(editor_client, f"/admin/newsletters/issue/{many.pk}/change/") == issue_page
    page = editor_client.get(f"/admin/newsletters/issue/{many.pk}/change/").content.decode()
    assert page.count('class="compose-snippet"') == 20


def test_a_large_image_is_given_the_emails_width_for_mail_programs_that_ignore_styles(
    editor_client,
):
    from newsletters import mail

    issue = IssueFactory()
    upload(editor_client, picture(size=(1200, 800)), alt="Wide", issue=issue)
    upload(editor_client, picture(size=(40, 30)), alt="Small", issue=issue)
    wide, small = (IssueImage.objects.get(alt_text=alt) for alt in ("Wide", "Small"))
    issue.body = f"![Wide]({wide.image.url})\n\n![Small]({small.image.url})"
    html = mail.render_issue(issue).html
    assert f'src="http://testserver/media/{wide.image.name}" width="592" height="395"' in html
    assert f'src="http://testserver/media/{small.image.name}" width="40" height="30"' in html
