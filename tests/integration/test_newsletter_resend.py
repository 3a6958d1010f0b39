"""Following up an issue end to end: real Celery workers, a real aiosmtpd server, the
editor's POSTs through the admin. Resending to the readers whose copy failed gives each
of them exactly one copy and nobody else a second; sending to readers who joined after
reaches exactly them; a second POST sends nothing more.

The fixtures (workers on a queue of their own, the mail sink, the engine's short
settings) are test_newsletter_delivery's."""

import time

import pytest
from aiosmtpd.controller import Controller

from devstack.mailsink import offer_pipelining
from devstack.processes import free_port
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber
from tests.integration import test_newsletter_delivery as delivery
from tests.newsletters.factories import bulk_subscribers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The delivery tests' fixtures, used here under the same names.
broker_url, engine, queue = delivery.broker_url, delivery.engine, delivery.queue
sink, workers = delivery.sink, delivery.workers
assert_exactly_once, drive, make_issue = (
    delivery.assert_exactly_once,
    delivery.drive,
    delivery.make_issue,
)
recipients = delivery.recipients


class Rejecting:
    """Refuses the message (554 after DATA: its content, not the address, so the reader
    stays confirmed) for the addresses in `reject`; stores the others in the sink."""

    def __init__(self, mail_sink, reject):
        self.sink = mail_sink
        self.reject = set(reject)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return offer_pipelining(responses)

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos[0] in self.reject:
            return "554 5.7.1 Message rejected by policy"
        self.sink._store(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def rejecting(sink):
    handler = Rejecting(sink, [])
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.fixture
def editor(client, django_user_model):
    # A superuser: a transactional test's flush removes the groups the data migrations
    # made (the editors' permissions are tested in tests/newsletters).
    client.force_login(
        django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    )
    return client


def test_resend_to_those_who_failed_gives_them_one_copy_and_nobody_a_second(
    engine, sink, rejecting, workers, editor
):
    issue, confirmed, others = make_issue(["confirmed"] * 300 + ["pending"] * 20)
    refused = sorted(confirmed)[::20]  # 15 readers whose server refuses the issue
    rejecting.reject.update(refused)
    workers(rejecting.url)
    workers(rejecting.url)
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 60, workers.logs)
    failed = Delivery.objects.filter(issue=issue, status="failed")
    assert sorted(failed.values_list("subscriber__email", flat=True)) == refused
    counts, _ = recipients(sink, issue)
    assert set(counts) == set(confirmed) - set(refused)

    rejecting.reject.clear()  # the partner fixed their filter
    url = f"/admin/newsletters/issue/{issue.pk}/resend/"
    assert "It reaches 15 readers." in editor.get(url).content.decode()
    assert editor.post(url).status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    # The second POST (a double click) finds nothing failed and changes nothing.
    second = editor.post(url, follow=True)
    assert "Nobody to send it to" in second.content.decode()
    drive(issue, 60, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)
    assert not Delivery.objects.filter(issue=issue).exclude(status="sent").exists()
    # Once finished again, resending still sends nothing more.
    editor.post(url)
    time.sleep(2)
    assert sum(recipients(sink, issue)[0].values()) == len(confirmed)


def test_send_to_readers_who_joined_after_reaches_exactly_them(engine, sink, workers, editor):
    issue, confirmed, others = make_issue(["confirmed"] * 120)
    workers(sink.url)
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 60, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)

    late = bulk_subscribers(issue.newsletter, ["confirmed"] * 30 + ["pending"] * 5, prefix="late")
    joined = dict(Subscriber.objects.filter(pk__in=late["confirmed"]).values_list("email", "pk"))
    url = f"/admin/newsletters/issue/{issue.pk}/new-readers/"
    assert "It reaches 30 readers." in editor.get(url).content.decode()
    assert editor.post(url).status_code == 302
    assert editor.post(url).status_code == 302
    drive(issue, 60, workers.logs)
    unconfirmed = set(
        Subscriber.objects.filter(pk__in=late["pending"]).values_list("email", flat=True)
    )
    assert_exactly_once(sink, issue, {**confirmed, **joined}, others | unconfirmed)
