"""Actions on newsletters: subscribe, confirm, change lists, unsubscribe, erase; schedule,
send, pause, resume and cancel an issue; and the sending engine the Celery tasks run.

The sending engine keeps its state in the database, never in the broker: a Delivery row
per (issue, subscriber) moves pending → sending (claimed by one task) → sent / failed.
Queued tasks are only a nudge; the watchdog (run by Celery beat) re-creates them from
the rows, so a killed worker or a restarted Redis delays an issue but loses nobody.
"""

import contextlib
import hmac
import logging
import re
import select
import smtplib
import time
from datetime import timedelta

import psycopg
from celery.exceptions import SoftTimeLimitExceeded, Terminated, TimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, transaction
from django.db import connection as db
from django.db.models import Count, F, Q
from django.utils import timezone
from psycopg import pq

from cpaor import outbox

from . import links, mail
from .models import (
    ConsentRecord,
    Delivery,
    Issue,
    NewsletterList,
    Subscriber,
    Subscription,
)

logger = logging.getLogger(__name__)

# A line of a message that starts with a dot gets a second one (RFC 5321, 4.5.2).
LEADING_DOT = re.compile(rb"(?m)^\.")


# Subscribers ---------------------------------------------------------------------------


def normalize_email(email):
    """Trim, and lower-case the domain (the part before @ may be case-sensitive)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def _send_confirmation(subscriber, newsletters, language):
    subject, text, html = mail.confirmation_email(subscriber, newsletters, language)
    outbox.email_queue(
        to=subscriber.email,
        subject=subject,
        body=text,
        html=html,
        context={"subscriber_id": subscriber.pk, "kind": "newsletter_confirmation"},
    )


def subscriber_subscribe(*, email, list_ids, language, form, consent_text, name=""):
    """Ask the address's owner to confirm their wish to receive list_ids.

    Known or not, confirmed or not, the same happens: a consent record and a
    confirmation e-mail. Nothing is sent to the address until it confirms, so asking
    twice, or for someone else, is harmless.
    """
    email = normalize_email(email)
    newsletters = list(NewsletterList.objects.active().filter(pk__in=list_ids).by_order())
    if not newsletters:
        return None
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email__iexact=email,
            defaults={"email": email, "name": name.strip(), "language": language},
        )
        record = ConsentRecord.objects.create(
            subscriber=subscriber,
            action=ConsentRecord.Action.REQUESTED,
            form=form,
            language=language,
            text=consent_text,
        )
        record.lists.set(newsletters)
        _send_confirmation(subscriber, newsletters, language)
    return subscriber


def _locked_subscriber(subscriber_id, secret):
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or not hmac.compare_digest(subscriber.token, secret):
        raise links.LinkError()
    return subscriber


def subscriber_from_manage_token(token):
    """The subscriber a preferences or unsubscribe link is for (LinkError if none)."""
    subscriber_id, secret = links.read_manage_token(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not hmac.compare_digest(subscriber.token, secret):
        raise links.LinkError()
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token):
    """Confirm the address and add the lists named in the link; clicking twice changes
    nothing the second time. Returns (subscriber, lists)."""
    subscriber_id, secret, list_ids = links.read_confirm_token(token)
    subscriber = _locked_subscriber(subscriber_id, secret)
    newsletters = list(NewsletterList.objects.active().filter(pk__in=list_ids).by_order())
    have = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    new = [newsletter for newsletter in newsletters if newsletter.pk not in have]
    if subscriber.status == Subscriber.Status.CONFIRMED and not new:
        return subscriber, newsletters
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter=newsletter) for newsletter in new],
        ignore_conflicts=True,
    )
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at", "updated"])
    record = ConsentRecord.objects.create(
        subscriber=subscriber, action=ConsentRecord.Action.CONFIRMED, language=subscriber.language
    )
    record.lists.set(new)
    return subscriber, newsletters


@transaction.atomic
def subscriber_set_lists(*, subscriber_id, list_ids, consent_text=""):
    """The preference centre: keep exactly list_ids (active ones). No list at all is an
    unsubscription. Returns whether anything changed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    active = NewsletterList.objects.active().filter(pk__in=list_ids)
    wanted = set(active.values_list("pk", flat=True))
    if not wanted:
        return _unsubscribe(subscriber, ConsentRecord.Form.PREFERENCES)
    have = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    if have == wanted and subscriber.status == Subscriber.Status.CONFIRMED:
        return False
    subscriber.subscriptions.exclude(newsletter_id__in=wanted).delete()
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter_id=pk) for pk in wanted - have],
        ignore_conflicts=True,
    )
    # Dropped lists: nothing more of theirs, even from an issue being sent right now.
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).exclude(
        issue__newsletter_id__in=wanted
    ).update(status=Delivery.Status.SKIPPED)
    if subscriber.status != Subscriber.Status.CONFIRMED:
        # The link came in an e-mail to this address: that is the confirmation.
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at", "updated"])
    record = ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.CHANGED,
        form=ConsentRecord.Form.PREFERENCES,
        language=subscriber.language,
        text=consent_text,
    )
    record.lists.set(wanted)
    return True


def _unsubscribe(subscriber, form):
    subscribed = subscriber.subscriptions.exists()
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED and not subscribed:
        return False
    subscriber.subscriptions.all().delete()
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at", "updated"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.UNSUBSCRIBED,
        form=form,
        language=subscriber.language,
    )
    return True


@transaction.atomic
def subscriber_unsubscribe(*, subscriber_id, form=""):
    """Stop every list for this subscriber; a second call changes nothing."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return _unsubscribe(subscriber, form)


@transaction.atomic
def subscriber_mark_bounced(*, subscriber_id):
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.BOUNCED:
        return False
    subscriber.status = Subscriber.Status.BOUNCED
    subscriber.save(update_fields=["status", "updated"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )
    return True


@transaction.atomic
def subscriber_erase(*, subscriber_id):
    """Forget a person on request: the subscriber, their lists, consent records and
    delivery rows. Returns whether there was anything to erase."""
    deleted, _ = Subscriber.objects.filter(pk=subscriber_id).delete()
    if deleted:
        logger.info("newsletter subscriber %s erased on request", subscriber_id)
    return bool(deleted)


# Issues --------------------------------------------------------------------------------


class IssueStateError(Exception):
    """The action does not apply to the issue in its current state."""


def _locked_issue(issue_id):
    return Issue.objects.select_for_update().get(pk=issue_id)


def _refuse(issue, action):
    raise IssueStateError(f"Cannot {action} an issue that is {issue.get_status_display().lower()}.")


def enqueue_chunks(issue_id, count=None):
    """Nudge workers to send issue_id. Goes through CELERY_BROKER_URL explicitly, so a
    test can point this process and its worker at a broker of their own."""
    from cpaor.celery import app

    from .tasks import send_chunk

    count = count or settings.NEWSLETTER_PARALLEL_CHUNKS
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            for _ in range(count):
                send_chunk.apply_async(
                    args=[issue_id], queue=settings.NEWSLETTER_QUEUE, connection=connection
                )
    except Exception as error:  # noqa: BLE001 - kombu raises several kinds; all mean "later"
        # The rows hold the issue's state; the watchdog nudges it once the broker is back.
        logger.warning(
            "issue %s waits for the watchdog: %r", issue_id, error, extra={"issue_id": issue_id}
        )


def _start(issue):
    """Create the delivery rows (one per confirmed subscriber of the list, at most one
    per person even if started twice) and set the issue sending."""
    with db.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletters_delivery
                (issue_id, subscriber_id, status, attempts, claimed_by, last_error, message_id)
            SELECT %s, s.id, 'pending', 0, '', '', ''
            FROM newsletters_subscription sub
            JOIN newsletters_subscriber s ON s.id = sub.subscriber_id
            WHERE sub.newsletter_id = %s AND s.status = 'confirmed'
            ON CONFLICT (issue_id, subscriber_id) DO NOTHING
            """,
            [issue.pk, issue.newsletter_id],
        )
    issue.status = Issue.Status.SENDING
    issue.started_at = issue.started_at or timezone.now()
    issue.heartbeat_at = None
    issue.save(update_fields=["status", "started_at", "heartbeat_at", "updated"])
    issue_id = issue.pk
    transaction.on_commit(lambda: enqueue_chunks(issue_id))


@transaction.atomic
def issue_schedule(*, issue_id, when, by=None):
    """Send at `when` (the watchdog starts it). Rescheduling a scheduled issue moves it."""
    issue = _locked_issue(issue_id)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        _refuse(issue, "schedule")
    if issue.status == Issue.Status.SCHEDULED and issue.scheduled_at == when:
        return issue
    issue.status = Issue.Status.SCHEDULED
    issue.scheduled_at = when
    issue.save(update_fields=["status", "scheduled_at", "updated"])
    logger.info("issue %s scheduled for %s by %s", issue_id, when, by, extra={"issue_id": issue_id})
    return issue


@transaction.atomic
def issue_send_now(*, issue_id, by=None):
    """Start sending; an issue already sending or sent is left alone."""
    issue = _locked_issue(issue_id)
    if issue.status in (Issue.Status.SENDING, Issue.Status.SENT):
        return issue
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        _refuse(issue, "send")
    _start(issue)
    logger.info("issue %s sending, started by %s", issue_id, by, extra={"issue_id": issue_id})
    return issue


@transaction.atomic
def issue_pause(*, issue_id, by=None):
    """Stop sending; chunk tasks notice within a few messages and give back their rows."""
    issue = _locked_issue(issue_id)
    if issue.status == Issue.Status.PAUSED:
        return issue
    if issue.status != Issue.Status.SENDING:
        _refuse(issue, "pause")
    issue.status = Issue.Status.PAUSED
    issue.save(update_fields=["status", "updated"])
    logger.info("issue %s paused by %s", issue_id, by, extra={"issue_id": issue_id})
    return issue


@transaction.atomic
def issue_resume(*, issue_id, by=None):
    """Carry on with the rows still pending; rows already sent are never sent again."""
    issue = _locked_issue(issue_id)
    if issue.status == Issue.Status.SENDING:
        return issue
    if issue.status != Issue.Status.PAUSED:
        _refuse(issue, "resume")
    issue.status = Issue.Status.SENDING
    issue.heartbeat_at = None
    issue.save(update_fields=["status", "heartbeat_at", "updated"])
    transaction.on_commit(lambda: enqueue_chunks(issue_id))
    logger.info("issue %s resumed by %s", issue_id, by, extra={"issue_id": issue_id})
    return issue


@transaction.atomic
def issue_cancel(*, issue_id, by=None):
    """Give up the issue: whatever is still pending is skipped. A sent issue stays sent."""
    issue = _locked_issue(issue_id)
    if issue.status == Issue.Status.CANCELLED:
        return issue
    if issue.status == Issue.Status.SENT:
        _refuse(issue, "cancel")
    issue.status = Issue.Status.CANCELLED
    issue.finished_at = timezone.now()
    issue.save(update_fields=["status", "finished_at", "updated"])
    issue.deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
    logger.info("issue %s cancelled by %s", issue_id, by, extra={"issue_id": issue_id})
    return issue


def issue_send_test(*, issue_id, email):
    """Send the issue, marked as a test, to one address (an editor's own)."""
    issue = Issue.objects.select_related("newsletter").get(pk=issue_id)
    rendered = mail.render_issue(issue)
    # A stand-in subscriber: its links lead to the "link no longer valid" page.
    stand_in = Subscriber(pk=0, email=email, token="test-copy")
    message = mail.issue_message(rendered, stand_in, subject_prefix="[TEST] ")
    html = message.alternatives[0][0]
    headers = {key: value for key, value in message.extra_headers.items() if key != "Message-ID"}
    outbox.email_queue(
        to=email,
        subject=message.subject,
        body=message.body,
        html=html,
        headers=headers,
        context={"issue_id": issue_id, "kind": "newsletter_test"},
    )


def issue_progress(issue_id):
    """Counts of delivery rows by status, and the share done, for the admin."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = Delivery.objects.filter(issue_id=issue_id).values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    total = sum(counts.values())
    done = counts["sent"] + counts["failed"] + counts["skipped"]
    counts["total"] = total
    counts["done"] = done
    counts["percent"] = round(100 * done / total) if total else 0
    return counts


@transaction.atomic
def issue_finish_if_done(*, issue_id):
    """Mark a sending issue sent once no row is pending or being sent."""
    issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return False
    busy = issue.deliveries.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    ).exists()
    if busy:
        return False
    issue.status = Issue.Status.SENT
    issue.finished_at = timezone.now()
    issue.save(update_fields=["status", "finished_at", "updated"])
    logger.info("issue %s sent", issue_id, extra={"issue_id": issue_id})
    return True


# The sending engine --------------------------------------------------------------------


class RateLimiter:
    """At most `rate` messages per second across every worker: a counter per second in
    Redis (fixed window). Without Redis it paces this process alone at `rate`."""

    def __init__(self, rate):
        self.rate = rate
        self._redis = None
        self._last = 0.0

    def _client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
            )
        return self._redis

    def wait(self):
        if self.rate <= 0:
            return
        import redis

        while True:
            now = time.time()
            second = int(now)
            key = f"{settings.NEWSLETTER_RATE_KEY}:{second}"
            try:
                pipe = self._client().pipeline()
                pipe.incr(key)
                pipe.expire(key, 10)
                count = pipe.execute()[0]
            except redis.RedisError:
                gap = 1 / self.rate - (time.monotonic() - self._last)
                if gap > 0:
                    time.sleep(gap)
                self._last = time.monotonic()
                return
            if count <= self.rate:
                return
            time.sleep(second + 1 - now)


def _claim(issue_id, worker, size):
    """Take up to `size` pending rows for this task; committed at once, so a crash
    afterwards leaves them 'sending' until the watchdog's lease gives them back.

    The claim itself counts as an attempt: a task that dies hard (SIGKILL, time limit)
    records nothing afterwards, so only a count made here bounds how often a row can be
    taken. Rows given back untried get their count back (_release); rows that used
    NEWSLETTER_MAX_ATTEMPTS are never claimed again, and the watchdog fails them.

    Nothing is claimed unless the issue is sending at the moment of the claim. The issue
    row stays share-locked until the claim commits, so a pause (which locks it FOR
    UPDATE) either comes first and is seen here, or waits and then finds these rows
    'sending', to be given back within NEWSLETTER_STATUS_CHECK_EVERY messages. Once no
    row of a paused issue is 'sending', nothing more of it goes out."""
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM newsletters_issue WHERE id = %s FOR KEY SHARE", [issue_id]
        )
        row = cursor.fetchone()
        if row is None or row[0] != Issue.Status.SENDING:
            return []
        cursor.execute(
            """
            UPDATE newsletters_delivery
            SET status = 'sending', claimed_at = now(), claimed_by = %s, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM newsletters_delivery
                WHERE issue_id = %s AND status = 'pending' AND attempts < %s
                  AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                ORDER BY id
                LIMIT %s
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id, subscriber_id, attempts
            """,
            [worker, issue_id, settings.NEWSLETTER_MAX_ATTEMPTS, size],
        )
        return sorted(cursor.fetchall())


class _Marks:
    """Marks accepted deliveries sent, without waiting on the database in between.

    Each group of NEWSLETTER_MARK_BATCH accepted rows is one UPDATE, sent at once on the
    task's own database connection; its answer is read only when the connection is
    needed again, at the latest just before the next message is handed to the SMTP
    server. The database records one message while the task prepares and announces the
    next, and at any moment at most one group is accepted but maybe not yet recorded:
    what a SIGKILL can make go twice, as with a mark that waited."""

    SQL = b"""
        UPDATE newsletters_delivery
        SET status = 'sent', sent_at = now(), last_error = '',
            message_id = '<issue-' || issue_id || '.' || subscriber_id || '@' || $1 || '>'
        WHERE id = ANY($2::bigint[]) AND status = 'sending' AND claimed_by = $3
    """

    def __init__(self, worker):
        db.ensure_connection()
        self._pgconn = db.connection.pgconn
        self._params = [mail.site_domain().encode(), None, worker.encode()]
        self._batch = max(1, settings.NEWSLETTER_MARK_BATCH)
        self._accepted = []
        self._pending = False

    def add(self, delivery_id):
        self._accepted.append(delivery_id)
        if len(self._accepted) >= self._batch:
            self.send()

    def send(self):
        """Send the UPDATE of the rows accepted so far; do not wait for it."""
        if not self._accepted:
            return
        self.wait()
        self._params[1] = ("{" + ",".join(map(str, self._accepted)) + "}").encode()
        self._accepted = []
        self._pgconn.send_query_params(self.SQL, self._params)
        self._pending = True

    def wait(self):
        """Read the answer of the UPDATE in flight: the connection is free for others."""
        if not self._pending:
            return
        self._pending = False
        pgconn = self._pgconn
        pgconn.consume_input()
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [], 5)
            pgconn.consume_input()
        error = None
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK and error is None:
                encoding = db.connection.info.encoding
                error = psycopg.errors.error_from_result(result, encoding=encoding)
        if error is not None:
            raise error

    def flush(self):
        self.send()
        self.wait()


def _release(worker, ids, error=None):
    """Give claimed rows back unsent. Untried (pause, cancel, time up, SMTP server
    unreachable), each gets its claim's count back. After an error that stopped the
    whole chunk, the count stays and the error is kept: a chunk that fails every time
    uses up its rows' attempts, and they end failed instead of being tried for ever."""
    if not ids:
        return
    claimed = Delivery.objects.filter(
        pk__in=list(ids), status=Delivery.Status.SENDING, claimed_by=worker
    )
    if error is None:
        claimed.update(
            status=Delivery.Status.PENDING,
            claimed_at=None,
            claimed_by="",
            attempts=F("attempts") - 1,
        )
        return
    claimed.filter(attempts__gte=settings.NEWSLETTER_MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED, last_error=_describe(error)
    )
    claimed.update(
        status=Delivery.Status.PENDING, claimed_at=None, claimed_by="", last_error=_describe(error)
    )


def _describe(error):
    """The error as kept in last_error: its kind and its message."""
    if isinstance(error, smtplib.SMTPException):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:1000]


def _retry_later(delivery_id, attempts, error):
    """Another try after a backoff; `attempts` already counts this one (the claim)."""
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _fail(delivery_id, attempts, error)
        return
    delay = min(settings.NEWSLETTER_RETRY_SECONDS * 2 ** (attempts - 1), 3600)
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claimed_at=None,
        claimed_by="",
        last_error=_describe(error),
    )


def _fail(delivery_id, attempts, error):
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED,
        attempts=attempts,
        last_error=_describe(error),
    )


# Errors that are not the reader's: the task's own limits and the database. Anything
# else raised while one reader's copy is built or sent is that reader's failure.
NOT_THE_READERS = (
    SoftTimeLimitExceeded,
    TimeLimitExceeded,
    Terminated,
    DatabaseError,
    psycopg.Error,
)


def _smtp_code(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else 0
    return getattr(error, "smtp_code", 0) or 0


def _after_refusal(smtp, codes):
    """A server closing the connection (421) is let go; otherwise the refused
    transaction is reset, and the connection serves the next message."""
    if 421 in codes:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _announce(smtp, sender, recipient, size):
    """MAIL, RCPT and DATA: all of a message's transaction but the message itself. The
    server has accepted nothing yet. A server that offers PIPELINING (RFC 2920; every
    common MTA does) gets the three commands in one write and answers them together:
    one round trip instead of three."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    # Both are bare addresses already (PreparedIssue and mail.addresses made them so).
    mail_from = f"mail FROM:<{sender}>{options}"
    rcpt_to = f"rcpt TO:<{recipient}>"
    if smtp.does_esmtp and smtp.has_extn("pipelining"):
        smtp.send(f"{mail_from}\r\n{rcpt_to}\r\ndata\r\n")
        replies = [smtp.getreply() for _ in range(3)]
    else:
        replies = [smtp.docmd(mail_from)]
        if replies[0][0] == 250:
            replies.append(smtp.docmd(rcpt_to))
            if replies[1][0] in (250, 251):
                replies.append(smtp.docmd("data"))
    codes = [code for code, _ in replies]
    if codes[0] == 250 and codes[1:2] in ([250], [251]) and codes[2:] == [354]:
        return
    if codes[2:] == [354]:
        # Told to go on despite a refusal: end the empty message before resetting.
        smtp.send(".\r\n")
        smtp.getreply()
    _after_refusal(smtp, codes)
    (mail_code, mail_reply), *rest = replies
    if mail_code != 250:
        raise smtplib.SMTPSenderRefused(mail_code, mail_reply, sender)
    rcpt_code, rcpt_reply = rest[0]
    if rcpt_code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_reply)})
    raise smtplib.SMTPDataError(*rest[1])


def _hand_over(smtp, raw):
    """The message after DATA; the server's 250 is its promise to deliver it."""
    data = LEADING_DOT.sub(b"..", raw)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _after_refusal(smtp, [code])
        raise smtplib.SMTPDataError(code, reply)


def issue_send_chunk(*, issue_id, worker):
    """Send up to NEWSLETTER_CHUNK_SIZE pending deliveries of the issue over one SMTP
    connection. Returns True when pending rows remain (the task enqueues itself again).

    A row is marked sent right after the server accepted it (in groups of
    NEWSLETTER_MARK_BATCH, default 1), and that mark is done before the next message can
    be accepted: a SIGKILL can therefore re-send at most that many messages per killed
    task. The database records one message while the next is prepared and announced
    (see _Marks), and a server offering PIPELINING gets MAIL, RCPT and DATA in one write.

    Whatever goes wrong with one reader's copy (a name or an address that cannot go in
    a header, a refusal, an error nobody foresaw) is recorded on that reader's row and
    the chunk goes on; only a lost connection ends it early. Paused or cancelled issues
    stop within NEWSLETTER_STATUS_CHECK_EVERY messages; the chunk also stops after
    NEWSLETTER_CHUNK_SECONDS, far inside the claim lease and the broker's visibility
    timeout, and gives back what it did not send.
    """
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return False
    Issue.objects.filter(pk=issue_id).update(heartbeat_at=timezone.now())
    rows = _claim(issue_id, worker, settings.NEWSLETTER_CHUNK_SIZE)
    if not rows:
        issue_finish_if_done(issue_id=issue_id)
        return False

    unfinished = {delivery_id for delivery_id, _, _ in rows}
    smtp = marks = None
    # Why the chunk stopped, if it was an error: its rows then keep their claim's count.
    # A server that cannot be reached is nobody's failure: the rows go back untried.
    crash = unreachable = None
    ended = False
    try:
        prepared = mail.PreparedIssue(mail.render_issue(issue))
        subscribers = Subscriber.objects.only("pk", "email", "name", "token", "status").in_bulk(
            [subscriber_id for _, subscriber_id, _ in rows]
        )
        limiter = RateLimiter(settings.NEWSLETTER_RATE_PER_SECOND)
        deadline = time.monotonic() + settings.NEWSLETTER_CHUNK_SECONDS
        heartbeat = time.monotonic()
        smtp = get_connection(fail_silently=False)
        with db.cursor() as cursor:
            # Not waiting for the WAL flush makes each mark several times cheaper. Only a
            # crash of the PostgreSQL server itself (not of a worker) could lose the last
            # few marks; those messages would go again, with the same Message-ID.
            cursor.execute("SET synchronous_commit TO OFF")
        marks = _Marks(worker)
        try:
            smtp.open()
        except OSError as error:
            unreachable = error
            raise
        for index, (delivery_id, subscriber_id, attempts) in enumerate(rows):
            if index and index % settings.NEWSLETTER_STATUS_CHECK_EVERY == 0:
                marks.wait()
                status = Issue.objects.filter(pk=issue_id).values_list("status", flat=True).first()
                if status != Issue.Status.SENDING:
                    break
            now = time.monotonic()
            if now > deadline:
                break
            if now - heartbeat > 1:
                marks.wait()
                Issue.objects.filter(pk=issue_id).update(heartbeat_at=timezone.now())
                heartbeat = now
            subscriber = subscribers.get(subscriber_id)
            if subscriber is None or subscriber.status != Subscriber.Status.CONFIRMED:
                marks.wait()
                Delivery.objects.filter(
                    pk=delivery_id, status=Delivery.Status.SENDING, claimed_by=worker
                ).update(status=Delivery.Status.SKIPPED, attempts=F("attempts") - 1)
                unfinished.discard(delivery_id)
                continue
            try:
                recipient, raw = prepared.for_subscriber(subscriber)
            except NOT_THE_READERS:
                raise
            except Exception as error:  # noqa: BLE001 - any error here is this reader's
                # The copy cannot be built (a name with a line break, an address that
                # cannot be encoded): it never will be, so the row fails at once.
                logger.warning(
                    "issue %s: no copy can be built for subscriber %s: %r",
                    issue_id,
                    subscriber_id,
                    error,
                    extra={"issue_id": issue_id},
                )
                marks.wait()
                _fail(delivery_id, attempts, error)
                unfinished.discard(delivery_id)
                continue
            limiter.wait()
            try:
                _announce(smtp.connection, prepared.envelope_from, recipient, len(raw))
                # The message before is recorded before this one can be accepted.
                marks.wait()
                _hand_over(smtp.connection, raw)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
                # The server answered: 4xx is worth another try later, 5xx is final.
                marks.flush()
                code = _smtp_code(error)
                if 400 <= code < 500:
                    _retry_later(delivery_id, attempts, error)
                else:
                    _fail(delivery_id, attempts, error)
                    if isinstance(error, smtplib.SMTPRecipientsRefused) and code >= 500:
                        subscriber_mark_bounced(subscriber_id=subscriber_id)
                unfinished.discard(delivery_id)
                if smtp.connection.sock is None:  # the server closed (421)
                    break
                continue
            except OSError as error:
                # The connection is gone (refused, reset, timed out): this row waits its
                # backoff, the rest go back to pending for a later chunk.
                marks.flush()
                _retry_later(delivery_id, attempts, error)
                unfinished.discard(delivery_id)
                break
            except NOT_THE_READERS:
                raise
            except Exception as error:  # noqa: BLE001 - any error here is this reader's
                # Nobody foresaw it: this row is tried again later (and fails once it
                # used its attempts); the next reader gets a connection of their own.
                logger.warning(
                    "issue %s: sending to subscriber %s failed: %r",
                    issue_id,
                    subscriber_id,
                    error,
                    extra={"issue_id": issue_id},
                )
                marks.flush()
                _retry_later(delivery_id, attempts, error)
                unfinished.discard(delivery_id)
                if not _reconnect(smtp):
                    break
                continue
            unfinished.discard(delivery_id)
            marks.add(delivery_id)
        ended = True
    except Exception as error:
        crash = None if error is unreachable else error
        raise
    finally:
        try:
            if marks is not None:
                marks.flush()
        finally:
            _release(worker, unfinished, crash)
            with db.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            try:
                if smtp is not None and not ended:
                    _hang_up(smtp)
                if smtp is not None:
                    smtp.close()
            except Exception:  # noqa: BLE001 - a broken connection must not hide the real error
                logger.debug("closing the SMTP connection failed", exc_info=True)

    issue.refresh_from_db(fields=["status"])
    if issue.status == Issue.Status.CANCELLED:
        issue.deliveries.filter(status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED
        )
        return False
    if issue.status != Issue.Status.SENDING:
        return False
    ready = issue.deliveries.filter(status=Delivery.Status.PENDING).exists()
    if not ready:
        issue_finish_if_done(issue_id=issue_id)
    return ready


def _hang_up(backend):
    """Close the socket without a word: after an error the connection may be in the
    middle of a message, where QUIT would be taken as its text (and its answer waited
    for); the server drops what it got of the message."""
    if backend.connection is not None:
        with contextlib.suppress(Exception):
            backend.connection.close()
        backend.connection = None


def _reconnect(backend):
    """A new connection after an unforeseen error, which may have left the old one in the
    middle of a message (see _hang_up). False when the server cannot be reached again."""
    _hang_up(backend)
    try:
        backend.open()
    except OSError:
        return False
    return True


GIVEN_UP = (
    "Given up after its last attempt (NEWSLETTER_MAX_ATTEMPTS): the worker sending it "
    "stopped (killed, or out of time) before it could record the result."
)


def newsletters_watchdog():
    """Run by Celery beat every NEWSLETTER_WATCHDOG_SECONDS: start due issues, give back
    rows whose claim outlived its lease (the worker died), fail rows that used all their
    attempts, restart sending where no chunk task has shown life lately, and mark
    finished issues sent. Safe to run anywhere, any number of times."""
    now = timezone.now()
    started = 0
    for issue_id in Issue.objects.filter(
        status=Issue.Status.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            issue = _locked_issue(issue_id)
            if issue.status == Issue.Status.SCHEDULED:
                _start(issue)
                started += 1
    most = settings.NEWSLETTER_MAX_ATTEMPTS
    stale = Delivery.objects.filter(
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS),
    )
    # Every claim was counted: a row whose workers died NEWSLETTER_MAX_ATTEMPTS times
    # (one that kills its worker, say) is not handed out again, so its issue can end.
    failed = stale.filter(attempts__gte=most).update(
        status=Delivery.Status.FAILED, last_error=GIVEN_UP
    )
    # A cancelled issue sends nothing more: what its dead workers held is skipped.
    stale.filter(issue__status=Issue.Status.CANCELLED).update(status=Delivery.Status.SKIPPED)
    released = stale.update(status=Delivery.Status.PENDING, claimed_at=None, claimed_by="")
    if released:
        logger.warning("newsletter watchdog gave back %s stale claims", released)
    if failed:
        logger.warning("newsletter watchdog gave up %s deliveries", failed)
    nudged = finished = 0
    stall = now - timedelta(seconds=settings.NEWSLETTER_STALL_SECONDS)
    for issue in Issue.objects.filter(status=Issue.Status.SENDING):
        # Rows left with no attempt to spare (NEWSLETTER_MAX_ATTEMPTS lowered since).
        failed += issue.deliveries.filter(
            status=Delivery.Status.PENDING, attempts__gte=most
        ).update(
            status=Delivery.Status.FAILED,
            last_error=f"Given up: {most} attempts at most (NEWSLETTER_MAX_ATTEMPTS).",
        )
        if issue_finish_if_done(issue_id=issue.pk):
            finished += 1
            continue
        ready = issue.deliveries.filter(status=Delivery.Status.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        if (issue.heartbeat_at is None or issue.heartbeat_at < stall) and ready.exists():
            enqueue_chunks(issue.pk)
            nudged += 1
    return {
        "started": started,
        "released": released,
        "failed": failed,
        "nudged": nudged,
        "finished": finished,
    }
