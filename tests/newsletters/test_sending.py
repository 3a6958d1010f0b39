"""The sending engine against real SMTP servers (aiosmtpd in a thread of this process),
one chunk at a time: what the server receives, in which order the rows are recorded,
and how refusals end."""

import smtplib
import threading

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from cpaor.embedded import free_port
from cpaor.mailsink import offer_pipelining
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber

from .factories import IssueFactory, NewsletterListFactory, bulk_subscribers

pytestmark = pytest.mark.django_db


class Server:
    """An SMTP server that keeps what it accepts, refuses chosen recipients, and can look
    at the database (over a connection of its own) as each message arrives."""

    def __init__(self, pipelining=True, refuse=None, on_message=None):
        self.pipelining = pipelining
        self.refuse = refuse or {}
        self.on_message = on_message
        self.messages = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return offer_pipelining(responses) if self.pipelining else responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_message:
            self.on_message(envelope.rcpt_tos[0])
        self.messages.append((envelope.rcpt_tos[0], envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def serve(settings):
    controllers = []

    def start(server):
        port = free_port()
        controller = Controller(server, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.NEWSLETTER_RATE_PER_SECOND = 0
        settings.NEWSLETTER_CHUNK_SIZE = 10
        return server

    yield start
    for controller in controllers:
        controller.stop()


def sending_issue(subscribers, body=None):
    newsletter = NewsletterListFactory()
    ids = bulk_subscribers(newsletter, ["confirmed"] * subscribers)["confirmed"]
    issue = IssueFactory(newsletter=newsletter, **({"body": body} if body else {}))
    services.issue_send_now(issue_id=issue.pk)
    emails = list(Subscriber.objects.filter(pk__in=ids).order_by("pk").values_list("email"))
    return issue, [email for (email,) in emails]


def statuses(issue):
    return dict(issue.deliveries.values_list("subscriber__email", "status"))


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_chunk_sends_its_rows_and_marks_each_sent(serve, pipelining):
    server = serve(Server(pipelining=pipelining))
    issue, emails = sending_issue(12)
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is True
    assert sorted(statuses(issue).values()) == ["pending"] * 2 + ["sent"] * 10
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False
    assert sorted(recipient for recipient, _ in server.messages) == sorted(emails)
    assert set(statuses(issue).values()) == {"sent"}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_chunk_that_saw_the_issue_sending_claims_nothing_once_it_is_paused(serve, monkeypatch):
    """The pause lands between the chunk's first look at the issue and its claim: the
    claim itself sees the pause, so nothing goes out and every row stays pending."""
    server = serve(Server())
    issue, _ = sending_issue(12)
    claim = services._claim

    def paused_first(issue_id, worker, size):
        services.issue_pause(issue_id=issue_id)
        return claim(issue_id, worker, size)

    monkeypatch.setattr(services, "_claim", paused_first)
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False
    assert server.messages == []
    assert set(statuses(issue).values()) == {"pending"}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED


@pytest.mark.parametrize("pipelining", [True, False])
def test_pipelining_saves_two_round_trips_a_message(serve, monkeypatch, pipelining):
    """Offered PIPELINING, MAIL, RCPT and DATA go in one write: two writes a message
    (envelope, then the message), against four one command at a time."""
    writes = []
    send = smtplib.SMTP.send

    def counted(self, data):
        writes.append(data.encode() if isinstance(data, str) else data)
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    server = serve(Server(pipelining=pipelining))
    issue, emails = sending_issue(8)
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    assert len(server.messages) == 8
    transactions = [w for w in writes if w.lower().startswith(b"mail from:")]
    assert len(transactions) == 8
    if pipelining:
        assert all(b"\r\nrcpt TO:" in w and w.endswith(b"\r\ndata\r\n") for w in transactions)
        per_message = 2
    else:
        assert all(w.count(b"\r\n") == 1 for w in transactions)
        per_message = 4
    # Besides the messages: EHLO, and QUIT when the connection closes.
    assert len(writes) == 8 * per_message + 2


@pytest.mark.parametrize("pipelining", [True, False])
def test_refused_recipients_fail_or_wait_and_the_others_still_go(serve, pipelining):
    issue, emails = sending_issue(6)
    gone, busy = emails[1], emails[3]
    server = serve(
        Server(
            pipelining=pipelining,
            refuse={
                gone: "550 5.1.1 No such user here",
                busy: "451 4.3.0 Mailbox busy, try again later",
            },
        )
    )
    # One row waits for its retry, so the chunk asks to be run again.
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is True
    received = sorted(recipient for recipient, _ in server.messages)
    assert received == sorted(set(emails) - {gone, busy})
    after = statuses(issue)
    assert (after[gone], after[busy]) == ("failed", "pending")
    assert [after[email] for email in received] == ["sent"] * 4
    waiting = Delivery.objects.get(issue=issue, subscriber__email=busy)
    assert waiting.attempts == 1
    assert waiting.next_attempt_at is not None
    assert "Mailbox busy" in waiting.last_error
    assert Subscriber.objects.get(email=gone).status == Subscriber.Status.BOUNCED
    assert Subscriber.objects.get(email=busy).status == Subscriber.Status.CONFIRMED


def test_a_line_starting_with_a_dot_arrives_whole(serve):
    """The message is handed over by hand after DATA, so its dots are doubled by hand."""
    server = serve(Server())
    issue, _ = sending_issue(1, body="<p>Before</p><p>.hidden line stays</p>")
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    [(_, content)] = server.messages
    assert b"\r\n.hidden line stays" in content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("pipelining", "batch"), [(True, 1), (False, 1), (True, 3)])
def test_each_message_is_recorded_before_the_next_is_handed_over(
    serve, settings, pipelining, batch
):
    """Marks go to the database without waiting for them, but their answer is read
    before the next message can be accepted: when a message reaches the server, every
    message accepted before it is recorded, except at most the last
    NEWSLETTER_MARK_BATCH. That is all a SIGKILL can make go twice.

    The third message's row is locked by another transaction for half a second as it
    arrives, so its mark waits in the database; the fourth must wait for it too."""
    settings.NEWSLETTER_MARK_BATCH = batch
    db = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
    )  # fmt: skip
    seen = []
    lockers = []

    def on_message(recipient):
        with psycopg.connect(dsn) as other:
            sent = "SELECT count(*) FROM newsletters_delivery WHERE status = 'sent'"
            seen.append(other.execute(sent).fetchone()[0])
        if len(seen) == 3:
            locker = psycopg.connect(dsn)
            locker.execute(
                """
                SELECT d.id FROM newsletters_delivery d
                JOIN newsletters_subscriber s ON s.id = d.subscriber_id
                WHERE s.email = %s FOR UPDATE OF d
                """,
                [recipient],
            )
            timer = threading.Timer(0.5, locker.close)  # closing rolls back: unlocked
            timer.start()
            lockers.append(timer)

    serve(Server(pipelining=pipelining, on_message=on_message))
    issue, emails = sending_issue(8)
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    lockers[0].join()
    assert seen == [n - n % batch for n in range(8)]
    assert set(statuses(issue).values()) == {"sent"}
