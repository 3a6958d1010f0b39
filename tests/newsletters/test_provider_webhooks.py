"""An e-mail provider's bounce and complaint webhooks (django-anymail, Mailgun's signed
JSON here) stop the portal mailing that address; an unsigned or forged call changes
nothing."""

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest

from newsletters.models import Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-webhook-signing-key"
BASIC_AUTH = "cpaor:webhook-password"
URL = "/anymail/mailgun/tracking/"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": BASIC_AUTH}


def mailgun_event(recipient, event, severity=None, key=SIGNING_KEY):
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    data = {
        "event": event,
        "recipient": recipient,
        "timestamp": float(timestamp),
        "id": uuid.uuid4().hex,
        "message": {"headers": {"message-id": f"{uuid.uuid4().hex}@portal.example.org"}},
    }
    if severity:
        data["severity"] = severity
        data["delivery-status"] = {"code": 550, "message": "No such mailbox"}
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": data,
    }


def post(client, payload, auth=BASIC_AUTH):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()}
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def test_a_permanent_bounce_marks_the_subscriber_bounced(client):
    reader = SubscriberFactory(email="amina@Partner.example.org")
    response = post(client, mailgun_event("amina@partner.example.org", "failed", "permanent"))
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED


def test_a_spam_complaint_stops_the_mail_too(client):
    reader = SubscriberFactory()
    assert post(client, mailgun_event(reader.email, "complained")).status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED


def test_a_temporary_failure_or_a_delivery_changes_nothing(client):
    reader = SubscriberFactory()
    assert post(client, mailgun_event(reader.email, "failed", "temporary")).status_code == 200
    assert post(client, mailgun_event(reader.email, "delivered")).status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_an_event_for_an_unknown_address_is_accepted_and_ignored(client):
    response = post(client, mailgun_event("nobody@example.org", "failed", "permanent"))
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email="nobody@example.org").exists()


@pytest.mark.parametrize(
    "forgery", ["wrong signing key", "wrong password"], ids=["signature", "basic-auth"]
)
def test_a_forged_call_changes_nothing(client, forgery):
    reader = SubscriberFactory()
    if forgery == "wrong signing key":
        response = post(client, mailgun_event(reader.email, "complained", key="guess"))
    else:
        response = post(client, mailgun_event(reader.email, "complained"), auth="cpaor:guess")
    assert response.status_code in (400, 401, 403)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
