"""Celery tasks of the newsletters; each only calls a service."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="newsletters.send_chunk",
    bind=True,
    # Losing this task loses nothing (the rows and the watchdog carry the state), so it
    # is acknowledged early: a worker killed mid-chunk leaves no message to redeliver.
    acks_late=False,
    ignore_result=True,
    soft_time_limit=90,
    time_limit=120,
)
def send_chunk(self, issue_id):
    """Send one chunk of an issue, then queue the next while rows are pending."""
    worker = f"{self.request.hostname or 'local'}:{self.request.id or 'eager'}"
    if services.issue_send_chunk(issue_id=issue_id, worker=worker):
        self.apply_async(args=[issue_id], queue=settings.NEWSLETTER_QUEUE)


@shared_task(name="newsletters.watchdog", ignore_result=True, soft_time_limit=60, time_limit=90)
def watchdog():
    """Start due issues and recover sending from dead workers (see services)."""
    return services.newsletters_watchdog()
