"""Generic Celery tasks of the portal. Each task only calls services."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .celery import EMAIL_TASK_OPTIONS, app

logger = logging.getLogger(__name__)


@app.task(name="cpaor.send_email", **EMAIL_TASK_OPTIONS)
def send_email(to, subject, body, html=None, headers=None, log_context=None):
    """Send one e-mail; retried with backoff while the SMTP server is unreachable.

    log_context (e.g. {"application_id": 12}) goes into the log line of the sending, so
    a message can be traced to what caused it."""
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    logger.info("e-mail sent: %s", subject, extra=log_context or {})
    return len(recipients)
