"""Staff's days in admin, in a real browser, in English and in the Arabic (right to left)
admin: a reviewer decides from the application's own page; a newsletter editor's
subject, typed and not saved, reaches the test copies a real worker sends to a real SMTP
server, and a schedule taken back to a draft is sent later, once to each reader.

Buttons and links are found by their names in the admin's language, from the same
catalogues the pages use."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from members import services as members
from newsletters import services as newsletters
from newsletters.models import Delivery, Issue
from tests.browser.admin import log_in, words
from tests.integration.outbox_worker import *  # noqa: F403 - the fixtures
from tests.integration.outbox_worker import wait_until
from tests.members.factories import ApplicationFactory
from tests.newsletters.factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    subscribe,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("language", ["en", "ar"]),
]


WELCOME = {"en": "Welcome to the network.", "ar": "أهلاً بكم في الشبكة."}


def test_a_reviewer_decides_from_the_application_page(admin_page, language):
    page = admin_page
    application = ApplicationFactory(org_name="Aman Network")
    applicant = application.applicant
    members.application_submit(application=application, actor=applicant)
    members.application_request_information(
        application=application, actor=None, message="Your registration, please."
    )
    members.application_answer(
        application=application, actor=applicant, answer="Attached, with our thanks."
    )
    change = f"/admin/members/application/{application.pk}/change/"
    log_in(page, change, language, email="staff@example.org")
    assert "Aman Network" in page.title()
    expect(page.locator("#answer-received")).to_contain_text("Attached, with our thanks.")
    assert page.locator("input[name=_save]").count() == 0

    decide = page.get_by_role("group", name=words(language, "Decide"))
    decide.get_by_role("button", name=words(language, "Approve…"), exact=True).click()
    expect(page.locator(".directory-notice")).to_be_visible()
    page.fill("#id_message", WELCOME[language])
    page.get_by_role("button", name=words(language, "Approve"), exact=True).click()

    page.wait_for_url(f"**{change}")
    expect(page.locator(".messagelist")).to_contain_text(
        words(language, "%(count)d application(s) approved.", count=1)
    )
    assert page.locator("button[formaction*='/decide/']").count() == 0
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.events.last().note == WELCOME[language]


def copies_to(mail_sink, address, subject):
    return [
        message
        for message in mail_sink.messages
        if message["X-Envelope-To"] == address and message["Subject"] == subject
    ]


def test_an_editors_unsaved_subject_reaches_the_test_and_an_unscheduled_issue_goes_once(
    admin_page, language, sink, worker
):
    page = admin_page
    newsletter = NewsletterListFactory(name_en="Global", language="en")
    readers = [subscribe(SubscriberFactory(), newsletter) for _ in range(2)]
    issue = IssueFactory(newsletter=newsletter, subject="May news", body="**News**")
    change = f"/admin/newsletters/issue/{issue.pk}/change/"
    log_in(page, change, language, email="staff@example.org")
    sure = page.get_by_role("button", name=words(language, "Yes, I am sure"), exact=True)

    # The subject typed, not saved: the button at the top saves it, then asks where to.
    page.fill("#id_subject", "June news")
    page.get_by_role("group", name=words(language, "Try the issue")).get_by_role(
        "button", name=words(language, "Save and send a test…"), exact=True
    ).click()
    page.wait_for_url(f"**/admin/newsletters/issue/{issue.pk}/test/")
    expect(page.locator(".messagelist")).to_contain_text(
        words(language, "Saved. The test copy will be the saved issue.")
    )
    addresses = ["staff@example.org", "colleague@example.org"]
    page.fill("#id_addresses", "\n".join(addresses))
    sure.click()
    with translation.override(language):
        on_their_way = translation.ngettext(
            "A test copy is on its way to %(emails)s.",
            "Test copies are on their way to %(emails)s.",
            len(addresses),
        ) % {"emails": ", ".join(addresses)}
    expect(page.locator(".messagelist")).to_contain_text(on_their_way)
    for address in addresses:
        wait_until(
            lambda address=address: copies_to(sink, address, "[TEST] June news"),
            f"the test copy to {address}",
            worker,
        )

    # Scheduled, then taken back: a draft the watchdog leaves alone.
    page.goto(f"/admin/newsletters/issue/{issue.pk}/schedule/")
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    page.fill("#id_when", when.strftime("%Y-%m-%dT%H:%M"))
    sure.click()
    scheduled_for = words(language, "Scheduled for %(when)s.").split("%(when)s")[0].strip()
    expect(page.locator(".messagelist")).to_contain_text(scheduled_for)
    page.locator(".object-tools").get_by_role(
        "link", name=words(language, "Unschedule"), exact=True
    ).click()
    sure.click()
    expect(page.locator(".messagelist")).to_contain_text(
        words(language, "Back to a draft: nothing is sent until you schedule it or send it.")
    )
    newsletters.newsletters_watchdog()
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.DRAFT, None)
    assert not Delivery.objects.filter(issue=issue).exists()

    # Scheduled again later; when it is due, beat's watchdog starts it, and each reader
    # gets one copy however often the watchdog runs.
    newsletters.issue_schedule(issue_id=issue.pk, when=timezone.now() + datetime.timedelta(hours=1))
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now())
    for _ in range(2):
        newsletters.newsletters_watchdog()
    wait_until(
        lambda: Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count() == 2,
        "the issue sent to both readers",
        worker,
    )
    newsletters.newsletters_watchdog()
    for reader in readers:
        wait_until(
            lambda reader=reader: copies_to(sink, reader.email, "June news"),
            f"the issue to {reader.email}",
            worker,
        )
    assert [len(copies_to(sink, reader.email, "June news")) for reader in readers] == [1, 1]
