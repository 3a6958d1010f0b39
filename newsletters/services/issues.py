"""Actions on an issue: schedule, send now, pause, resume, cancel, send a test copy; its
progress, and its end once no row is left. Starting an issue creates its delivery rows
and, after commit, nudges the workers (enqueue_chunks)."""

import logging

from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from common import outbox

from .. import mail
from ..models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)


class IssueStateError(Exception):
    """The action does not apply to the issue in its current state."""


def _locked_issue(issue_id):
    return Issue.objects.select_for_update().get(pk=issue_id)


def _refuse(issue, action):
    raise IssueStateError(f"Cannot {action} an issue that is {issue.get_status_display().lower()}.")


def enqueue_chunks(issue_id, count=None):
    """Nudge workers to send issue_id. Goes through CELERY_BROKER_URL explicitly, so a
    test can point this process and its worker at a broker of their own."""
    from celery import current_app as app

    from ..tasks import send_chunk

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
