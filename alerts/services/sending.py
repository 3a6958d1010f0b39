"""The daily run: plan a digest row for each alert due, send each row through the
newsletters' e-mail backend, and tell watchers a resource is in their language.

A digest is a row per (alert, period start) written in the transaction that moves the
alert's last_sent_through on: a second run the same day finds the alert not due, and the
unique constraint stops two runs at once. The row is sent by a task holding its lock
(skip_locked), so two tasks never both send it; whatever goes wrong with one reader's
message is that row's failure (or its retry), never the run's.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from common import outbox
from common.queueing import enqueue
from newsletters.models import Subscriber
from resources.models import Resource, ResourceVersion

from .. import mail, searches
from ..models import Digest, Frequency, LanguageWatch, SearchAlert

logger = logging.getLogger(__name__)

PERIODS = {Frequency.WEEKLY: relativedelta(days=7), Frequency.MONTHLY: relativedelta(months=1)}
# Tries of one digest; then it is failed for good.
MAX_ATTEMPTS = 8
# A temporary refusal waits this long times the attempts before the next try.
RETRY_SECONDS = 600


def next_due(alert) -> datetime | None:
    if alert.last_sent_through is None:
        return None
    return alert.last_sent_through + PERIODS[Frequency(alert.frequency)]


def due_alert_ids(now: datetime) -> list[int]:
    """Confirmed alerts whose period has run out by now."""
    ids = []
    for frequency, period in PERIODS.items():
        ids += (
            SearchAlert.objects.confirmed()
            .filter(frequency=frequency, last_sent_through__lte=now - period)
            .values_list("pk", flat=True)
        )
    return sorted(ids)


def _enqueue(digest_id):
    """Queue the row's task; without a broker the next daily run queues it."""
    from ..tasks import send_digest

    enqueue(send_digest, args=[digest_id], later="the next daily run")


def digest_plan(*, alert_id: int, now: datetime) -> Digest | None:
    """The digest of one alert for the period ending now, if due: a row listing the new
    resources its search finds, sent after commit. With none, no row: the period is
    covered all the same. None when there is nothing to send (or it was done already)."""
    with transaction.atomic():
        alert = (
            SearchAlert.objects.confirmed()
            .select_for_update(skip_locked=True)
            .filter(pk=alert_id)
            .first()
        )
        due = alert and next_due(alert)
        if not due or due > now:
            return None
        since = alert.last_sent_through
        ids = searches.new_matches(alert.query, alert.language, since, now)
        alert.last_sent_through = now
        alert.save(update_fields=["last_sent_through"])
        if not ids:
            return None
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    alert=alert, period_start=since, period_end=now, resource_ids=ids
                )
        except IntegrityError:
            return None
        transaction.on_commit(lambda: _enqueue(digest.pk))
    return digest


def _temporary(error) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)


def _resources(ids):
    versions = Prefetch(
        "versions", queryset=ResourceVersion.objects.only("resource_id", "language")
    )
    found = Resource.objects.published().filter(pk__in=ids).prefetch_related(versions)
    by_id = {resource.pk: resource for resource in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def _finish(digest, status, error=""):
    digest.status = status
    digest.last_error = error[:2000]
    if status == Digest.Status.SENT:
        digest.sent_at = timezone.now()
        digest.next_attempt_at = None
    digest.save(update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"])
    return status


def digest_send(*, digest_id: int, connection=None) -> str:
    """Send one digest row: "sent", "retry" (a temporary refusal: later), "failed",
    "skipped" (the reader bounced or complained, or every resource was withdrawn), or
    "busy" (sent, failed, or being sent by another task: nothing done)."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("alert__subscriber")
            .filter(pk=digest_id, status=Digest.Status.PENDING)
            .first()
        )
        if digest is None:
            return "busy"
        digest.attempts += 1
        if digest.alert.subscriber.status == Subscriber.Status.BOUNCED:
            return _finish(digest, Digest.Status.SKIPPED, "The address bounced or complained.")
        resources = _resources(digest.resource_ids)
        if not resources:
            return _finish(digest, Digest.Status.SKIPPED, "No resource is published any more.")
        backend = connection or get_connection(settings.NEWSLETTER_EMAIL_BACKEND)
        try:
            message = mail.digest_email(digest, resources, connection=backend)
            sent = backend.send_messages([message])
            if not sent:
                raise RuntimeError("The e-mail backend sent nothing and said nothing.")
        except Exception as error:  # noqa: BLE001 - this reader's failure, on their row
            text = f"{type(error).__name__}: {error}"
            if _temporary(error) and digest.attempts < MAX_ATTEMPTS:
                digest.next_attempt_at = timezone.now() + timedelta(
                    seconds=RETRY_SECONDS * digest.attempts
                )
                _finish(digest, Digest.Status.PENDING, text)
                return "retry"
            logger.warning("alert digest %s failed: %s", digest.pk, text)
            return _finish(digest, Digest.Status.FAILED, text)
        return _finish(digest, Digest.Status.SENT)


def _open_watches():
    has_version = ResourceVersion.objects.filter(
        resource_id=OuterRef("resource_id"), language=OuterRef("language")
    )
    return LanguageWatch.objects.filter(
        confirmed_at__isnull=False,
        notified_at__isnull=True,
        resource__status=Resource.Status.PUBLISHED,
    ).filter(Exists(has_version))


@transaction.atomic
def language_watch_notify(*, watch_id: int) -> bool:
    """Tell the reader (once) that the resource is now in the language they watch: one
    e-mail through the outbox, written with the mark. False when already done, not yet
    true, or the reader bounced (the watch then stays open)."""
    watch = (
        _open_watches()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("subscriber", "resource")
        .filter(pk=watch_id)
        .first()
    )
    if watch is None or watch.subscriber.status == Subscriber.Status.BOUNCED:
        return False
    watch.notified_at = timezone.now()
    watch.save(update_fields=["notified_at"])
    subject, text, headers = mail.watch_notice(watch, watch.resource)
    outbox.email_queue(
        to=watch.subscriber.email,
        subject=subject,
        body=text,
        headers=headers,
        context={"subscriber_id": watch.subscriber_id, "kind": "alert_language_watch"},
    )
    return True


def alerts_daily(*, now: datetime | None = None) -> dict[str, int]:
    """What beat runs once a day: a digest for each alert due, a notice for each watch
    come true, and another try for digests still pending from earlier runs. Each alert
    and watch is its own transaction: one that fails is logged and the run goes on."""
    now = now or timezone.now()
    planned = notified = 0
    for alert_id in due_alert_ids(now):
        try:
            planned += digest_plan(alert_id=alert_id, now=now) is not None
        except Exception:  # noqa: BLE001 - one alert's failure, not the run's
            logger.exception("alert %s: digest not planned", alert_id)
    for watch_id in _open_watches().values_list("pk", flat=True):
        try:
            notified += language_watch_notify(watch_id=watch_id)
        except Exception:  # noqa: BLE001 - one watch's failure, not the run's
            logger.exception("language watch %s: not notified", watch_id)
    earlier = Digest.objects.filter(status=Digest.Status.PENDING, created__lt=now).exclude(
        next_attempt_at__gt=now
    )
    retried = 0
    for digest_id in earlier.values_list("pk", flat=True):
        _enqueue(digest_id)
        retried += 1
    return {"planned": planned, "notified": notified, "retried": retried}
