"""What the progress page reads about an issue being sent: messages per minute (the
chart), the rate over the last minutes and when sending should end. Reads only."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMinute
from django.utils import timezone

from ..models import Delivery, Issue
from .issues import issue_progress

# Copies that reached the server: a bounced one went out before it bounced.
WENT_OUT = [Delivery.Status.SENT, Delivery.Status.BOUNCED]


@dataclass(frozen=True)
class Progress:
    issue: Issue
    counts: dict[str, int]
    # (minute, messages) for each minute of the chart's window, oldest first.
    per_minute: list[tuple[datetime, int]]
    rate: float  # messages per minute over the last RATE_MINUTES
    finish_at: datetime | None  # expected end, while sending at a known rate
    now: datetime

    @property
    def remaining(self) -> int:
        return self.counts["pending"] + self.counts["sending"]


def issue_sent_per_minute(
    issue_id: int, *, minutes: int = 30, until: datetime | None = None
) -> list[tuple[datetime, int]]:
    """Messages that went out in each of the `minutes` minutes up to `until` (the last
    minute anything went out, when not given), zeros included. One query, through the
    (issue, status) index; at most one row per minute of sending comes back."""
    rows = dict(
        Delivery.objects.filter(issue_id=issue_id, status__in=WENT_OUT, sent_at__isnull=False)
        .annotate(minute=TruncMinute("sent_at"))
        .values_list("minute")
        .annotate(n=Count("pk"))
        .order_by()
    )
    last = until or (max(rows) if rows else timezone.now())
    last = last.replace(second=0, microsecond=0)
    window = [last - timedelta(minutes=back) for back in range(minutes - 1, -1, -1)]
    return [(minute, rows.get(minute, 0)) for minute in window]


RATE_MINUTES = 5


def _rate(per_minute, now):
    """Messages per minute over the last RATE_MINUTES: the last full minutes and the
    share of the current one gone by, counted from the first minute that sent anything
    (a send that began a minute ago is not averaged over five)."""
    recent = per_minute[-(RATE_MINUTES + 1) :]
    while recent and recent[0][1] == 0:
        recent = recent[1:]
    if not recent:
        return 0.0
    elapsed = (now - recent[0][0]).total_seconds() / 60
    return sum(n for _, n in recent) / max(elapsed, 1.0)


def issue_progress_details(issue: Issue, *, minutes: int = 30) -> Progress:
    """Counts, the chart's minutes, the rate and the expected end of an issue."""
    now = timezone.now()
    counts = issue_progress(issue.pk)
    sending = issue.status == Issue.Status.SENDING
    # While sending, the chart ends now (a stall shows as empty minutes); afterwards it
    # ends at the last minute anything went out.
    per_minute = issue_sent_per_minute(issue.pk, minutes=minutes, until=now if sending else None)
    rate = _rate(per_minute, now) if sending else 0.0
    remaining = counts["pending"] + counts["sending"]
    finish_at = None
    if sending and rate > 0 and remaining:
        finish_at = now + timedelta(minutes=remaining / rate)
    return Progress(issue, counts, per_minute, rate, finish_at, now)
