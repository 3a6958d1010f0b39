"""Celery tasks of the alerts: thin wrappers around the services."""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from common.tasks import EMAIL_TASK_OPTIONS

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="alerts.daily", ignore_result=True, soft_time_limit=600, time_limit=660)
def daily():
    """Plan and queue the digests due, and tell watchers their language has come."""
    return services.alerts_daily()


@shared_task(name="alerts.send_digest", bind=True, **EMAIL_TASK_OPTIONS)
def send_digest(self, digest_id):
    """Send one digest; after a temporary refusal, try again later (the row counts)."""
    outcome = services.digest_send(digest_id=digest_id)
    if outcome == "retry":
        raise self.retry(
            countdown=get_exponential_backoff_interval(
                factor=60, retries=self.request.retries, maximum=3600, full_jitter=True
            )
        )
    return outcome
