"""A renewal reminder end to end: the daily task runs in a real Celery worker, which writes
each focal point's reminder to the outbox and queues its sending after commit; the worker
sends it to a real SMTP server (the portal's mail sink); the link in it renews.

The worker has a Redis server of its own, started for the test: the task queues the
e-mails on the portal's default queue, which this worker can then take without taking
(or leaving behind) anybody else's messages.
"""

import datetime
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.utils import formats, timezone, translation

from common.models import OutboundEmail
from cpaor.celery import app
from members.models import FocalPoint, Membership, RenewalReminder
from members.services.memberships import add_years
from members.tasks import renewals_daily
from tests.integration.outbox_worker import *  # noqa: F403 - the fixtures
from tests.integration.outbox_worker import QUEUE, wait_until
from tests.members.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The worker, its broker and mail sink: tests/integration/outbox_worker.py.


def test_the_daily_task_in_a_worker_emails_each_focal_point_once_and_the_link_renews(
    client, broker, sink, worker
):
    due = timezone.localdate() + datetime.timedelta(days=30)
    membership = MembershipFactory(renewal_due=due, language="fr")
    people = [UserFactory(email=f"{name}.{uuid.uuid4().hex[:6]}@ong.example.org")
              for name in ("awa", "moussa")]  # fmt: skip
    for person in people:
        FocalPoint.objects.create(membership=membership, user=person)

    # Two beats (or a task delivered twice) on the same day.
    with app.connection_for_write(broker) as connection_:
        for _ in range(2):
            renewals_daily.apply_async(connection=connection_, queue=QUEUE)
    runs = re.compile(r"members\.renewals_daily\[[^]]+\] succeeded")
    wait_until(lambda: len(runs.findall(worker.read_text())) == 2, "both runs", worker)
    wait_until(
        lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2,
        "both e-mails sent",
        worker,
    )

    received = {message["X-Envelope-To"]: message for message in sink.messages}
    assert sorted(received) == sorted(person.email for person in people)
    assert len(sink.messages) == 2  # one each, although the task ran twice
    assert OutboundEmail.objects.count() == 2
    assert RenewalReminder.objects.filter(membership=membership).count() == 1

    message = received[people[0].email]
    body = message.get_body(("plain",)).get_content()
    with translation.override("fr"):
        date = formats.date_format(due, "DATE_FORMAT")  # "… mars 2027", say
    assert message["Content-Language"] == "fr"
    assert date in message["Subject"] and date in body
    link = re.search(r"http://testserver/fr/\S+/renew/\S+/", body).group(0)
    assert people[1].email not in message.as_string()  # each their own link and message

    # The link opens without signing in, and renewing moves the date a year on.
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    membership.refresh_from_db()
    assert membership.renewal_due == add_years(due, 1)
    assert membership.status == Membership.Status.ACTIVE
