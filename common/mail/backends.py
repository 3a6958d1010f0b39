"""PipeliningSMTPBackend: Django's SMTP backend that pipelines each message's transaction
where the server allows it and tells the caller what became of every message."""

import contextlib
import functools
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import ClassVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

# A line of a message that starts with a dot gets a second one (RFC 5321, 4.5.2).
LEADING_DOT = re.compile(rb"(?m)^\.")

# An address that needs no quoting and no encoding: dot-atoms of plain ASCII either side
# of one @, each domain label at most 63 characters (what IDNA accepts).
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# "Name <address>" as formataddr() writes a name of letters, digits, spaces and the
# symbols that need no quotes.
_PLAIN_NAMED = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*<(" + PLAIN_ADDRESS.pattern + r")>")


@functools.lru_cache(maxsize=256)
def envelope_address(address: str, encoding: str) -> str:
    """The bare address that MAIL FROM or RCPT TO takes for a From or To value: what
    Django's SMTP backend hands smtplib (sanitize_address), read without the email
    package when the value is plain. ValueError (or UnicodeError) when it is no address."""
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    if match := _PLAIN_NAMED.fullmatch(address):
        return match.group(1)
    sanitized = sanitize_address(address, encoding)
    # What smtplib quotes for the envelope (quoteaddr): parseaddr's address, empty if none.
    return parseaddr(sanitized)[1]


@dataclass(frozen=True)
class SMTPResult:
    """What became of one message given to PipeliningSMTPBackend.send_messages()."""

    ACCEPTED: ClassVar[str] = "accepted"  # the server answered 250 to the message
    REFUSED: ClassVar[str] = "refused"  # the server answered 4xx or 5xx (code, text)
    FAILED: ClassVar[str] = "failed"  # no answer: the connection failed, or an error here

    status: str
    code: int = 0  # the server's answer that decided it; 0 when none did
    text: str = ""  # that answer's text, or the error's
    error: BaseException | None = None  # what send_messages raises for it (see there)
    # Recipients the server refused while it accepted the message for others.
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.status == self.ACCEPTED


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class PipeliningSMTPBackend(EmailBackend):
    """Django's SMTP backend (same settings, same connection handling: a connection the
    caller opened with open() or `with` stays open between calls), with two differences.

    A server that offers PIPELINING (RFC 2920; every common MTA does) gets each message's
    MAIL, RCPT and DATA in one write and answers them together: one round trip instead
    of two or more before the message itself. Other servers get one command at a time.

    Each message's outcome is its own. send_messages(messages) tries every message in
    order and, before the next, sets `message.smtp_result` to an SMTPResult:
    - ACCEPTED: the server took it (250); `refused` names recipients it turned down
      while taking the message for the others.
    - REFUSED, with the server's code and text: the transaction is reset (RSET) and the
      next message goes over the same connection; after 421 (the server closes) the next
      message opens a new one.
    - FAILED: the connection failed (refused, reset, timed out) or the message could not
      be built (a bad address, a bad header); the next message opens a new connection,
      and once none can be opened the messages left fail with that error, untried.
    It returns how many were accepted. Unless fail_silently, once every message was
    tried it raises the first one's error: the exception Django's backend raises
    (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError, an OSError, a ValueError
    for a bad address), so EmailMessage.send() and other callers of one message see what
    they see with Django's backend. fail_silently hides refusals and lost connections,
    as Django's does, and nothing else.

    An error nobody foresaw while a message is being told (a bug, a task's time limit)
    leaves the connection mid-message, where QUIT would be taken as the message's text:
    the socket is closed without a word (the server drops what it got), the message is
    FAILED and, for an Exception, the next message opens a new connection; anything
    else (KeyboardInterrupt, SystemExit) propagates at once, leaving the messages after
    it without a result.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held = False  # opened by the caller: kept open between calls

    def open(self):
        opened = super().open()
        self._held = self.connection is not None
        return opened

    def close(self):
        self._held = False
        super().close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        accepted = 0
        first_error = None
        with self._lock:
            unreachable = None  # once no connection can be opened, nothing more is tried
            try:
                for message in email_messages:
                    if self.connection is None and unreachable is None:
                        try:
                            self._connect()
                        except Exception as error:  # noqa: BLE001 - what stops it is the result
                            unreachable = error
                    if unreachable is None:
                        result = self._send_one(message)
                    else:
                        result = SMTPResult(
                            SMTPResult.FAILED, text=str(unreachable), error=unreachable
                        )
                    message.smtp_result = result
                    if result.accepted:
                        accepted += 1
                    elif first_error is None:
                        first_error = result.error
            finally:
                if not self._held:
                    super().close()
        if first_error is not None and not (
            self.fail_silently and isinstance(first_error, OSError)
        ):
            raise first_error
        return accepted

    def _connect(self) -> None:
        """Django's open(), raising whatever stops it even when failing silently: the
        message it was opened for records the error."""
        quiet, self.fail_silently = self.fail_silently, False
        try:
            super().open()
        finally:
            self.fail_silently = quiet

    def _send_one(self, message: EmailMessage) -> SMTPResult:
        recipients = message.recipients()
        if not recipients:
            return SMTPResult(SMTPResult.FAILED, text="The message has no recipients.")
        try:
            encoding = message.encoding or settings.DEFAULT_CHARSET
            sender = envelope_address(message.from_email, encoding)
            envelope = [envelope_address(address, encoding) for address in recipients]
            raw = message.message().as_bytes(linesep="\r\n")
        except Exception as error:  # noqa: BLE001 - a message that cannot be built is its own failure
            return SMTPResult(SMTPResult.FAILED, text=str(error), error=error)
        try:
            refused = self._announce(sender, envelope, len(raw))
            code, reply = self._hand_over(raw)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
            code, reply = _answer(error)
            return SMTPResult(SMTPResult.REFUSED, code=code, text=_text(reply), error=error)
        except Exception as error:  # noqa: BLE001 - a lost connection, or nobody foresaw it
            self._hang_up()
            return SMTPResult(SMTPResult.FAILED, text=str(error), error=error)
        except BaseException:
            self._hang_up()
            raise
        return SMTPResult(
            SMTPResult.ACCEPTED,
            code=code,
            text=_text(reply),
            refused={address: (code, _text(text)) for address, (code, text) in refused.items()},
        )

    def _announce(
        self, sender: str, recipients: list[str], size: int
    ) -> dict[str, tuple[int, bytes]]:
        """MAIL, RCPT and DATA: all of a transaction but the message itself, which the
        server has not accepted yet. Returns the recipients refused while others were
        accepted ({address: (code, reply)}); raises the smtplib exception of a refusal."""
        smtp = self.connection
        smtp.ehlo_or_helo_if_needed()
        options = f" size={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
        commands = [f"mail FROM:<{sender}>{options}", *(f"rcpt TO:<{to}>" for to in recipients)]
        if smtp.does_esmtp and smtp.has_extn("pipelining"):
            smtp.send("\r\n".join([*commands, "data"]) + "\r\n")
            replies = []
            for _ in range(len(commands) + 1):
                replies.append(smtp.getreply())
                if replies[-1][0] == 421:  # the server closes: nothing more will come
                    break
        else:
            replies = [smtp.docmd(commands[0])]
            if replies[0][0] == 250:
                replies += [smtp.docmd(command) for command in commands[1:]]
                if any(code in (250, 251) for code, _ in replies[1:]):
                    replies.append(smtp.docmd("data"))
        mail, answers = replies[0], replies[1 : len(commands)]
        data = replies[len(commands)] if len(replies) > len(commands) else None
        refused = {
            to: answer
            for to, answer in zip(recipients, answers, strict=False)
            if answer[0] not in (250, 251)
        }
        everyone_answered = mail[0] == 250 and len(answers) == len(recipients)
        if everyone_answered and len(refused) < len(recipients) and data and data[0] == 354:
            return refused
        if data and data[0] == 354:
            # Told to go on despite a refusal: end the empty message before resetting.
            smtp.send(".\r\n")
            smtp.getreply()
        self._after_refusal([code for code, _ in replies])
        if mail[0] != 250:
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
        if not everyone_answered or len(refused) == len(recipients):
            # Every recipient refused, or the server closed (421) before answering all.
            raise smtplib.SMTPRecipientsRefused(
                {to: refused.get(to, replies[-1]) for to in recipients}
            )
        raise smtplib.SMTPDataError(*(data or replies[-1]))

    def _hand_over(self, raw: bytes) -> tuple[int, bytes]:
        """The message after DATA; the server's 250 is its promise to deliver it."""
        data = LEADING_DOT.sub(b"..", raw)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        self.connection.send(data + b".\r\n")
        code, reply = self.connection.getreply()
        if code != 250:
            self._after_refusal([code])
            raise smtplib.SMTPDataError(code, reply)
        return code, reply

    def _after_refusal(self, codes: list[int]) -> None:
        """A server closing the connection (421) is let go; otherwise the refused
        transaction is reset, and the connection serves the next message."""
        if 421 in codes:
            self._hang_up()
            return
        try:
            self.connection.rset()
        except OSError:
            self._hang_up()

    def _hang_up(self) -> None:
        """Close the socket without a word: the connection may be in the middle of a
        message, where QUIT would be taken as its text (and its answer waited for)."""
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None


def _answer(error: smtplib.SMTPException) -> tuple[int, bytes]:
    """(code, reply) of an smtplib refusal."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return next(iter(error.recipients.values()), (0, b""))
    return error.smtp_code, error.smtp_error
