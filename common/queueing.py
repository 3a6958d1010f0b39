"""Handing a task to the broker when the database already holds the work.

Each caller has written its rows first (an outbox e-mail, an issue's deliveries, an alert's
digest); the task only nudges a worker. So a broker that cannot be reached is logged and
the caller goes on: a sweep or beat queues the rows again once it is back, and the action
that wrote them has succeeded and must not answer 500.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def enqueue(task, *, args=(), queue=None, times=1, later="") -> bool:
    """Send task(*args) `times` times through CELERY_BROKER_URL (named explicitly, so a
    test can point this process and its worker at a broker of their own without
    touching the app's pools). False, logged with `later` (what will queue it again),
    when the broker cannot take it."""
    from celery import current_app as app

    options = {"queue": queue} if queue else {}
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            for _ in range(times):
                task.apply_async(args=list(args), connection=connection, **options)
    except Exception as error:  # noqa: BLE001 - kombu raises several kinds; all mean "later"
        logger.warning("%s %s waits for %s: %r", task.name, list(args), later, error)
        return False
    return True


def delay(task, *args, later) -> bool:
    """task.delay(*args) through the app's own broker; False, logged with `later`, when
    the broker cannot take it (a callback after commit must not turn a saved change
    into a 500)."""
    try:
        task.delay(*args)
    except Exception as error:  # noqa: BLE001 - kombu raises several kinds; all mean "later"
        logger.warning("%s %s waits for %s: %r", task.name, list(args), later, error)
        return False
    return True
