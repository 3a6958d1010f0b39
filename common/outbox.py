"""The outbox of the e-mails the portal sends to one person at a time.

A message is a row (cpaor.models.OutboundEmail) written in the transaction of whatever
caused it, and a task queued when that transaction commits. The task sends it and records
the outcome on the row: sent; waiting for another try (the server was unreachable or said
4xx); or failed, with the error, where staff see it. A message that cannot even be built
(a header with a line break, an address that cannot be encoded) fails at once, and never
takes down the action that asked for it.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboundEmail
from .queueing import enqueue

logger = logging.getLogger(__name__)

# Celery's retries of one message; then it is failed for good (staff can send it again).
MAX_ATTEMPTS = 8
# A queued message whose task was lost (the broker restarted) is queued again after this.
LOST_AFTER = timedelta(minutes=10)


def _message(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers=dict(email.headers),
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def _error_text(error):
    return f"{type(error).__name__}: {error}"[:2000]


def _enqueue(email_id):
    """Queue the row's task. With the broker unreachable the row stays queued, and the
    sweep queues it once the broker is back."""
    from .tasks import send_email

    enqueue(send_email, args=[email_id], later="the outbox sweep")


def email_queue(*, to, subject, body, html=None, headers=None, context=None):
    """Record one e-mail and send it once the current transaction commits. Returns the
    row; one that cannot be built is stored failed, with the reason, and not sent."""
    email = OutboundEmail(
        to=[to] if isinstance(to, str) else list(to),
        subject=str(subject),
        body=str(body or ""),
        html=str(html or ""),
        headers={str(key): str(value) for key, value in (headers or {}).items()},
        context=dict(context or {}),
    )
    try:
        # Building the MIME message checks every header and address (BadHeaderError,
        # ValueError for an address that cannot be encoded) without sending anything.
        _message(email).message()
    except Exception as error:  # noqa: BLE001 - any unbuildable message is this row's failure
        email.status = OutboundEmail.Status.FAILED
        email.last_error = _error_text(error)
        email.save()
        logger.error(
            "e-mail not sent, it cannot be built: %s", email.last_error, extra=email.context
        )
        return email
    email.save()
    email_id = email.pk
    transaction.on_commit(lambda: _enqueue(email_id))
    return email


def _temporary(error):
    """True for an error worth another try: the server unreachable, or a 4xx answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    # SMTPServerDisconnected, refused or reset connections, time-outs, DNS failures.
    return isinstance(error, OSError)


def email_send(*, email_id, last_try=False, retry_in=None):
    """Send one queued e-mail; returns (outcome, row): "sent", "retry", "failed", or
    "skipped" with no row (already sent, failed, or being sent by another task right
    now: safe to call twice).

    The row stays locked while the server is talking, so two tasks for the same message
    never both send it; a worker killed meanwhile leaves it queued."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return "skipped", None
        email.attempts += 1
        try:
            _message(email).send()
        except Exception as error:  # noqa: BLE001 - recorded on the row, never lost
            email.last_error = _error_text(error)
            if _temporary(error) and not last_try and email.attempts < MAX_ATTEMPTS:
                email.next_attempt_at = timezone.now() + timedelta(seconds=retry_in or 0)
                outcome = "retry"
            else:
                email.status = OutboundEmail.Status.FAILED
                outcome = "failed"
            email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
            log = logger.warning if outcome == "retry" else logger.error
            log("e-mail %s not sent (%s): %s", email.pk, outcome, email.last_error,
                extra=email.context)  # fmt: skip
            return outcome, email
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.next_attempt_at = None
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return "sent", email


def email_send_again(*, email_ids):
    """Queue failed (or stuck) messages once more; sent ones are never sent twice.
    Returns how many were queued."""
    ids = list(
        OutboundEmail.objects.filter(pk__in=list(email_ids))
        .exclude(status=OutboundEmail.Status.SENT)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=None
    )
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: _enqueue(email_id))
    return len(ids)


def outbox_sweep():
    """Queue again the messages whose task was lost (a broker that restarted without its
    data): queued for longer than LOST_AFTER past their due time. Safe to run anywhere,
    any number of times: a message goes out once whatever the number of its tasks."""
    due = timezone.now() - LOST_AFTER
    lost = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
        .filter(Q(next_attempt_at__lt=due) | Q(next_attempt_at__isnull=True, created__lt=due))
        .values_list("pk", flat=True)[:1000]
    )
    for email_id in lost:
        _enqueue(email_id)
    if lost:
        logger.warning("e-mail outbox: %s queued messages had lost their task", len(lost))
    return len(lost)
