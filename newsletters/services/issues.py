"""Actions on an issue: schedule, send now, pause, resume, cancel, send a test copy, and
the follow-ups once it went out (resend to the readers whose copy failed, send to the
readers who joined after); its progress, and its end once no row is left. Starting an
issue creates its delivery rows and, after commit, nudges the workers (enqueue_chunks).

Each action locks the issue, returns early when there is nothing to do (a double click,
a retried task), lets `Issue.transitions` refuse what the state does not allow
(IssueStateError) and writes its audit line in its own transaction, whoever calls it:
the admin, a task, the shell.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from common import audit, outbox
from common.pagecache import public_pages_changed
from common.queueing import enqueue

from .. import mail
from ..models import Delivery, Issue, Subscriber, Subscription
from ..models import IssueStateError as IssueStateError

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None


def _locked_issue(issue_id):
    return Issue.objects.select_for_update().get(pk=issue_id)


def _record(issue, action, actor, detail=""):
    """The audit line and the log line of an action on an issue."""
    audit.record(
        actor=actor,
        obj=issue,
        message=f"{action}: {issue.subject}" + (f" ({detail})" if detail else ""),
    )
    logger.info(
        "issue %s: %s by %s",
        issue.pk,
        action,
        getattr(actor, "pk", None) or "the system",
        extra={"issue_id": issue.pk},
    )


def enqueue_chunks(issue_id, count=None):
    """Nudge workers to send issue_id. The rows hold the issue's state: without a broker,
    the watchdog nudges it once the broker is back."""
    from ..tasks import send_chunk

    enqueue(
        send_chunk,
        args=[issue_id],
        queue=settings.NEWSLETTER_QUEUE,
        times=count or settings.NEWSLETTER_PARALLEL_CHUNKS,
        later="the watchdog",
    )


def _create_rows(issue) -> int:
    """A pending row for each confirmed subscriber of the list who has none yet: at most
    one per person (the unique constraint), however often this runs. Returns how many
    rows it created."""
    with db.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletters_delivery
                (issue_id, subscriber_id, status, attempts, claimed_by, last_error, message_id)
            SELECT %s, s.id, %s, 0, '', '', ''
            FROM newsletters_subscription sub
            JOIN newsletters_subscriber s ON s.id = sub.subscriber_id
            WHERE sub.newsletter_id = %s AND s.status = %s
            -- Rows in the order readers subscribed: chunks claim them in id order.
            ORDER BY s.id
            ON CONFLICT (issue_id, subscriber_id) DO NOTHING
            """,
            [
                issue.pk,
                Delivery.Status.PENDING.value,
                issue.newsletter_id,
                Subscriber.Status.CONFIRMED.value,
            ],
        )
        return cursor.rowcount


def _start(issue):
    """Create the delivery rows and set the issue sending."""
    _create_rows(issue)
    issue.status = Issue.transitions.target("send_now")
    issue.started_at = issue.started_at or timezone.now()
    issue.heartbeat_at = None
    issue.save(update_fields=["status", "started_at", "heartbeat_at", "updated"])
    issue_id = issue.pk
    transaction.on_commit(lambda: enqueue_chunks(issue_id))


@transaction.atomic
def issue_schedule(*, issue_id: int, when: datetime, actor: Actor = None) -> Issue:
    """Send at `when` (the watchdog starts it). Rescheduling a scheduled issue moves it."""
    issue = _locked_issue(issue_id)
    Issue.transitions.check(issue, "schedule")
    if issue.status == Issue.Status.SCHEDULED and issue.scheduled_at == when:
        return issue
    issue.status = Issue.transitions.target("schedule")
    issue.scheduled_at = when
    issue.save(update_fields=["status", "scheduled_at", "updated"])
    _record(issue, "schedule", actor, f"for {when.isoformat()}")
    return issue


@transaction.atomic
def issue_unschedule(*, issue_id: int, actor: Actor = None) -> Issue:
    """Take a scheduled issue back to a draft: the watchdog no longer starts it, and the
    editor can change it and schedule or send it later. A draft stays a draft."""
    issue = _locked_issue(issue_id)
    if Issue.transitions.done(issue, "unschedule"):
        return issue
    Issue.transitions.check(issue, "unschedule")
    was = issue.scheduled_at
    issue.status = Issue.transitions.target("unschedule")
    issue.scheduled_at = None
    issue.save(update_fields=["status", "scheduled_at", "updated"])
    _record(issue, "unschedule", actor, f"was for {was.isoformat()}" if was else "")
    return issue


@transaction.atomic
def issue_duplicate(*, issue_id: int, actor: Actor = None) -> Issue:
    """A new draft with the issue's list, subject, preheader, body and featured items,
    whatever the original's state (a sent issue to send again in another form, a
    cancelled one to start over). The copy's body shows the same uploaded images."""
    original = Issue.objects.get(pk=issue_id)
    copy = Issue.objects.create(
        newsletter_id=original.newsletter_id,
        subject=original.subject,
        preheader=original.preheader,
        body=original.body,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    copy.featured_resources.set(original.featured_resources.all())
    copy.featured_initiatives.set(original.featured_initiatives.all())
    _record(copy, "duplicate", actor, f"copy of issue {original.pk}")
    return copy


@transaction.atomic
def issue_send_now(*, issue_id: int, actor: Actor = None) -> Issue:
    """Start sending; an issue already sending or sent is left alone."""
    issue = _locked_issue(issue_id)
    if Issue.transitions.done(issue, "send_now") or issue.status == Issue.Status.SENT:
        return issue
    Issue.transitions.check(issue, "send_now")
    _start(issue)
    _record(issue, "send", actor)
    return issue


@transaction.atomic
def issue_pause(*, issue_id: int, actor: Actor = None) -> Issue:
    """Stop sending; chunk tasks notice within a few messages and give back their rows."""
    issue = _locked_issue(issue_id)
    if Issue.transitions.done(issue, "pause"):
        return issue
    Issue.transitions.check(issue, "pause")
    issue.status = Issue.transitions.target("pause")
    issue.save(update_fields=["status", "updated"])
    _record(issue, "pause", actor)
    return issue


@transaction.atomic
def issue_resume(*, issue_id: int, actor: Actor = None) -> Issue:
    """Carry on with the rows still pending; rows already sent are never sent again."""
    issue = _locked_issue(issue_id)
    if Issue.transitions.done(issue, "resume"):
        return issue
    Issue.transitions.check(issue, "resume")
    issue.status = Issue.transitions.target("resume")
    issue.heartbeat_at = None
    issue.save(update_fields=["status", "heartbeat_at", "updated"])
    transaction.on_commit(lambda: enqueue_chunks(issue_id))
    _record(issue, "resume", actor)
    return issue


@transaction.atomic
def issue_cancel(*, issue_id: int, actor: Actor = None) -> Issue:
    """Give up the issue: whatever is still pending is skipped. A sent issue stays sent."""
    issue = _locked_issue(issue_id)
    if Issue.transitions.done(issue, "cancel"):
        return issue
    Issue.transitions.check(issue, "cancel")
    issue.status = Issue.transitions.target("cancel")
    issue.finished_at = timezone.now()
    issue.save(update_fields=["status", "finished_at", "updated"])
    issue.deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
    # An issue that had gone out once leaves the public archive.
    public_pages_changed()
    _record(issue, "cancel", actor)
    return issue


def _failed_to_resend(issue_id):
    """The rows a resend reaches: failed, for readers still confirmed (a reader whose
    address bounced or who left since stays failed). A row the watchdog gave up after
    its workers died holding it stays failed too: its copy may have gone out before a
    death, and a resend could be a second copy (or kill workers again)."""
    from .watchdog import GIVEN_UP  # the watchdog imports this module

    return Delivery.objects.filter(
        issue_id=issue_id,
        status=Delivery.Status.FAILED,
        subscriber__status=Subscriber.Status.CONFIRMED,
    ).exclude(last_error=GIVEN_UP)


def _new_readers(issue):
    """Confirmed subscriptions to the issue's list whose reader has no row for it: those
    who joined (or confirmed) after it started."""
    return Subscription.objects.filter(
        newsletter_id=issue.newsletter_id, subscriber__status=Subscriber.Status.CONFIRMED
    ).exclude(
        Exists(Delivery.objects.filter(issue_id=issue.pk, subscriber_id=OuterRef("subscriber_id")))
    )


def issue_reach(issue: Issue, action: str) -> int:
    """How many readers a follow-up action ("resend_failed", "send_to_new_readers")
    would reach now: what its confirmation page says."""
    if action == "resend_failed":
        return _failed_to_resend(issue.pk).count()
    if action == "send_to_new_readers":
        return _new_readers(issue).count()
    raise ValueError(action)


def _send_more(issue):
    """Sending again after rows went back to pending or were added: a sent issue goes
    back to sending and finishes again; a sending one gets a nudge; a paused one keeps
    its rows for "resume"."""
    if issue.status == Issue.Status.PAUSED:
        return
    fields = ["heartbeat_at", "updated"]
    if issue.status == Issue.Status.SENT:
        # finished_at stays (the first end) until it finishes again: readers who have
        # the issue still find it in the archive meanwhile (IssueQuerySet.archived).
        issue.status = Issue.transitions.target("resend_failed")
        fields.append("status")
    issue.heartbeat_at = None
    issue.save(update_fields=fields)
    issue_id = issue.pk
    transaction.on_commit(lambda: enqueue_chunks(issue_id))


@transaction.atomic
def issue_resend_failed(*, issue_id: int, actor: Actor = None) -> int:
    """Give the readers whose copy failed another chance: their rows (the same rows, so
    still one per reader) go back to pending with their attempts reset. Rows sent are
    never touched, so nobody gets a second copy. Returns how many readers it reaches;
    0 when nothing failed (a second click), and then nothing changes."""
    issue = _locked_issue(issue_id)
    Issue.transitions.check(issue, "resend_failed")
    count = _failed_to_resend(issue.pk).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        claimed_at=None,
        claimed_by="",
    )
    if not count:
        return 0
    _send_more(issue)
    _record(issue, "resend to failed readers", actor, f"readers: {count}")
    return count


@transaction.atomic
def issue_send_to_new_readers(*, issue_id: int, actor: Actor = None) -> int:
    """Send the issue to confirmed subscribers of its list who have no row for it yet
    (they joined after it started). Returns how many readers it reaches; 0 when there
    are none (a second click), and then nothing changes."""
    issue = _locked_issue(issue_id)
    Issue.transitions.check(issue, "send_to_new_readers")
    count = _create_rows(issue)
    if not count:
        return 0
    _send_more(issue)
    _record(issue, "send to new readers", actor, f"readers: {count}")
    return count


# Test copies to several colleagues at once, but never a mailing list of its own.
MAX_TEST_ADDRESSES = 10


@transaction.atomic
def issue_send_test(*, issue_id: int, email: str | Sequence[str]) -> None:
    """Send the issue, marked as a test ("[TEST]" before its subject), to one address or
    to each of a few (at most MAX_TEST_ADDRESSES), each its own message through the
    outbox: a colleague never sees another's address."""
    addresses = [email] if isinstance(email, str) else list(dict.fromkeys(email))
    if not addresses or len(addresses) > MAX_TEST_ADDRESSES:
        raise ValueError(f"A test goes to 1 to {MAX_TEST_ADDRESSES} addresses.")
    issue = Issue.objects.select_related("newsletter").get(pk=issue_id)
    rendered = mail.render_issue(issue)
    for address in addresses:
        # A stand-in subscriber: its links lead to the "link no longer valid" page.
        stand_in = Subscriber(pk=0, email=address, token="test-copy")
        message = mail.issue_message(rendered, stand_in, subject_prefix="[TEST] ")
        html = message.alternatives[0][0]
        headers = {
            key: value for key, value in message.extra_headers.items() if key != "Message-ID"
        }
        outbox.email_queue(
            to=address,
            subject=message.subject,
            body=message.body,
            html=html,
            headers=headers,
            context={"issue_id": issue_id, "kind": "newsletter_test"},
        )


def issue_progress(issue_id: int) -> dict[str, int]:
    """Counts of delivery rows by status, and the share done, for the admin."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = Delivery.objects.filter(issue_id=issue_id).values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    total = sum(counts.values())
    done = counts["sent"] + counts["failed"] + counts["skipped"] + counts["bounced"]
    counts["total"] = total
    counts["done"] = done
    counts["percent"] = round(100 * done / total) if total else 0
    return counts


@transaction.atomic
def issue_finish_if_done(*, issue_id: int) -> bool:
    """Mark a sending issue sent once no row is pending or being sent."""
    issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
    if issue is None or not Issue.transitions.can(issue, "finish"):
        return False
    busy = issue.deliveries.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    ).exists()
    if busy:
        return False
    issue.status = Issue.transitions.target("finish")
    issue.finished_at = timezone.now()
    issue.save(update_fields=["status", "finished_at", "updated"])
    public_pages_changed()  # the archive shows it from now on
    logger.info("issue %s sent", issue_id, extra={"issue_id": issue_id})
    return True
