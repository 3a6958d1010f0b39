"""Editors working on an issue in admin: the buttons at the top save what was typed
before previewing or testing (or show the errors and send nothing), test copies go to
a few colleagues, a schedule is taken back to a draft, any issue is duplicated, a
cancelled issue says what it sent, and featured resources are named in the list's
language."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.models import OutboundEmail
from newsletters import services
from newsletters.models import Delivery, Issue
from tests.resources.factories import ResourceFactory

from .factories import IssueFactory, NewsletterListFactory, SubscriberFactory, newsletter_editor
from .factories import subscribe as add_to_list

pytestmark = pytest.mark.django_db

ISSUES = "/admin/newsletters/issue/"


@pytest.fixture
def editor_client(client):
    client.editor = newsletter_editor()
    client.force_login(client.editor)
    return client


def form_data(issue, **changes):
    return {
        "newsletter": issue.newsletter_id,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "body": issue.body,
        **changes,
    }


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def queued_test_copies():
    return OutboundEmail.objects.filter(context__kind="newsletter_test").order_by("pk")


def test_the_buttons_at_the_top_belong_to_the_form_being_edited(editor_client):
    issue = IssueFactory()
    html = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    form = html.split('id="issue_form"')[1].split("</form>")[0]
    assert 'name="_save_email_preview"' in form.split('class="submit-row issue-try"')[1]
    assert 'name="_save_test"' in form.split('class="submit-row issue-try"')[1]
    assert f"{ISSUES}{issue.pk}/test/" not in html.split('id="issue_form"')[0]


def test_an_unsaved_subject_is_saved_then_reaches_test_copies_to_colleagues(editor_client):
    issue = IssueFactory(subject="May news")
    saved = editor_client.post(
        f"{ISSUES}{issue.pk}/change/", form_data(issue, subject="June news", _save_test="1")
    )
    assert saved["Location"] == f"{ISSUES}{issue.pk}/test/"
    assert any(message.startswith("Saved.") for message in messages_of(saved))
    issue.refresh_from_db()
    assert issue.subject == "June news"
    page = editor_client.get(saved["Location"])
    assert page.status_code == 200
    assert editor_client.editor.email in page.content.decode()
    sent = editor_client.post(
        saved["Location"],
        {"addresses": f"{editor_client.editor.email}, ana@example.org\nomar@example.org"},
    )
    assert sent.status_code == 302
    assert any("Test copies are on their way to" in line for line in messages_of(sent))
    copies = list(queued_test_copies())
    assert [copy.to for copy in copies] == [
        [editor_client.editor.email],
        ["ana@example.org"],
        ["omar@example.org"],
    ]
    assert {copy.subject for copy in copies} == {"[TEST] June news"}


def test_an_invalid_edit_is_shown_with_its_errors_and_nothing_is_sent(editor_client):
    issue = IssueFactory(subject="May news")
    response = editor_client.post(
        f"{ISSUES}{issue.pk}/change/", form_data(issue, subject="", _save_test="1")
    )
    assert response.status_code in (200, 400)
    assert "This field is required" in response.content.decode()
    issue.refresh_from_db()
    assert issue.subject == "May news"
    assert not queued_test_copies().exists()


@pytest.mark.parametrize(
    ("addresses", "error"),
    [
        ("ana@example.org, not-an-address", "Not an e-mail address: not-an-address"),
        (", ".join(f"p{n}@example.org" for n in range(11)), "At most 10 addresses"),
        (" , ", "Give at least one e-mail address"),
    ],
)
def test_bad_test_addresses_are_refused_and_nothing_is_sent(editor_client, addresses, error):
    issue = IssueFactory()
    response = editor_client.post(f"{ISSUES}{issue.pk}/test/", {"addresses": addresses})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not queued_test_copies().exists()


def test_the_same_address_twice_gets_one_copy(editor_client):
    issue = IssueFactory()
    editor_client.post(
        f"{ISSUES}{issue.pk}/test/", {"addresses": "ana@example.org ana@example.org"}
    )
    assert queued_test_copies().count() == 1


def scheduled_issue():
    issue = IssueFactory()
    when = timezone.now() + datetime.timedelta(days=2)
    return services.issue_schedule(issue_id=issue.pk, when=when)


def test_a_schedule_is_taken_back_to_a_draft_and_the_watchdog_leaves_it(editor_client):
    issue = scheduled_issue()
    reader = add_to_list(SubscriberFactory(), issue.newsletter)
    page = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert f"{ISSUES}{issue.pk}/unschedule/" in page
    confirm = editor_client.get(f"{ISSUES}{issue.pk}/unschedule/")
    assert "It becomes a draft again" in confirm.content.decode()
    for _ in range(2):  # a second click changes nothing
        done = editor_client.post(f"{ISSUES}{issue.pk}/unschedule/")
        assert done["Location"] == f"{ISSUES}{issue.pk}/change/"
    assert any("Back to a draft" in line for line in messages_of(done))
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.DRAFT, None)
    assert LogEntry.objects.filter(object_id=str(issue.pk), change_message__startswith="unschedule")
    assert LogEntry.objects.filter(change_message__startswith="unschedule").count() == 1
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now())  # would be due
    services.newsletters_watchdog()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert not Delivery.objects.filter(issue=issue).exists()
    # Later it is sent once, to each reader once.
    services.issue_send_now(issue_id=issue.pk, actor=editor_client.editor)
    assert list(Delivery.objects.filter(issue=issue).values_list("subscriber", flat=True)) == [
        reader.pk
    ]


def test_only_a_scheduled_issue_can_be_unscheduled(editor_client):
    issue = IssueFactory()
    assert f"{ISSUES}{issue.pk}/unschedule/" not in (
        editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    )
    services.issue_send_now(issue_id=issue.pk)
    with pytest.raises(services.IssueStateError):
        services.issue_unschedule(issue_id=issue.pk)
    response = editor_client.post(f"{ISSUES}{issue.pk}/unschedule/")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING


def test_a_cancelled_schedule_says_nothing_was_sent_never_sending_finished(editor_client):
    issue = scheduled_issue()
    services.issue_cancel(issue_id=issue.pk)
    html = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert "nothing sent." in html
    assert "Sending finished" not in html and "sending finished" not in html
    progress = editor_client.get(f"{ISSUES}{issue.pk}/progress/").content.decode()
    assert "nothing sent." in progress
    assert "finished at" not in progress


def test_an_issue_cancelled_while_sending_says_how_many_copies_went(editor_client):
    issue = IssueFactory()
    for _ in range(3):
        add_to_list(SubscriberFactory(), issue.newsletter)
    services.issue_send_now(issue_id=issue.pk)
    Delivery.objects.filter(pk__in=issue.deliveries.values("pk")[:2]).update(
        status=Delivery.Status.SENT
    )
    services.issue_cancel(issue_id=issue.pk)
    html = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert "after 2 copies were sent." in html
    assert "sending finished" not in html.lower()


def test_any_issue_is_duplicated_as_a_new_draft(editor_client):
    resource = ResourceFactory()
    issue = IssueFactory(subject="Annual report", body="**Text**")
    issue.featured_resources.set([resource])
    services.issue_send_now(issue_id=issue.pk)
    services.issue_cancel(issue_id=issue.pk)
    page = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert f"{ISSUES}{issue.pk}/duplicate/" in page
    assert (
        "Make a new draft" in editor_client.get(f"{ISSUES}{issue.pk}/duplicate/").content.decode()
    )
    response = editor_client.post(f"{ISSUES}{issue.pk}/duplicate/")
    copy = Issue.objects.exclude(pk=issue.pk).get()
    assert response["Location"] == f"{ISSUES}{copy.pk}/change/"
    assert (copy.status, copy.subject, copy.body, copy.newsletter_id) == (
        Issue.Status.DRAFT,
        "Annual report",
        "**Text**",
        issue.newsletter_id,
    )
    assert list(copy.featured_resources.all()) == [resource]
    assert copy.created_by == editor_client.editor
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANCELLED


def test_featured_resources_are_named_in_the_lists_language(editor_client):
    french = NewsletterListFactory(language="fr")
    translated = ResourceFactory(title_en="Field handbook", title_fr="Manuel de terrain")
    english_only = ResourceFactory(title_en="Case management toolkit")
    issue = IssueFactory(newsletter=french)
    issue.featured_resources.set([translated, english_only])
    html = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert "Manuel de terrain" in html
    assert "Case management toolkit (in English)" in html
    assert "featured/autocomplete/?language=fr" in html
    found = editor_client.get(
        f"{ISSUES}featured/autocomplete/",
        {
            "language": "fr",
            "term": "manuel",
            "app_label": "newsletters",
            "model_name": "issue",
            "field_name": "featured_resources",
        },
    ).json()
    assert found["results"] == [{"id": str(translated.pk), "text": "Manuel de terrain"}]
    found = editor_client.get(
        f"{ISSUES}featured/autocomplete/",
        {
            "language": "fr",
            "term": "toolkit",
            "app_label": "newsletters",
            "model_name": "issue",
            "field_name": "featured_resources",
        },
    ).json()
    assert found["results"] == [
        {"id": str(english_only.pk), "text": "Case management toolkit (in English)"}
    ]


def test_the_issue_page_costs_the_same_queries_for_one_or_many_featured_resources(
    editor_client,
):
    issue = IssueFactory(newsletter=NewsletterListFactory(language="ar"))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(f"{ISSUES}{issue.pk}/change/").status_code == 200
        return len(captured)

    issue.featured_resources.set([ResourceFactory()])
    few = count()
    issue.featured_resources.set([ResourceFactory() for _ in range(6)])
    assert count() == few
