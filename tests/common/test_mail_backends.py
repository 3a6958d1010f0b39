"""PipeliningSMTPBackend against a real SMTP server (aiosmtpd in a thread of this
process): each message's outcome is its own, recorded on the message; callers of one
message see what Django's SMTP backend would raise."""

import asyncio
import smtplib
from email.utils import parseaddr

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address
from hypothesis import given
from hypothesis import strategies as st

from common.mail.backends import PipeliningSMTPBackend, SMTPResult, envelope_address
from cpaor.settings import parse_email_url
from devstack.processes import free_port
from tests.newsletters.smtp import Server, serving

FROM = "CP AoR <no-reply@cpaor.localhost>"


@pytest.fixture
def serve(settings):
    """serve(Server(...)): a real SMTP server that this process's e-mail settings name."""
    yield from serving(settings)


def message(*to, subject="Hello"):
    return EmailMessage(subject, "A line.\n.A line starting with a dot.\n", FROM, list(to))


class Counting(Server):
    """Counts the connections (one EHLO each)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        return await super().handle_EHLO(server, session, envelope, hostname, responses)


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_refused_reader_is_that_readers_failure_and_the_others_go(serve, pipelining):
    server = serve(
        Server(
            pipelining=pipelining,
            refuse={
                "gone@example.org": "550 5.1.1 No such user here",
                "busy@example.org": "451 4.3.0 Mailbox busy, try again later",
            },
        )
    )
    to = ["ada@example.org", "gone@example.org", "bob@example.org", "busy@example.org"]
    messages = [message(address) for address in to + ["cy@example.org"]]

    with pytest.raises(smtplib.SMTPRecipientsRefused) as raised:
        PipeliningSMTPBackend().send_messages(messages)

    # The first refusal is raised, as Django's backend would, once every message was tried.
    assert raised.value.recipients == {"gone@example.org": (550, b"5.1.1 No such user here")}
    results = [m.smtp_result for m in messages]
    assert [r.status for r in results] == ["accepted", "refused", "accepted", "refused", "accepted"]
    assert (results[1].code, results[1].text) == (550, "5.1.1 No such user here")
    assert (results[3].code, results[3].text) == (451, "4.3.0 Mailbox busy, try again later")
    assert results[0].code == 250 and results[0].error is None
    assert [r for r, _ in server.messages] == [
        "ada@example.org",
        "bob@example.org",
        "cy@example.org",
    ]
    # The dot at the start of a line arrives as it was written.
    assert b"\r\n.A line starting with a dot." in server.messages[0][1]


def test_failing_silently_a_batch_returns_how_many_were_accepted(serve):
    serve(Server(refuse={"gone@example.org": "550 5.1.1 No such user here"}))
    messages = [message("ada@example.org"), message("gone@example.org"), message("bob@example.org")]
    assert PipeliningSMTPBackend(fail_silently=True).send_messages(messages) == 2
    assert [m.smtp_result.accepted for m in messages] == [True, False, True]


def test_the_envelope_goes_in_one_write_when_the_server_offers_pipelining(serve, monkeypatch):
    writes = []
    send = smtplib.SMTP.send

    def counted(self, data):
        writes.append(data.encode() if isinstance(data, str) else data)
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    server = serve(Server())
    to = ["ada@example.org", "bob@example.org"]
    assert PipeliningSMTPBackend().send_messages([message(*to), message("cy@example.org")]) == 2
    envelopes = [w for w in writes if w.lower().startswith(b"mail from:")]
    assert envelopes[0].split(b"\r\n")[1:] == [
        b"rcpt TO:<ada@example.org>",
        b"rcpt TO:<bob@example.org>",
        b"data",
        b"",
    ]
    assert len(envelopes) == 2
    # EHLO, two envelopes, two messages, QUIT.
    assert len(writes) == 6
    assert sorted(r for r, _ in server.messages) == ["ada@example.org", "cy@example.org"]


def test_a_recipient_refused_among_others_is_named_and_the_message_still_goes(serve):
    server = serve(Server(refuse={"gone@example.org": "550 5.1.1 No such user here"}))
    both = message("ada@example.org", "gone@example.org")
    assert PipeliningSMTPBackend().send_messages([both]) == 1
    assert both.smtp_result.accepted
    assert both.smtp_result.refused == {"gone@example.org": (550, "5.1.1 No such user here")}
    assert [r for r, _ in server.messages] == ["ada@example.org"]


class ClosingAfterRefusal(Counting):
    """Answers 421 to its first recipient and closes the connection, as a server going
    away does; accepts everything after that."""

    def __init__(self):
        super().__init__()
        self.closed = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
            return "421 4.3.2 Service shutting down, closing channel"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_server_closing_with_421_is_let_go_and_the_next_message_opens_a_new_connection(
    serve, pipelining
):
    server = serve(ClosingAfterRefusal())
    server.pipelining = pipelining
    backend = PipeliningSMTPBackend(fail_silently=True)
    first, second = message("ada@example.org"), message("bob@example.org")
    with backend:
        assert backend.send_messages([first, second]) == 1
    assert (first.smtp_result.status, first.smtp_result.code) == ("refused", 421)
    assert isinstance(first.smtp_result.error, smtplib.SMTPRecipientsRefused)
    assert second.smtp_result.accepted
    assert [r for r, _ in server.messages] == ["bob@example.org"]
    assert server.connections == 2


class Refusing(Server):
    """Refuses the sender, or the message itself."""

    def __init__(self, stage):
        super().__init__()
        self.stage = stage

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.stage == "sender":
            return "553 5.7.1 Sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stage == "data":
            return "554 5.6.0 Message refused"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize(
    ("server", "error"),
    [
        (lambda: Server(refuse={"gone@example.org": "550 5.1.1 No such user"}), "recipients"),
        (lambda: Refusing("sender"), "sender"),
        (lambda: Refusing("data"), "data"),
    ],
)
def test_one_message_callers_see_what_djangos_smtp_backend_raises(serve, server, error):
    """EmailMessage.send() and the outbox (common/outbox.py) read the exception: the
    same kind, with the same code, as with Django's own backend."""
    serve(server())
    raised = {}
    for backend in (DjangoSMTPBackend, PipeliningSMTPBackend):
        one = message("gone@example.org")
        one.connection = backend()
        with pytest.raises(smtplib.SMTPException) as caught:
            one.send()
        raised[backend] = caught.value
    ours, django = raised[PipeliningSMTPBackend], raised[DjangoSMTPBackend]
    assert type(ours) is type(django)
    expected = {
        "recipients": smtplib.SMTPRecipientsRefused,
        "sender": smtplib.SMTPSenderRefused,
        "data": smtplib.SMTPDataError,
    }
    assert isinstance(ours, expected[error])
    if error == "recipients":
        assert ours.recipients == django.recipients
    else:
        assert (ours.smtp_code, ours.smtp_error) == (django.smtp_code, django.smtp_error)


def test_a_message_that_cannot_be_built_fails_alone(serve):
    server = serve(Server())
    bad, good = message("not an address@@example.org"), message("ada@example.org")
    with pytest.raises(ValueError, match="Invalid address"):
        PipeliningSMTPBackend().send_messages([bad, good])
    assert bad.smtp_result.status == SMTPResult.FAILED
    assert good.smtp_result.accepted
    assert [r for r, _ in server.messages] == ["ada@example.org"]


def test_a_server_that_cannot_be_reached_fails_every_message_untried(settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    messages = [message("ada@example.org"), message("bob@example.org")]
    with pytest.raises(ConnectionRefusedError):
        PipeliningSMTPBackend().send_messages(messages)
    assert [m.smtp_result.status for m in messages] == ["failed", "failed"]
    assert messages[1].smtp_result.error is messages[0].smtp_result.error
    assert PipeliningSMTPBackend(fail_silently=True).send_messages(messages) == 0


def test_a_connection_the_caller_opened_serves_every_call_until_closed(serve):
    server = serve(Counting())
    backend = PipeliningSMTPBackend()
    backend.open()
    backend.send_messages([message("ada@example.org")])
    backend.send_messages([message("bob@example.org")])
    backend.close()
    assert server.connections == 1
    # Not opened by the caller: each call has a connection of its own, as with Django's.
    backend.send_messages([message("cy@example.org")])
    backend.send_messages([message("dan@example.org")])
    assert server.connections == 3
    assert backend.connection is None
    assert len(server.messages) == 4


def test_smtp_urls_choose_the_pipelining_backend_and_console_stays_console():
    assert parse_email_url("smtp://mail.example.org:2525")["EMAIL_BACKEND"] == (
        "common.mail.backends.PipeliningSMTPBackend"
    )
    assert parse_email_url("smtps://u:p@mail.example.org")["EMAIL_BACKEND"] == (
        "common.mail.backends.PipeliningSMTPBackend"
    )
    assert parse_email_url("console://")["EMAIL_BACKEND"] == (
        "django.core.mail.backends.console.EmailBackend"
    )


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
LOCAL = st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\"(),:;<>@\[\\\] -]{1,20}", fullmatch=True)
DOMAIN = st.from_regex(r"([A-Za-z0-9ü-]{1,70}\.){0,2}[A-Za-z]{2,6}", fullmatch=True)


@given(name=NAMES, local=LOCAL, domain=DOMAIN, named=st.booleans())
def test_the_envelope_address_is_what_djangos_backend_would_use(name, local, domain, named):
    """The envelope is read without the email package when the value is plain; it must
    be exactly what Django's sanitize_address() gives, or refused when that refuses."""
    value = f"{name} <{local}@{domain}>" if named else f"{local}@{domain}"
    try:
        want = parseaddr(sanitize_address(value, "utf-8"))[1]
    except (ValueError, UnicodeError):
        with pytest.raises((ValueError, UnicodeError)):
            envelope_address(value, "utf-8")
        return
    assert envelope_address(value, "utf-8") == want
