"""Generic Celery tasks of the portal. Each task only calls services."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .celery import EMAIL_TASK_OPTIONS, app


@app.task(name="cpaor.send_email", **EMAIL_TASK_OPTIONS)
def send_email(to, subject, body, html=None, headers=None):
    """Send one e-mail; retried with backoff while the SMTP server is unreachable."""
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
    return len(recipients)
