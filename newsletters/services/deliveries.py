"""The delivery rows as the sending engine moves them: claim a chunk of pending rows
(pending → sending), mark accepted rows sent (_Marks), give rows back, retry a row after
a backoff or fail it."""

import smtplib
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import mail
from ..models import Delivery, Issue


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
            SET status = 'sending', claimed_at = now(), last_attempt_at = now(),
                claimed_by = %s, attempts = attempts + 1
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
    """Marks accepted deliveries sent: each group of NEWSLETTER_MARK_BATCH accepted rows
    is one UPDATE on the task's own database connection, committed before the next
    copy goes to the e-mail backend. At any moment at most one group is accepted but
    not yet recorded: what a SIGKILL can make go twice."""

    SQL = """
        UPDATE newsletters_delivery
        SET status = 'sent', sent_at = now(), last_error = '',
            message_id = '<issue-' || issue_id || '.' || subscriber_id || '@' || $1 || '>'
        WHERE id = ANY($2::bigint[]) AND status = 'sending' AND claimed_by = $3
    """

    def __init__(self, worker: str) -> None:
        db.ensure_connection()
        # A psycopg cursor of its own on the psycopg Connection under Django's, kept for
        # the chunk: the query goes as written ($1…, nothing to rewrite) with its
        # parameters apart, as text, and no Django cursor wrapper is in the way; a mark
        # costs several times less CPU than through a Django cursor.
        self._cursor = psycopg.RawCursor(db.connection)
        self._domain = mail.site_domain()
        self._worker = worker
        self._batch = max(1, settings.NEWSLETTER_MARK_BATCH)
        self._accepted: list[int] = []

    def add(self, delivery_id: int) -> None:
        self._accepted.append(delivery_id)
        if len(self._accepted) >= self._batch:
            self._write()

    def flush(self) -> None:
        """Record the rows accepted so far, whatever their number."""
        self._write()

    def close(self) -> None:
        self._cursor.close()

    def _write(self) -> None:
        if self._accepted:
            ids, self._accepted = self._accepted, []
            array = "{" + ",".join(map(str, ids)) + "}"
            self._cursor.execute(self.SQL, [self._domain, array, self._worker])


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
