"""After an issue went out: resending to the readers whose copy failed, and sending to the
readers who joined after. Chunks run in this process against a real SMTP server
(aiosmtpd in a thread); what it accepted is what readers got."""

import collections

import pytest

from common import audit
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber

from .factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    newsletter_editor,
    subscribe,
)
from .smtp import Server

pytestmark = pytest.mark.django_db


class RejectingOnce(Server):
    """Rejects the message (554 after DATA: the content, not the address) for chosen
    readers the first time, and accepts it afterwards."""

    def __init__(self, reject):
        super().__init__()
        self.reject = set(reject)

    async def handle_DATA(self, server, session, envelope):
        recipient = envelope.rcpt_tos[0]
        if recipient in self.reject:
            self.reject.discard(recipient)
            return "554 5.7.1 Message rejected by policy"
        return await super().handle_DATA(server, session, envelope)


def run(issue):
    """Chunks until the issue has nothing left to send, as workers would."""
    for _ in range(50):
        if not services.issue_send_chunk(issue_id=issue.pk, worker="w1"):
            break
    issue.refresh_from_db()
    return issue


def readers(n, newsletter, prefix):
    return [
        subscribe(SubscriberFactory(email=f"{prefix}{i}@example.org"), newsletter).email
        for i in range(n)
    ]


def received(server):
    return collections.Counter(recipient for recipient, _ in server.messages)


def sent_issue(server, n=6):
    newsletter = NewsletterListFactory()
    emails = readers(n, newsletter, "reader")
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    return run(issue), emails


def test_resending_gives_each_failed_reader_one_copy_and_nobody_a_second(serve, client):
    server = serve(RejectingOnce(reject=["reader1@example.org", "reader4@example.org"]))
    issue, emails = sent_issue(server)
    assert issue.status == Issue.Status.SENT
    failed = issue.deliveries.filter(status="failed")
    assert sorted(failed.values_list("subscriber__email", flat=True)) == [
        "reader1@example.org",
        "reader4@example.org",
    ]
    assert all("554" in row.last_error for row in failed)
    assert services.issue_reach(issue, "resend_failed") == 2

    first_end = issue.finished_at
    assert services.issue_resend_failed(issue_id=issue.pk) == 2
    issue.refresh_from_db()
    assert (issue.status, issue.finished_at) == (Issue.Status.SENDING, first_end)
    # Readers who have it still find it online meanwhile.
    assert list(Issue.objects.archived()) == [issue]
    assert client.get(issue.get_absolute_url()).status_code == 200
    # The same rows, back to pending with their attempts reset: still one per reader.
    assert sorted(issue.deliveries.values_list("status", "attempts")) == [
        ("pending", 0),
        ("pending", 0),
        *[("sent", 1)] * 4,
    ]
    issue = run(issue)
    assert issue.status == Issue.Status.SENT and issue.finished_at > first_end
    assert received(server) == dict.fromkeys(emails, 1)
    assert set(issue.deliveries.values_list("status", flat=True)) == {"sent"}


def test_a_second_resend_does_nothing_more(serve):
    server = serve(RejectingOnce(reject=["reader2@example.org"]))
    issue, emails = sent_issue(server)
    editor = newsletter_editor()
    assert services.issue_resend_failed(issue_id=issue.pk, actor=editor) == 1
    # A double click, before any worker ran, then after the issue finished again.
    assert services.issue_resend_failed(issue_id=issue.pk, actor=editor) == 0
    run(issue)
    assert services.issue_resend_failed(issue_id=issue.pk, actor=editor) == 0
    assert received(server) == dict.fromkeys(emails, 1)
    trail = [entry.get_change_message() for entry in audit.trail_for(issue)]
    assert trail == [f"resend to failed readers: {issue.subject} (readers: 1)"]


def test_a_reader_who_bounced_or_left_since_is_not_resent(serve):
    server = serve(RejectingOnce(reject=["reader0@example.org", "reader3@example.org"]))
    issue, _ = sent_issue(server)
    Subscriber.objects.filter(email="reader0@example.org").update(status="bounced")
    assert services.issue_reach(issue, "resend_failed") == 1
    assert services.issue_resend_failed(issue_id=issue.pk) == 1
    run(issue)
    assert "reader0@example.org" not in received(server)
    assert issue.deliveries.get(subscriber__email="reader0@example.org").status == "failed"


def test_a_copy_whose_worker_died_holding_it_is_not_resent(serve):
    """The watchdog gave the row up after its workers died with it: the copy may have
    gone out before a death, so a resend leaves it alone."""
    from newsletters.services.watchdog import GIVEN_UP

    server = serve(RejectingOnce(reject=["reader1@example.org"]))
    issue, emails = sent_issue(server, n=3)
    issue.deliveries.filter(subscriber__email="reader2@example.org").update(
        status="failed", last_error=GIVEN_UP
    )
    assert services.issue_reach(issue, "resend_failed") == 1
    assert services.issue_resend_failed(issue_id=issue.pk) == 1
    run(issue)
    # reader2's copy did go out before the (simulated) deaths: still only that one.
    assert received(server) == dict.fromkeys(emails, 1)
    assert issue.deliveries.get(subscriber__email="reader2@example.org").status == "failed"


def test_sending_to_new_readers_reaches_exactly_those_who_joined_after(serve):
    server = serve(Server())
    issue, first = sent_issue(server, n=3)
    late = readers(2, issue.newsletter, "late")
    subscribe(
        SubscriberFactory(email="unconfirmed@example.org", status="pending"), issue.newsletter
    )
    SubscriberFactory(email="elsewhere@example.org")  # on no list of this issue
    assert services.issue_reach(issue, "send_to_new_readers") == 2

    assert services.issue_send_to_new_readers(issue_id=issue.pk) == 2
    assert services.issue_send_to_new_readers(issue_id=issue.pk) == 0
    issue = run(issue)
    assert issue.status == Issue.Status.SENT
    assert received(server) == dict.fromkeys(first + late, 1)
    assert issue.deliveries.count() == 5


def test_follow_ups_on_a_paused_issue_wait_for_resume(serve):
    newsletter = NewsletterListFactory()
    emails = readers(15, newsletter, "reader")
    server = serve(RejectingOnce(reject=emails))
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")  # 10 tried, all rejected
    server.reject.clear()
    services.issue_pause(issue_id=issue.pk)
    late = readers(1, newsletter, "late")
    assert services.issue_resend_failed(issue_id=issue.pk) == 10
    assert services.issue_send_to_new_readers(issue_id=issue.pk) == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False
    assert server.messages == []
    services.issue_resume(issue_id=issue.pk)
    assert run(issue).status == Issue.Status.SENT
    assert received(server) == dict.fromkeys(emails + late, 1)


@pytest.mark.parametrize("status", ["draft", "scheduled", "cancelled"])
def test_follow_ups_are_refused_before_an_issue_went_out_or_once_cancelled(status):
    issue = IssueFactory(status=status)
    for service in (services.issue_resend_failed, services.issue_send_to_new_readers):
        with pytest.raises(services.IssueStateError, match="Cannot resend an issue that is"):
            service(issue_id=issue.pk)
    assert not audit.trail_for(issue).exists()


def test_the_engine_records_when_it_last_tried_each_copy(serve):
    issue, _ = sent_issue(serve(Server()), n=2)
    for row in issue.deliveries.all():
        assert row.last_attempt_at is not None
        assert row.last_attempt_at <= row.sent_at


# The admin's actions: a confirmation saying how many readers, then the service.


def test_resend_asks_with_the_number_of_readers_then_sends_once(
    client, serve, django_capture_on_commit_callbacks, _no_broker
):
    server = serve(RejectingOnce(reject=["reader1@example.org", "reader2@example.org"]))
    issue, emails = sent_issue(server, n=4)
    client.force_login(newsletter_editor())
    change = client.get(f"/admin/newsletters/issue/{issue.pk}/change/").content.decode()
    url = f"/admin/newsletters/issue/{issue.pk}/resend/"
    assert url in change
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "It reaches 2 readers." in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain == [(f"/admin/newsletters/issue/{issue.pk}/progress/", 302)]
    assert "On its way to 2 more readers." in response.content.decode()
    assert _no_broker == [issue.pk]
    second = client.post(url, follow=True)
    assert "Nobody to send it to: nothing was changed." in second.content.decode()
    assert _no_broker == [issue.pk]
    run(issue)
    assert received(server) == dict.fromkeys(emails, 1)


def test_send_to_new_readers_from_the_admin(client, serve, _no_broker):
    server = serve(Server())
    issue, first = sent_issue(server, n=2)
    late = readers(3, issue.newsletter, "late")
    client.force_login(newsletter_editor())
    url = f"/admin/newsletters/issue/{issue.pk}/new-readers/"
    assert "It reaches 3 readers." in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    run(issue)
    assert received(server) == dict.fromkeys(first + late, 1)


def test_a_follow_up_link_on_a_draft_says_why_and_changes_nothing(client):
    issue = IssueFactory()
    client.force_login(newsletter_editor())
    response = client.post(f"/admin/newsletters/issue/{issue.pk}/resend/", follow=True)
    assert "Cannot resend an issue that is draft." in response.content.decode()
    assert not Delivery.objects.exists()
