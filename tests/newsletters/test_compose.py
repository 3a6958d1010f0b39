"""Writing an issue in admin: the live preview's endpoint, the Preview button without
JavaScript, and the buttons that save before previewing the e-mail or sending a test."""

import pytest
from django.core import mail as outbox
from django.test import Client

from newsletters.models import Issue
from tests.initiatives.factories import UserFactory, content_editor

from .factories import IssueFactory, NewsletterListFactory, newsletter_editor

pytestmark = pytest.mark.django_db

DRAFT_PREVIEW = "/admin/newsletters/issue/preview/draft/"


@pytest.fixture
def editor_client(client):
    client.editor = newsletter_editor()
    client.force_login(client.editor)
    return client


@pytest.fixture
def strict_client():
    """A client that checks CSRF tokens as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(newsletter_editor())
    return client


def csrf_token(client):
    page = client.get("/admin/newsletters/issue/add/")
    assert page.status_code == 200
    return page.context["csrf_token"]


def form_data(issue, **changes):
    data = {
        "newsletter": issue.newsletter_id,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "body": issue.body,
    }
    return {**data, **changes}


# The preview endpoint


def test_the_draft_preview_renders_markdown_right_to_left_for_an_arabic_list(strict_client):
    arabic = NewsletterListFactory(language="ar")
    response = strict_client.post(
        DRAFT_PREVIEW,
        {
            "csrfmiddlewaretoken": csrf_token(strict_client),
            "body": "## أخبار\n\nنشرة **حماية الطفل**<script>alert(1)</script>",
            "subject": "نشرة كانون الأول",
            "newsletter": arabic.pk,
        },
    )
    assert response.status_code == 200
    answer = response.json()
    assert (answer["lang"], answer["dir"]) == ("ar", "rtl")
    assert "<h2>أخبار</h2>" in answer["html"]
    assert "<strong>حماية الطفل</strong>" in answer["html"]
    assert "نشرة كانون الأول" in answer["html"]
    assert "<script" not in answer["html"] and "alert" not in answer["html"]
    assert "no-store" in response["Cache-Control"]
    assert not Issue.objects.exists()


def test_the_draft_preview_needs_the_forms_csrf_token(strict_client):
    response = strict_client.post(DRAFT_PREVIEW, {"body": "**hello**"})
    assert response.status_code == 403
    assert "hello" not in response.content.decode()


def test_the_draft_preview_is_for_staff_who_write_issues(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.post(DRAFT_PREVIEW, {"body": "**hello**"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(content_editor())
    assert client.post(DRAFT_PREVIEW, {"body": "**hello**"}).status_code == 403


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({}, 400),
        ({"body": "x", "newsletter": "global"}, 400),
        ({"body": "x", "newsletter": "999999"}, 400),
        ({"body": "x" * 100_001}, 413),
    ],
)
def test_bad_drafts_get_a_clear_4xx_never_a_500(editor_client, data, status):
    response = editor_client.post(DRAFT_PREVIEW, data)
    assert response.status_code == status
    assert response.json()["error"]


@pytest.mark.parametrize(
    "body",
    ["a\x00b", "> " * 500 + "deep", "<div>" * 2000, "[" * 5000, "*a" * 3000, "\ud7ff\ufffd", ""],
)
def test_odd_drafts_are_previewed_not_crashed_on(editor_client, body):
    response = editor_client.post(DRAFT_PREVIEW, {"body": body})
    assert response.status_code == 200
    assert "<script" not in response.json()["html"]


def test_the_draft_preview_is_posted_not_fetched(editor_client):
    response = editor_client.get(DRAFT_PREVIEW, {"body": "x"})
    assert response.status_code == 405


def test_a_draft_without_a_list_yet_previews_left_to_right(editor_client):
    answer = editor_client.post(DRAFT_PREVIEW, {"body": "- a\n- b", "newsletter": ""}).json()
    assert (answer["lang"], answer["dir"]) == ("en", "ltr")
    assert "<li>a</li>" in answer["html"]


# The page


def test_the_issue_page_has_the_preview_beside_the_body_in_the_lists_direction(editor_client):
    issue = IssueFactory(newsletter=NewsletterListFactory(language="ar"), body="**مرحبا**")
    page = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/change/").content.decode()
    assert '<div class="compose-preview" lang="ar" dir="rtl">' in page
    assert "<strong>مرحبا</strong>" in page
    assert '<script src="/static/js/newsletter-compose.js" defer></script>' in page
    assert 'data-preview-url="/admin/newsletters/issue/preview/draft/"' in page
    # No inline script or style: the CSP allows none.
    assert "<script>" not in page and " style=" not in page.split("<body", 1)[1]


# Without JavaScript


def test_preview_without_javascript_shows_the_unsaved_draft_and_keeps_the_typed_text(
    editor_client,
):
    issue = IssueFactory(subject="Saved subject", body="Saved body")
    typed = "## Typed heading\n\nTyped *body* that is not saved yet"
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, subject="Typed subject", body=typed, _preview="1"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Typed heading</h2>" in page  # the preview panel
    assert "Typed <em>body</em> that is not saved yet" in page
    assert "Typed subject" in page
    form = response.context["adminform"].form
    assert form["body"].value() == typed  # the form comes back filled
    assert form["subject"].value() == "Typed subject"
    assert "your changes are not saved yet" in page
    issue.refresh_from_db()
    assert (issue.subject, issue.body) == ("Saved subject", "Saved body")


def test_preview_of_a_new_issue_creates_nothing(editor_client):
    newsletter = NewsletterListFactory(language="fr")
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"newsletter": newsletter.pk, "subject": "Nouvelles", "body": "*Bonjour*", "_preview": "1"},
    )
    assert response.status_code == 200
    assert '<div class="compose-preview" lang="fr" dir="ltr">' in response.content.decode()
    assert "<em>Bonjour</em>" in response.content.decode()
    assert not Issue.objects.exists()


def test_preview_of_an_invalid_draft_shows_what_save_would_refuse(editor_client):
    issue = IssueFactory()
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, subject="Two\nlines", body="Still **previewed**", _preview="1"),
    )
    assert response.status_code == 200
    assert "Still <strong>previewed</strong>" in response.content.decode()
    assert "subject" in response.context["adminform"].form.errors


# Saving


def test_the_markdown_source_is_what_is_stored(editor_client):
    newsletter = NewsletterListFactory()
    source = "## News\n\n- one\n- [two](https://example.org)"
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"newsletter": newsletter.pk, "subject": "News", "body": source.replace("\n", "\r\n")},
    )
    assert response.status_code == 302
    assert Issue.objects.get().body == source


@pytest.mark.parametrize("body", ["<script>alert(1)</script>", "<div><style>p{}</style></div>"])
def test_a_body_empty_once_cleaned_is_refused_with_a_clear_message(editor_client, body):
    newsletter = NewsletterListFactory()
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"newsletter": newsletter.pk, "subject": "News", "body": body},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "The body is empty once unsafe HTML is removed."
    ]
    assert not Issue.objects.exists()


def test_an_image_from_another_site_is_refused_with_the_way_to_add_one(editor_client):
    issue = IssueFactory()
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, body="Look ![pixel](https://tracker.example/p.gif)"),
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["body"]
    assert "Images must be uploaded to the portal" in error
    assert "https://tracker.example/p.gif" in error


def test_save_and_send_a_test_saves_first_then_the_test_copy_is_the_edit(
    editor_client, eager_celery, django_capture_on_commit_callbacks
):
    issue = IssueFactory(subject="May news", body="Old text")
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, body="New **text**", _save_test="1"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/newsletters/issue/{issue.pk}/test/"
    issue.refresh_from_db()
    assert issue.body == "New **text**"
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(response["Location"])
    [message] = outbox.outbox
    assert "New text" in message.body
    assert "<strong>text</strong>" in message.alternatives[0][0]


def test_save_and_send_a_test_with_an_invalid_form_saves_nothing_and_sends_nothing(
    editor_client, eager_celery
):
    issue = IssueFactory(subject="May news", body="Old text")
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, subject="", body="New text", _save_test="1"),
    )
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.body == "Old text"
    assert outbox.outbox == []


def test_save_and_preview_the_email_shows_the_saved_edit(editor_client):
    issue = IssueFactory(body="Old text")
    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/",
        form_data(issue, body="| A | B |\n|---|---|\n| 1 | 2 |", _save_email_preview="1"),
        follow=True,
    )
    assert response.redirect_chain == [(f"/admin/newsletters/issue/{issue.pk}/preview/", 302)]
    html = response.content.decode()
    assert '<td style="border:1px solid #d5dbe1;padding:4px 8px;">2</td>' in html
    assert "Old text" not in html


# Readers


def test_the_archive_page_and_feed_show_the_rendered_markdown(client):
    issue = IssueFactory(status="sent", body="## Highlights\n\n*Read* [more](/en/resources/)")
    Issue.objects.filter(pk=issue.pk).update(started_at="2026-11-30T10:00Z")
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "<h2>Highlights</h2>" in page
    assert '<em>Read</em> <a href="/en/resources/" rel="noopener noreferrer">more</a>' in page
    assert "## Highlights" not in page
    feed = client.get(f"/en/newsletters/{issue.newsletter.slug}/feed/").content.decode()
    assert "&lt;h2&gt;Highlights&lt;/h2&gt;" in feed


def test_a_body_too_long_is_refused_before_it_is_rendered(editor_client):
    newsletter = NewsletterListFactory()
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"newsletter": newsletter.pk, "subject": "News", "body": "x" * 100_001},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "The body is too long: at most 100000 characters."
    ]
    assert not Issue.objects.exists()
