"""Generic Celery tasks of the portal. Each task only calls services."""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import outbox

logger = logging.getLogger(__name__)

# Options shared by every task that sends e-mail: acknowledged only once the message
# is handed to the SMTP server, given back to the queue if the worker dies, retried a
# bounded number of times with exponential backoff.
EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # The outbox row counts the tries and fails after its last (common.outbox.MAX_ATTEMPTS).
    "max_retries": None,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="cpaor.send_email", bind=True, **EMAIL_TASK_OPTIONS)
def send_email(self, email_id):
    """Send one message of the outbox; while the server is unreachable or answers 4xx,
    try again later with a growing delay, then record it failed."""
    retry_in = get_exponential_backoff_interval(
        factor=5, retries=self.request.retries, maximum=600, full_jitter=True
    )
    outcome, email = outbox.email_send(email_id=email_id, retry_in=retry_in)
    if outcome == "sent":
        logger.info("e-mail sent: %s", email.subject, extra=email.context)
    elif outcome == "retry":
        raise self.retry(countdown=retry_in)
    return outcome


@shared_task(name="cpaor.outbox_sweep", ignore_result=True, soft_time_limit=60, time_limit=90)
def outbox_sweep():
    """Queue again the outbox messages whose task was lost."""
    return outbox.outbox_sweep()
