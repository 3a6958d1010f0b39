"""Bounce addresses and the reports that come back to them.

Each newsletter copy leaves with an envelope sender (MAIL FROM, which the receiving
server keeps as Return-Path) of its own: `bounces+<issue>-<subscriber>-<signature>@<domain>`
built from NEWSLETTER_BOUNCE_ADDRESS (VERP). A server that cannot deliver the copy, now or
days later, answers to that address, so the report names the very delivery it is about
whatever the report's format. The signature is an HMAC of the two ids under SECRET_KEY:
nobody can make up the address of someone else's copy to have them removed.

read_report() turns a received message into what it reports: failures from a delivery
status notification (RFC 3464) or a mail server's own format (Postfix, Exim, Yahoo and
others, through flufl.bounce, Mailman's parser), or a complaint (an abuse report, RFC
5965 / ARF); plus the signed addresses and Message-IDs of ours it quotes.
"""

import email
import hmac
import logging
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac
from flufl.bounce import all_failures

from .mail import site_domain

logger = logging.getLogger(__name__)
# flufl.bounce logs each of its detectors it runs, at INFO: a dozen lines per report.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

SALT = "newsletters.bounces.return-path"
SIGNATURE_LENGTH = 12  # hex digits: 48 bits, far beyond guessing over SMTP

HARD, SOFT, COMPLAINT = "hard", "soft", "complaint"
# Which of two reports about one copy says more.
_WEIGHT = {SOFT: 1, HARD: 2, COMPLAINT: 3}


def mailbox() -> tuple[str, str] | None:
    """(local part, domain) of NEWSLETTER_BOUNCE_ADDRESS; None when it is not set."""
    configured = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not configured:
        return None
    local, _, domain = configured.rpartition("@")
    if not local:
        local, domain = configured, site_domain()
    return local, domain.lower()


def _signature(issue_id, subscriber_id, secret=None) -> str:
    value = f"{issue_id}-{subscriber_id}"
    digest = salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()
    return digest[:SIGNATURE_LENGTH]


def return_path(issue_id: int, subscriber_id: int) -> str | None:
    """The envelope sender of one subscriber's copy of an issue (None: bounces are off)."""
    box = mailbox()
    if box is None:
        return None
    local, domain = box
    return f"{local}+{issue_id}-{subscriber_id}-{_signature(issue_id, subscriber_id)}@{domain}"


def _pattern(box):
    local, domain = box
    return re.compile(
        rf"{re.escape(local)}\+(\d{{1,18}})-(\d{{1,18}})-([0-9a-f]{{{SIGNATURE_LENGTH}}})"
        rf"@{re.escape(domain)}",
        re.IGNORECASE,
    )


def _verified(issue_id, subscriber_id, signature) -> bool:
    signature = signature.lower()
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        hmac.compare_digest(_signature(issue_id, subscriber_id, secret), signature)
        for secret in secrets
    )


def read_return_path(address: str) -> tuple[int, int] | None:
    """(issue id, subscriber id) of one of our signed bounce addresses; None for any
    other address, a forged signature included."""
    box = mailbox()
    if box is None:
        return None
    match = _pattern(box).fullmatch(address.strip().strip("<>"))
    if match is None or not _verified(*match.groups()):
        return None
    return int(match.group(1)), int(match.group(2))


def is_mailbox(address: str) -> bool:
    """The bounce address itself, without a copy's tag: where feedback loops (abuse
    reports) are sent, since a provider takes one fixed address."""
    box = mailbox()
    if box is None:
        return False
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return local.lower() == box[0].lower() and domain.lower() == box[1]


def with_return_path(message, issue_id: int, subscriber_id: int):
    """The copy sent from its bounce address, its From header unchanged: Django's SMTP
    backends take from_email as MAIL FROM and extra_headers["From"] as the header;
    anymail reads envelope_sender. Unchanged while bounces are off."""
    sender = return_path(issue_id, subscriber_id)
    if sender is not None:
        message.extra_headers["From"] = message.from_email
        message.from_email = sender
        message.envelope_sender = sender
    return message


# Our Message-IDs (newsletters.mail.message_id): <issue-<issue id>.<subscriber id>@domain>.
_MESSAGE_ID = re.compile(r"<?issue-(\d{1,18})\.(\d{1,18})@[^>\s]+>?")


def message_id_ids(value: str) -> tuple[int, int] | None:
    """(issue id, subscriber id) in one of our Message-IDs. Anyone can write one: it
    links a report to a delivery, it proves nothing."""
    match = _MESSAGE_ID.fullmatch((value or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass
class Failure:
    """One address a report says did not get the message (or complained of it)."""

    email: str
    kind: str
    detail: str


@dataclass
class Report:
    failures: list[Failure] = field(default_factory=list)
    # (issue id, subscriber id) of signed bounce addresses quoted in the message (the
    # returned copy's Return-Path, an abuse report's Original-Mail-From).
    signed: list[tuple[int, int]] = field(default_factory=list)
    # (issue id, subscriber id) of our Message-IDs in the returned headers (unsigned).
    message_ids: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind(self) -> str | None:
        """What the report says about its copy, the gravest first."""
        kinds = [failure.kind for failure in self.failures]
        return max(kinds, key=_WEIGHT.__getitem__) if kinds else None


def _parts(message, content_type):
    return [part for part in message.walk() if part.get_content_type() == content_type]


def _blocks(part):
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    return [email.message_from_string(payload)] if isinstance(payload, str) else []


def _type_value(value):
    """`rfc822; someone@example.org` → the address."""
    return parseaddr((value or "").partition(";")[2] or value or "")[1]


def _clean(value, limit=300):
    return " ".join(str(value or "").split())[:limit]


def _complaints(message, feedback):
    failures = []
    for block in _blocks(feedback):
        kind = block.get("Feedback-Type", "abuse").strip().lower()
        if kind in {"not-spam", "virus"}:
            continue  # not the reader's word against us
        addresses = [
            address
            for _, address in getaddresses(
                block.get_all("Original-Rcpt-To", []) + block.get_all("Removal-Recipient", [])
            )
            if address
        ]
        if not addresses:
            returned = _returned_headers(message)
            addresses = [address for _, address in getaddresses(returned.get_all("To", []))]
        detail = f"Feedback-Type: {kind}"
        if block.get("User-Agent"):
            detail += f"; {_clean(block['User-Agent'])}"
        failures += [Failure(address, COMPLAINT, detail) for address in addresses or [""]]
    return failures


def _statuses(message):
    """{address: (status, diagnostic)} of every DSN recipient block."""
    found = {}
    for part in _parts(message, "message/delivery-status"):
        for block in _blocks(part)[1:]:  # the first block is about the reporting MTA
            status = _clean(block.get("Status"), 20)
            diagnostic = _clean(block.get("Diagnostic-Code"))
            for header in ("Final-Recipient", "Original-Recipient", "X-Actual-Recipient"):
                address = _type_value(block.get(header))
                if address:
                    found.setdefault(address.lower(), (status, diagnostic))
    return found


# A server's answer quoted in a report's text: "550 5.1.1 User unknown", "554 delivery error".
_ANSWER = re.compile(r"\b([45]\d\d)[ -](?:[45]\.\d{1,3}\.\d{1,3}\b)?.*")


def _quoted_answer(message):
    """The first server answer a report without a DSN part quotes, as (status, text)."""
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        if match := _ANSWER.search(text):
            return match.group(1), _clean(match.group(0))
    return "", ""


def _failures(message):
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # noqa: BLE001 - a heuristic detector tripped: no failure found
        # flufl.bounce runs its detectors in turn and lets one's error end the scan
        # (its Yale detector fails on a message without From, as automatic replies sent
        # by scripts may be); such a message reports nothing we can use.
        logger.warning("flufl.bounce could not read a message", exc_info=True)
        return []
    statuses = _statuses(message)
    subject = _clean(message.get("Subject"), 120)
    if not statuses and (temporary or permanent):
        answer = _quoted_answer(message)
        statuses = {raw.decode("ascii", "replace").lower(): answer for raw in permanent}
    failures = []
    for addresses, default in ((permanent, HARD), (temporary, SOFT)):
        for raw in sorted(addresses):
            address = raw.decode("ascii", "replace")
            status, diagnostic = statuses.get(address.lower(), ("", ""))
            # A server that gave up on a temporary condition (a mailbox full for days)
            # reports "failed" with a 4.x.x status: the mailbox exists, it is soft.
            kind = SOFT if status.startswith("4") else default
            quoted = diagnostic.startswith(status)  # a quoted answer holds its own code
            detail = "; ".join(filter(None, [status * (not quoted), diagnostic])) or subject
            failures.append(Failure(address, kind, detail))
    return failures


def _returned_headers(message):
    """The headers of the message a report returns (message/rfc822 or
    text/rfc822-headers); an empty message when it returns none."""
    for part in message.walk():
        if part is message:
            continue
        content_type = part.get_content_type()
        if content_type == "message/rfc822" and isinstance(part.get_payload(), list):
            return part.get_payload()[0]
        if content_type == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            return email.message_from_bytes(text)
    return Message()


def read_report(raw: bytes) -> Report:
    """What a received message reports. A message that reports nothing (an automatic
    reply, spam) gives a Report without failures."""
    message = email.message_from_bytes(raw)
    feedback = _parts(message, "message/feedback-report")
    report = Report(failures=_complaints(message, feedback[0]) if feedback else [])
    if not feedback:
        report.failures = _failures(message)
    box = mailbox()
    if box is not None:
        text = raw.decode("latin-1")
        for issue_id, subscriber_id, signature in _pattern(box).findall(text):
            ids = (int(issue_id), int(subscriber_id))
            if ids not in report.signed and _verified(issue_id, subscriber_id, signature):
                report.signed.append(ids)
    returned = _returned_headers(message)
    for value in returned.get_all("Message-ID", []):
        ids = message_id_ids(value)
        if ids and ids not in report.message_ids:
            report.message_ids.append(ids)
    return report
