"""A reader's choices, end to end: issues go out through a real Celery worker to a real
SMTP server (aiosmtpd, the files it writes are the bytes as received), and the links in
those bytes are what the reader (or their mail provider) uses."""

import email
import email.policy
import logging
from email.header import decode_header, make_header

import pytest
from django.test import Client

from devstack.mailsink import MailSink
from newsletters import services
from newsletters.models import Subscriber
from tests.integration import test_newsletter_delivery as delivery
from tests.newsletters.factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    subscribe,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The delivery tests' fixtures: a queue of this test's own, the engine's short settings,
# real Celery workers.
broker_url, queue, engine, workers = (
    delivery.broker_url,
    delivery.queue,
    delivery.engine,
    delivery.workers,
)

ARABIC_NAME = "النشرة الإقليمية بالعربية"


@pytest.fixture
def sink(tmp_path):
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with MailSink(directory=tmp_path) as server:
        yield server


def received(sink, subject):
    """{recipient: raw bytes as the SMTP server received them} for one issue."""
    copies = {}
    for path in sink.files:
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if message["Subject"] == subject:
            copies[message["X-Envelope-To"]] = raw
    return copies


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def send(issue, started):
    services.issue_send_now(issue_id=issue.pk)
    delivery.drive(issue, 30, started.logs)


def test_one_click_on_a_global_issue_leaves_global_and_keeps_french(engine, sink, workers):
    global_list = NewsletterListFactory(name_en="Global Newsletter", slug="global-e2e")
    french = NewsletterListFactory(name_en="Regional French", slug="french-e2e", language="fr")
    reader = subscribe(SubscriberFactory(email="both@example.org"), global_list, french)
    plain = subscribe(SubscriberFactory(email="plain@example.org", plain_text=True), global_list)
    issue = IssueFactory(newsletter=global_list, subject="Global news, June")
    workers(sink.url)
    send(issue, workers)

    copies = received(sink, issue.subject)
    assert set(copies) == {reader.email, plain.email}
    # The plain-text reader's copy has no HTML part; the other reader's still has one.
    kinds = {
        address: {p.get_content_type() for p in parse(raw).walk()}
        for address, raw in copies.items()
    }
    assert "text/html" not in kinds[plain.email] and "text/plain" in kinds[plain.email]
    assert "text/html" in kinds[reader.email]

    header = parse(copies[reader.email])["List-Unsubscribe"].strip()
    url = header.strip("<>").replace("http://testserver", "")
    assert url.endswith("/global-e2e/")
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert list(reader.lists.all()) == [french]


def test_list_id_of_an_arabic_named_list_keeps_its_ascii_identifier(engine, sink, workers):
    arabic = NewsletterListFactory(name_en=ARABIC_NAME, slug="arabic-e2e", language="ar")
    reader = subscribe(SubscriberFactory(email="ar@example.org"), arabic)
    issue = IssueFactory(newsletter=arabic, subject="Arabic news")
    workers(sink.url)
    send(issue, workers)

    raw = received(sink, issue.subject)[reader.email]
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    [line] = [line for line in head.split(b"\r\n") if line.lower().startswith(b"list-id:")]
    line.decode("ascii")
    assert line.endswith(b" <arabic-e2e.testserver>")
    name = line.split(b":", 1)[1].rsplit(b" <", 1)[0].strip().decode()
    assert str(make_header(decode_header(name))) == ARABIC_NAME
