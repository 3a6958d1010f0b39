"""The bounce receiver as mail servers meet it: `manage.py receive_bounces` in a process
of its own, on the test database, spoken to over SMTP."""

import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from devstack import workers as celery_workers
from devstack.processes import free_port
from newsletters import bounces
from newsletters.management.commands.receive_bounces import BounceHandler
from newsletters.models import BounceReport, Delivery, Subscriber

from .factories import SubscriberFactory
from .test_bounces import MAILBOX, report, sent_issue

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver(settings):
    """The command running on a free port; yields the port."""
    settings.NEWSLETTER_BOUNCE_ADDRESS = MAILBOX
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": celery_workers.database_url(connection),
        "SECRET_KEY": settings.SECRET_KEY,
        "NEWSLETTER_BOUNCE_ADDRESS": MAILBOX,
        "NEWSLETTER_BOUNCE_MAX_BYTES": "200000",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "receive_bounces", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=5).quit()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the receiver did not start:\n{process.stdout.read()}")
            time.sleep(0.1)
    yield port
    process.terminate()
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output


def send(port, recipients, raw):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        return smtp.sendmail("", recipients, raw)


def test_a_bounce_sent_to_the_receiver_marks_the_reader(receiver):
    amina = SubscriberFactory(email="amina@partner.example.org")
    omar = SubscriberFactory(email="omar@partner.example.org")
    issue = sent_issue(amina, omar)
    address = bounces.return_path(issue.pk, amina.pk)
    assert send(receiver, [address], report("postfix", issue, amina)) == {}
    recorded = BounceReport.objects.get()
    assert (recorded.kind, recorded.subscriber, recorded.source) == ("hard", amina, "receiver")
    assert Delivery.objects.get(subscriber=amina).status == Delivery.Status.BOUNCED
    assert Subscriber.objects.get(pk=amina.pk).status == Subscriber.Status.BOUNCED
    assert Subscriber.objects.get(pk=omar.pk).status == Subscriber.Status.CONFIRMED

    # The feedback address takes abuse reports.
    assert send(receiver, [MAILBOX], report("arf_complaint", issue, omar)) == {}
    assert BounceReport.objects.get(subscriber=omar).kind == "complaint"


def test_the_receiver_refuses_anyone_else_and_forged_addresses(receiver):
    amina = SubscriberFactory()
    issue = sent_issue(amina)
    real = bounces.return_path(issue.pk, amina.pk)
    forged = real.replace(f"+{issue.pk}-{amina.pk}-", f"+{issue.pk}-{amina.pk + 1}-")
    for address in (forged, "postmaster@bounces.example.org", "someone@example.com"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(receiver, [address], report("postfix", issue, amina))
        assert refused.value.recipients[address][0] == 550
    assert not BounceReport.objects.exists()
    assert Subscriber.objects.get(pk=amina.pk).status == Subscriber.Status.CONFIRMED


def test_a_message_too_big_or_reporting_nothing_is_its_own_answer(receiver):
    amina = SubscriberFactory()
    issue = sent_issue(amina)
    address = bounces.return_path(issue.pk, amina.pk)
    huge = report("postfix", issue, amina) + b"x" * 300_000 + b"\r\n"
    with pytest.raises(smtplib.SMTPException) as refused:
        send(receiver, [address], huge)
    assert "552" in str(refused.value)
    auto_reply = b"Subject: Out of office\r\n\r\nAway until Monday.\r\n"
    assert send(receiver, [address], auto_reply) == {}
    assert not BounceReport.objects.exists()
    # The receiver is still there for the next one.
    assert send(receiver, [address], report("postfix", issue, amina)) == {}
    assert BounceReport.objects.get().subscriber == amina


@pytest.mark.parametrize(
    "error, answer",
    [(DatabaseError("the server closed the connection"), "451 4.3.0"), (ValueError, "550 5.6.0")],
    ids=["database down: the sender tries again", "unreadable: refused"],
)
def test_one_message_failing_is_that_messages_answer(monkeypatch, error, answer):
    def failing(**kwargs):
        raise error

    monkeypatch.setattr("newsletters.services.bounce_receive", failing)
    handler = BounceHandler()
    try:
        assert handler.receive(b"Subject: x\r\n\r\n", [MAILBOX]).startswith(answer)
    finally:
        handler.close()
