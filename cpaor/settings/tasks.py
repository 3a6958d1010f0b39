"""Celery, the readiness probe, the newsletters' sending, and members' renewals."""

from celery.schedules import crontab

from .core import REDIS_URL, TIME_ZONE
from .environment import BASE_DIR, env

# Celery: JSON only; e-mail tasks acknowledge late (see cpaor/celery.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task not acknowledged within this many seconds is delivered again; every task
# finishes well inside it (time limits above).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".data" / "celerybeat-schedule")
)
# /readyz: how long a worker ping may wait for the first answer, and how long its result
# is shared by every caller (cpaor/views.py).
READYZ_PING_TIMEOUT = float(env("READYZ_PING_TIMEOUT", "1.0"))
READYZ_CACHE_SECONDS = float(env("READYZ_CACHE_SECONDS", "5"))


# Newsletters. Sending state lives in the database (newsletters.models.Delivery); the
# watchdog, run by Celery beat, restarts anything a dead worker or broker lost.
NEWSLETTER_QUEUE = env("NEWSLETTER_QUEUE", "celery")
NEWSLETTER_CONFIRM_MAX_AGE = int(env("NEWSLETTER_CONFIRM_DAYS", "7")) * 86400
# Messages per second across all workers; 0 means unlimited.
NEWSLETTER_RATE_PER_SECOND = float(env("NEWSLETTER_RATE_PER_SECOND", "0"))
NEWSLETTER_RATE_KEY = env("NEWSLETTER_RATE_KEY", "cpaor:newsletter-rate")
NEWSLETTER_CHUNK_SIZE = int(env("NEWSLETTER_CHUNK_SIZE", "500"))
# A chunk gives back what it has not sent after this long; must stay well under the lease.
NEWSLETTER_CHUNK_SECONDS = float(env("NEWSLETTER_CHUNK_SECONDS", "30"))
# A 'sending' claim older than this belongs to a dead worker and goes back to pending.
NEWSLETTER_LEASE_SECONDS = float(env("NEWSLETTER_LEASE_SECONDS", "120"))
# Rows accepted by the SMTP server but not yet marked sent: the most a SIGKILL can repeat.
NEWSLETTER_MARK_BATCH = int(env("NEWSLETTER_MARK_BATCH", "1"))
NEWSLETTER_STATUS_CHECK_EVERY = int(env("NEWSLETTER_STATUS_CHECK_EVERY", "20"))
NEWSLETTER_PARALLEL_CHUNKS = int(env("NEWSLETTER_PARALLEL_CHUNKS", "2"))
NEWSLETTER_MAX_ATTEMPTS = int(env("NEWSLETTER_MAX_ATTEMPTS", "8"))
NEWSLETTER_RETRY_SECONDS = float(env("NEWSLETTER_RETRY_SECONDS", "60"))
NEWSLETTER_WATCHDOG_SECONDS = float(env("NEWSLETTER_WATCHDOG_SECONDS", "15"))
# The watchdog restarts sending of an issue no chunk task has touched for this long.
NEWSLETTER_STALL_SECONDS = float(
    env("NEWSLETTER_STALL_SECONDS", str(max(3 * NEWSLETTER_WATCHDOG_SECONDS, 10)))
)
# Members renew each year (members.services.renewal): reminders so many days before the
# renewal date, and the days after it before a membership nobody renewed lapses.
MEMBERSHIP_RENEWAL_REMINDER_DAYS = tuple(
    int(days) for days in env("MEMBERSHIP_RENEWAL_REMINDER_DAYS", "30,7").split(",") if days.strip()
)
MEMBERSHIP_GRACE_DAYS = int(env("MEMBERSHIP_GRACE_DAYS", "30"))
# A focal point's invitation to a colleague: how long its link works, how many a member
# may send a day.
MEMBERSHIP_INVITATION_DAYS = int(env("MEMBERSHIP_INVITATION_DAYS", "14"))
MEMBERSHIP_INVITATIONS_PER_DAY = int(env("MEMBERSHIP_INVITATIONS_PER_DAY", "20"))
# Links to documents elsewhere are checked again once older than this many days.
LINK_CHECK_MAX_AGE_DAYS = int(env("LINK_CHECK_MAX_AGE_DAYS", "7"))

CELERY_BEAT_SCHEDULE = {
    "newsletters-watchdog": {
        "task": "newsletters.watchdog",
        "schedule": NEWSLETTER_WATCHDOG_SECONDS,
        "options": {"queue": NEWSLETTER_QUEUE, "expires": NEWSLETTER_WATCHDOG_SECONDS},
    },
    # Resource files still waiting to be read after the task's time limit go back to the
    # queue (resources.services.versions_requeue_stalled).
    "resources-requeue-stalled-extractions": {
        "task": "resources.requeue_stalled_extractions",
        "schedule": CELERY_TASK_TIME_LIMIT,
        "options": {"expires": CELERY_TASK_TIME_LIMIT},
    },
    # Every hour, a batch of the links checked longest ago (resources.services.links).
    "resources-recheck-links": {
        "task": "resources.recheck_links",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    "outbox-sweep": {
        "task": "cpaor.outbox_sweep",
        "schedule": 300,
        "options": {"expires": 300},
    },
    # Once a day: lapse the memberships nobody renewed, then send the reminders due. A day
    # missed (beat or the workers down) is caught up the next: both look at dates, not at
    # what ran yesterday.
    "members-renewals": {
        "task": "members.renewals_daily",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 12 * 3600},
    },
    # Once a day: readers' library alerts (alerts.services.alerts_daily): each alert due
    # gets its digest, each language watch come true its notice.
    "alerts-daily": {
        "task": "alerts.daily",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 12 * 3600},
    },
}
