"""The watchdog Celery beat runs: it starts due issues, gives back claims whose worker
died, gives up rows that used their attempts, nudges stalled issues and ends finished
ones. The rows hold all the state it needs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Delivery, Issue
from .issues import _locked_issue, _start, enqueue_chunks, issue_finish_if_done

logger = logging.getLogger(__name__)


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
