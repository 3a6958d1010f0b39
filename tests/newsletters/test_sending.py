"""The sending engine against real SMTP servers (aiosmtpd in a thread of this process),
one chunk at a time: what the server receives, in which order the rows are recorded,
and how refusals end."""

import smtplib
import threading
import time

import psycopg
import pytest
from django.db import connection

from common.mail.backends import PipeliningSMTPBackend
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber
from newsletters.services import sending

from .factories import IssueFactory, NewsletterListFactory, bulk_subscribers
from .smtp import Server

pytestmark = pytest.mark.django_db


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

    monkeypatch.setattr(sending, "_claim", paused_first)
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


LEGACY = {
    "Bob\r\nBcc: x@evil.test": "U+000D, U+000A",
    "\u202eevilnam\u202c": "U+202E, U+202C",
}


def test_readers_whose_copy_cannot_be_built_fail_alone_and_the_issue_ends(serve):
    """Rows stored before names and addresses were checked: a name with a line break, an
    address whose domain cannot be encoded. Each is that reader's failure, at once, with
    the reason; everyone else in the chunk gets the issue, and the issue ends."""
    server = serve(Server())
    issue, emails = sending_issue(8)
    names = dict(zip(emails[1:3], LEGACY, strict=True))
    for email, name in names.items():
        Subscriber.objects.filter(email=email).update(name=name)
    unencodable = "reader@" + "ü" * 64 + ".org"
    Subscriber.objects.filter(email=emails[5]).update(email=unencodable)

    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False
    good = set(emails) - set(names) - {emails[5]}
    assert sorted(recipient for recipient, _ in server.messages) == sorted(good)
    failed = {
        row.subscriber.email: row
        for row in Delivery.objects.filter(issue=issue, status="failed").select_related(
            "subscriber"
        )
    }
    assert set(failed) == {*names, unencodable}
    for email, name in names.items():
        assert LEGACY[name] in failed[email].last_error
    assert failed[unencodable].last_error.startswith("UnicodeError: ")
    assert {row.attempts for row in failed.values()} == {1}
    assert Delivery.objects.filter(issue=issue, status="sent").count() == len(good)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_an_error_nobody_foresaw_in_one_transaction_is_that_readers_alone(
    serve, settings, monkeypatch
):
    """Not an SMTP answer, not a lost connection: the row is tried again later and fails
    once it used its attempts; the readers after it get the issue over a new connection."""
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    server = serve(Server())
    issue, emails = sending_issue(5)
    unlucky = emails[2]
    hand_over = PipeliningSMTPBackend._hand_over

    def flaky(backend, raw):
        if unlucky.encode() in raw:
            raise RuntimeError("something nobody foresaw")
        return hand_over(backend, raw)

    monkeypatch.setattr(PipeliningSMTPBackend, "_hand_over", flaky)
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is True
    assert sorted(recipient for recipient, _ in server.messages) == sorted(set(emails) - {unlucky})
    row = Delivery.objects.get(issue=issue, subscriber__email=unlucky)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: something nobody foresaw"

    for run in (2, 3):
        # The backoff is over (the database's clock stands still inside this test).
        Delivery.objects.filter(issue=issue).update(next_attempt_at=None)
        services.issue_send_chunk(issue_id=issue.pk, worker=f"w{run}")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(server.messages) == 4  # the half-told message was never accepted
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_chunk_that_fails_as_a_whole_uses_up_its_rows_attempts_and_the_issue_ends(
    serve, settings
):
    """A subject stored with a line break before subjects were checked: no copy of the
    issue can be built. Each chunk gives its rows back at once, keeping the count and
    the reason, so the rows end failed after NEWSLETTER_MAX_ATTEMPTS instead of being
    handed out for ever."""
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    server = serve(Server())
    issue, emails = sending_issue(4)
    Issue.objects.filter(pk=issue.pk).update(subject="News\r\nBcc: x@evil.test")
    for run in range(3):
        with pytest.raises(ValueError, match="newlines"):
            services.issue_send_chunk(issue_id=issue.pk, worker=f"w{run}")
        assert not Delivery.objects.filter(issue=issue, status="sending").exists()
        assert set(Delivery.objects.filter(issue=issue).values_list("attempts", flat=True)) == {
            run + 1
        }
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w3") is False
    assert server.messages == []
    assert set(statuses(issue).values()) == {"failed"}
    assert "newlines" in Delivery.objects.filter(issue=issue).first().last_error
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_rows_given_back_untried_get_their_attempt_back(serve, settings, monkeypatch):
    """A pause (or the chunk's time running out) gives rows back with their claim's
    count returned: only tries count towards NEWSLETTER_MAX_ATTEMPTS."""
    settings.NEWSLETTER_STATUS_CHECK_EVERY = 2
    serve(Server())
    issue, _ = sending_issue(6)
    hand_over = PipeliningSMTPBackend._hand_over

    def pause_after_first(backend, raw):
        answer = hand_over(backend, raw)
        services.issue_pause(issue_id=issue.pk)
        return answer

    monkeypatch.setattr(PipeliningSMTPBackend, "_hand_over", pause_after_first)
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False
    sent = Delivery.objects.filter(issue=issue, status="sent")
    pending = Delivery.objects.filter(issue=issue, status="pending")
    assert sent.count() == 2 and pending.count() == 4
    assert set(sent.values_list("attempts", flat=True)) == {1}
    assert set(pending.values_list("attempts", flat=True)) == {0}


def test_a_chunk_stopped_mid_message_hangs_up_at_once(serve, settings, monkeypatch):
    """An error between DATA and the message (the database gone, say) leaves the SMTP
    connection inside a message, where QUIT would be taken as text and its answer waited
    for until EMAIL_TIMEOUT: the socket is closed instead, the server drops the half
    message, and the rows go back with the error."""
    settings.EMAIL_TIMEOUT = 10
    server = serve(Server())
    issue, emails = sending_issue(3)
    hand_over = PipeliningSMTPBackend._hand_over
    calls = []

    def database_gone_before_the_second_message(backend, raw):
        # An error from outside the conversation, raised in the middle of it.
        calls.append(1)
        if len(calls) == 2:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return hand_over(backend, raw)

    monkeypatch.setattr(
        PipeliningSMTPBackend, "_hand_over", database_gone_before_the_second_message
    )
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    assert time.monotonic() - started < 5
    assert [recipient for recipient, _ in server.messages] == emails[:1]
    after = statuses(issue)
    assert [after[email] for email in emails] == ["sent", "pending", "pending"]
    row = Delivery.objects.get(issue=issue, subscriber__email=emails[1])
    assert row.attempts == 1
    assert row.last_error.startswith("OperationalError: server closed")
