"""Actions on newsletters: subscribe, confirm, change lists, unsubscribe, erase; schedule,
send, pause, resume and cancel an issue; and the sending engine the Celery tasks run.

The sending engine keeps its state in the database, never in the broker: a Delivery row
per (issue, subscriber) moves pending → sending (claimed by one task) → sent / failed.
Queued tasks are only a nudge; the watchdog (run by Celery beat) re-creates them from
the rows, so a killed worker or a restarted Redis delays an issue but loses nobody.

- subscribers: the subscriber's actions, from subscribing to erasure.
- personal_data: what is kept about one reader, as they see it.
- issues: an issue's actions (schedule … cancel, resend to failed readers, send to new
  readers), its progress and its end.
- progress: what the progress page reads (messages per minute, rate, expected end).
- sending: issue_send_chunk, one chunk of an issue through one connection of the e-mail
  backend (common.mail.backends.PipeliningSMTPBackend by default), built on deliveries
  (claiming, marking, giving back rows).
- watchdog: what Celery beat runs to start, resume and end issues from their rows.
- bounces: bounces and complaints from every source, through bounce_record.

Conventions: every action is keyword-only and typed, and takes ids (`issue_id`,
`subscriber_id`), whoever calls it, since tasks and signed links carry ids and each
action locks its row anyway; the person acting is `actor` (a user, or None for the
system), and staff actions write their audit line in the action's transaction; where
a person signed up or unsubscribed is a ConsentRecord.Form; which state allows which
action on an issue is `Issue.transitions`.

Callers use this package (`from newsletters import services`); the names below are
those modules' own. A test that replaces a step of the engine patches it where the
engine looks it up: `newsletters.services.sending`.
"""

from .bounces import bounce_receive, bounce_record, bounce_reports_forget
from .deliveries import _claim, _Marks, _release
from .issues import (
    MAX_TEST_ADDRESSES,
    IssueStateError,
    enqueue_chunks,
    issue_cancel,
    issue_duplicate,
    issue_finish_if_done,
    issue_pause,
    issue_progress,
    issue_reach,
    issue_resend_failed,
    issue_resume,
    issue_schedule,
    issue_send_now,
    issue_send_test,
    issue_send_to_new_readers,
    issue_unschedule,
)
from .personal_data import subscriber_data
from .progress import Progress, issue_progress_details, issue_sent_per_minute
from .sending import RateLimiter, issue_send_chunk
from .subscribers import (
    normalize_email,
    subscriber_confirm,
    subscriber_erase,
    subscriber_from_manage_token,
    subscriber_leave_list,
    subscriber_mark_bounced,
    subscriber_set_lists,
    subscriber_set_preferences,
    subscriber_subscribe,
    subscriber_subscribe_confirmed,
    subscriber_unsubscribe,
)
from .watchdog import newsletters_watchdog

__all__ = [
    "MAX_TEST_ADDRESSES",
    "IssueStateError",
    "Progress",
    "RateLimiter",
    "bounce_receive",
    "bounce_record",
    "bounce_reports_forget",
    "enqueue_chunks",
    "issue_cancel",
    "issue_duplicate",
    "issue_finish_if_done",
    "issue_pause",
    "issue_progress",
    "issue_progress_details",
    "issue_reach",
    "issue_resend_failed",
    "issue_resume",
    "issue_schedule",
    "issue_send_chunk",
    "issue_send_now",
    "issue_send_test",
    "issue_send_to_new_readers",
    "issue_unschedule",
    "issue_sent_per_minute",
    "newsletters_watchdog",
    "normalize_email",
    "subscriber_confirm",
    "subscriber_data",
    "subscriber_erase",
    "subscriber_from_manage_token",
    "subscriber_leave_list",
    "subscriber_mark_bounced",
    "subscriber_set_lists",
    "subscriber_set_preferences",
    "subscriber_subscribe",
    "subscriber_subscribe_confirmed",
    "subscriber_unsubscribe",
    # The engine's steps that tests wrap (read here, patched in `sending`).
    "_Marks",
    "_claim",
    "_release",
]
