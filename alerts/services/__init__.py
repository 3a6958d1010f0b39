"""Actions on readers' alerts: asking for one (a confirmation e-mail through the outbox),
confirming, leaving one alert; and the daily run that plans and sends the digests and
tells watchers a resource is in their language.

- requests: search_alert_request / _confirm / _unsubscribe, language_watch_request /
  _confirm / _cancel: each keyword-only, one transaction, e-mail on commit.
- sending: digest_plan (one row per alert and period), digest_send (one row through the
  newsletters' e-mail backend), language_watch_notify, and alerts_daily, which beat runs.

Callers use this package (`from alerts import services`).
"""

from .requests import (
    AlertRefused,
    language_watch_cancel,
    language_watch_confirm,
    language_watch_request,
    search_alert_confirm,
    search_alert_request,
    search_alert_unsubscribe,
)
from .sending import (
    alerts_daily,
    digest_plan,
    digest_send,
    due_alert_ids,
    language_watch_notify,
    next_due,
)

__all__ = [
    "AlertRefused",
    "alerts_daily",
    "digest_plan",
    "digest_send",
    "due_alert_ids",
    "language_watch_cancel",
    "language_watch_confirm",
    "language_watch_notify",
    "language_watch_request",
    "next_due",
    "search_alert_confirm",
    "search_alert_request",
    "search_alert_unsubscribe",
]
