"""The bounce address end to end: a real Celery worker sends an issue through a real SMTP
server (aiosmtpd), and each copy arrives with the signed bounce address of its own
delivery as envelope sender, its From header unchanged; a bounce to that address, read
by the service the receiver calls, marks that delivery."""

import pytest

from newsletters import bounces, services
from newsletters.models import Delivery, Subscriber

from . import test_newsletter_delivery as delivery

# The delivery tests' workers, SMTP sink and engine settings, as fixtures here too.
broker_url, engine, queue = delivery.broker_url, delivery.engine, delivery.queue
sink, workers = delivery.sink, delivery.workers
drive, make_issue, recipients = delivery.drive, delivery.make_issue, delivery.recipients

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAILBOX = "bounces@bounces.example.org"


def test_each_copy_leaves_from_its_deliverys_bounce_address(engine, sink, workers, settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = MAILBOX
    issue, confirmed, _ = make_issue(["confirmed"] * 6 + ["pending"])
    workers(
        sink.url,
        extra={"NEWSLETTER_BOUNCE_ADDRESS": MAILBOX, "SECRET_KEY": settings.SECRET_KEY},
    )
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 60, workers.logs)

    counts, messages = recipients(sink, issue)
    assert set(counts) == set(confirmed)
    for message in messages:
        subscriber_id = confirmed[message["X-Envelope-To"]]
        sender = message["X-Envelope-From"]
        assert sender == bounces.return_path(issue.pk, subscriber_id)
        assert bounces.read_return_path(sender) == (issue.pk, subscriber_id)
        assert message["From"] == settings.DEFAULT_FROM_EMAIL

    # A mail server answers the first copy's envelope sender: that delivery bounces.
    first = messages[0]
    reader = confirmed[first["X-Envelope-To"]]
    bounce = (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: {first['X-Envelope-From']}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "X-Failed-Recipients: " + first["X-Envelope-To"] + "\r\n\r\n"
        "550 5.1.1 User unknown\r\n"
    ).encode()
    services.bounce_receive(raw=bounce, recipients=[first["X-Envelope-From"]])
    assert Delivery.objects.get(issue=issue, subscriber_id=reader).status == "bounced"
    assert Subscriber.objects.get(pk=reader).status == Subscriber.Status.BOUNCED
    assert Delivery.objects.filter(issue=issue, status="bounced").count() == 1
