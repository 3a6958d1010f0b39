"""Celery tasks of membership; each only calls services."""

from celery import shared_task

from . import services


@shared_task(
    name="members.renewals_daily",
    ignore_result=True,
    # Safe to run again from the start (see services.renewal), so a worker lost midway
    # gives the task back rather than leaving members unreminded until tomorrow.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def renewals_daily():
    """Lapse the memberships nobody renewed in time, then remind those due soon."""
    lapsed = services.memberships_lapse_overdue()
    reminded = services.memberships_send_renewal_reminders()
    return {"lapsed": lapsed, "reminded": reminded}
