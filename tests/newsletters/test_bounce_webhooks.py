"""An e-mail provider's events (django-anymail, Mailgun's signed JSON) go through the same
service as bounce messages: linked to the delivery by our Message-ID, each event counted
once, a temporary failure a soft bounce, a complaint an unsubscription."""

import pytest

from newsletters import mail
from newsletters.models import BounceReport, ConsentRecord, Delivery, Subscriber

from .factories import SubscriberFactory
from .test_bounces import sent_issue
from .test_provider_webhooks import anymail_settings, mailgun_event, post  # noqa: F401

pytestmark = pytest.mark.django_db


def event_for(issue, reader, event, severity=None):
    payload = mailgun_event(reader.email, event, severity)
    # Mailgun returns the Message-ID we sent, without its angle brackets.
    headers = payload["event-data"]["message"]["headers"]
    headers["message-id"] = mail.message_id(issue.pk, reader.pk).strip("<>")
    return payload


def test_a_permanent_failure_marks_the_delivery_it_names_bounced(client):
    amina, omar = SubscriberFactory(), SubscriberFactory()
    issue = sent_issue(amina, omar)
    assert post(client, event_for(issue, amina, "failed", "permanent")).status_code == 200
    recorded = BounceReport.objects.get()
    bounced = Delivery.objects.get(issue=issue, subscriber=amina)
    assert (recorded.kind, recorded.source, recorded.delivery) == ("hard", "webhook", bounced)
    assert recorded.detail.startswith("Mailgun: bounced No such mailbox")
    assert bounced.status == Delivery.Status.BOUNCED
    amina.refresh_from_db()
    assert (amina.status, amina.bounced_at is not None) == (Subscriber.Status.BOUNCED, True)
    assert Delivery.objects.get(issue=issue, subscriber=omar).status == Delivery.Status.SENT


def test_a_temporary_failure_is_a_soft_bounce_counted_once_however_often_it_comes(client):
    amina = SubscriberFactory()
    issue = sent_issue(amina)
    for _ in range(3):
        # The provider retries, and tells us each time.
        assert post(client, event_for(issue, amina, "failed", "temporary")).status_code == 200
    assert list(BounceReport.objects.values_list("kind", flat=True)) == ["soft"]
    amina.refresh_from_db()
    assert (amina.status, amina.soft_bounces) == (Subscriber.Status.CONFIRMED, 1)


def test_the_same_event_delivered_twice_counts_once_without_a_delivery(client, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    amina = SubscriberFactory()
    payload = mailgun_event(amina.email, "failed", "temporary")  # not one of our copies
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    amina.refresh_from_db()
    assert (amina.status, amina.soft_bounces) == (Subscriber.Status.CONFIRMED, 1)
    # Another event is another soft bounce: the limit is reached.
    assert post(client, mailgun_event(amina.email, "failed", "temporary")).status_code == 200
    amina.refresh_from_db()
    assert (amina.status, amina.soft_bounces) == (Subscriber.Status.BOUNCED, 2)


def test_a_complaint_unsubscribes_the_reader_from_every_list(client):
    amina = SubscriberFactory()
    issue = sent_issue(amina)
    assert post(client, event_for(issue, amina, "complained")).status_code == 200
    recorded = BounceReport.objects.get()
    assert (recorded.kind, recorded.source) == ("complaint", "webhook")
    amina.refresh_from_db()
    assert not amina.subscriptions.exists()
    assert amina.unsubscribed_at is not None
    record = amina.consents.get(action=ConsentRecord.Action.UNSUBSCRIBED)
    assert "E-mail provider" in record.text
