"""The sending engine's unit of work: issue_send_chunk, which the Celery task runs,
sends one chunk of an issue's pending deliveries through one connection of the e-mail
backend NEWSLETTER_EMAIL_BACKEND names (EMAIL_BACKEND unless set), at the rate all
workers share (RateLimiter), and records each reader's result on their row."""

import logging
import smtplib
import time

import psycopg
from celery.exceptions import SoftTimeLimitExceeded, Terminated, TimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError
from django.db import connection as db
from django.db.models import F
from django.utils import timezone

from .. import mail
from ..models import Delivery, Issue, Subscriber
from .bounces import bounce_record
from .deliveries import _claim, _fail, _Marks, _release, _retry_later
from .issues import issue_finish_if_done

logger = logging.getLogger(__name__)


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


# Errors that are not the reader's: the task's own limits and the database. Anything
# else raised while one reader's copy is built or sent is that reader's failure.
NOT_THE_READERS = (
    SoftTimeLimitExceeded,
    TimeLimitExceeded,
    Terminated,
    DatabaseError,
    psycopg.Error,
)


def _handed_over(backend, message) -> Exception | None:
    """Give one reader's copy to the e-mail backend. None once the backend has taken it
    (an SMTP server answered 250, a provider's API accepted it, locmem kept it); else
    what stopped it, which is this reader's alone."""
    try:
        sent = backend.send_messages([message])
    except NOT_THE_READERS:
        raise
    except Exception as error:  # noqa: BLE001 - any error here is this reader's
        return error
    if sent == 0:
        return RuntimeError("The e-mail backend sent nothing and said nothing.")
    return None


def _smtp_code(error) -> int:
    """The SMTP server's code in a refusal smtplib (or PipeliningSMTPBackend) raised."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else 0
    return getattr(error, "smtp_code", 0) or 0


def _reopen(backend) -> bool:
    """A new connection after an error nobody foresaw, which may have left the old one
    in the middle of a message (PipeliningSMTPBackend has hung up then). False when the
    server cannot be reached again."""
    try:
        backend.close()
        backend.open()
    except OSError:
        return False
    return True


def _log_readers_error(issue_id, subscriber_id, what, error):
    logger.warning(
        "issue %s, subscriber %s: %s: %r",
        issue_id,
        subscriber_id,
        what,
        error,
        extra={"issue_id": issue_id},
    )


def issue_send_chunk(*, issue_id: int, worker: str) -> bool:
    """Send up to NEWSLETTER_CHUNK_SIZE pending deliveries of the issue through one
    connection of the newsletters' e-mail backend. Returns True when pending rows remain
    (the task enqueues itself again).

    Each copy goes to the backend on its own (send_messages with one message): the
    backend's answer, or its exception, is that reader's outcome. A row is marked sent
    right after the backend took it (in groups of NEWSLETTER_MARK_BATCH, default 1), and
    that mark is done before the next copy is given to the backend: a SIGKILL can
    therefore re-send at most that many messages per killed task.

    Whatever goes wrong with one reader's copy (a name or an address that cannot go in
    a header, a refusal, an error nobody foresaw) is recorded on that reader's row and
    the chunk goes on; only a lost connection, or a server closing it (421), ends it
    early. Paused or cancelled issues stop within NEWSLETTER_STATUS_CHECK_EVERY
    messages; the chunk also stops after NEWSLETTER_CHUNK_SECONDS, far inside the claim
    lease and the broker's visibility timeout, and gives back what it did not send.
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
    backend = marks = None
    # Why the chunk stopped, if it was an error: its rows then keep their claim's count.
    # A server that cannot be reached is nobody's failure: the rows go back untried.
    crash = unreachable = None
    try:
        prepared = mail.PreparedIssue(mail.render_issue(issue))
        # plain_text picks the copy (with or without HTML): loaded here, not per reader.
        subscribers = Subscriber.objects.only(
            "pk", "email", "name", "token", "status", "plain_text"
        ).in_bulk([subscriber_id for _, subscriber_id, _ in rows])
        limiter = RateLimiter(settings.NEWSLETTER_RATE_PER_SECOND)
        deadline = time.monotonic() + settings.NEWSLETTER_CHUNK_SECONDS
        heartbeat = time.monotonic()
        backend = get_connection(settings.NEWSLETTER_EMAIL_BACKEND)
        with db.cursor() as cursor:
            # Not waiting for the WAL flush makes each mark several times cheaper. Only a
            # crash of the PostgreSQL server itself (not of a worker) could lose the last
            # few marks; those messages would go again, with the same Message-ID.
            cursor.execute("SET synchronous_commit TO OFF")
        marks = _Marks(worker)
        try:
            backend.open()
        except OSError as error:
            unreachable = error
            raise
        for index, (delivery_id, subscriber_id, attempts) in enumerate(rows):
            if index and index % settings.NEWSLETTER_STATUS_CHECK_EVERY == 0:
                status = Issue.objects.filter(pk=issue_id).values_list("status", flat=True).first()
                if status != Issue.Status.SENDING:
                    break
            now = time.monotonic()
            if now > deadline:
                break
            if now - heartbeat > 1:
                Issue.objects.filter(pk=issue_id).update(heartbeat_at=timezone.now())
                heartbeat = now
            subscriber = subscribers.get(subscriber_id)
            if subscriber is None or subscriber.status != Subscriber.Status.CONFIRMED:
                Delivery.objects.filter(
                    pk=delivery_id, status=Delivery.Status.SENDING, claimed_by=worker
                ).update(status=Delivery.Status.SKIPPED, attempts=F("attempts") - 1)
                unfinished.discard(delivery_id)
                continue
            try:
                message = prepared.copy_for(subscriber)
            except NOT_THE_READERS:
                raise
            except Exception as error:  # noqa: BLE001 - any error here is this reader's
                # The copy cannot be built (a name with a line break, an address that
                # cannot be encoded): it never will be, so the row fails at once.
                _log_readers_error(issue_id, subscriber_id, "no copy can be built", error)
                _fail(delivery_id, attempts, error)
                unfinished.discard(delivery_id)
                continue
            limiter.wait()
            error = _handed_over(backend, message)
            unfinished.discard(delivery_id)
            if error is None:
                marks.add(delivery_id)
                continue
            marks.flush()
            if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                # The server answered: 4xx is worth another try later, 5xx is final.
                code = _smtp_code(error)
                if 400 <= code < 500:
                    _retry_later(delivery_id, attempts, error)
                else:
                    _fail(delivery_id, attempts, error)
                    if isinstance(error, smtplib.SMTPRecipientsRefused) and code >= 500:
                        bounce_record(kind="hard", source="receiver", delivery_id=delivery_id)
                if code == 421:  # the server closed the connection: the rest wait
                    break
            elif isinstance(error, OSError):
                # The connection is gone (refused, reset, timed out): this row waits its
                # backoff, the rest go back to pending for a later chunk.
                _retry_later(delivery_id, attempts, error)
                break
            else:
                # Nobody foresaw it: this row is tried again later (and fails once it
                # used its attempts); the next reader gets a connection of their own.
                _log_readers_error(issue_id, subscriber_id, "sending failed", error)
                _retry_later(delivery_id, attempts, error)
                if not _reopen(backend):
                    break
    except Exception as error:
        crash = None if error is unreachable else error
        raise
    finally:
        try:
            if marks is not None:
                marks.flush()
                marks.close()
        finally:
            _release(worker, unfinished, crash)
            with db.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            try:
                if backend is not None:
                    backend.close()
            except Exception:  # noqa: BLE001 - a broken connection must not hide the real error
                logger.debug("closing the e-mail connection failed", exc_info=True)

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
