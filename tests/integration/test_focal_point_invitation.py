"""A focal point's invitation end to end: the members' area writes it to the outbox and
queues its sending after commit; a real Celery worker sends it to a real SMTP server (the
portal's mail sink) in the member's language; the link in it, opened by the colleague
signed in with the invited address verified, makes them a focal point. Inviting the same
address again sends the same invitation again, never a second one.

The worker has a Redis server of its own, started for the test, and this process queues
the e-mails there (CELERY_BROKER_URL, which the outbox reads for each message).
"""

import os
import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from common.models import OutboundEmail
from cpaor.celery import app
from devstack import embedded, workers
from devstack.mailsink import MailSink
from devstack.processes import free_port
from members.models import FocalPoint, FocalPointInvitation
from tests.celery_app import use_broker
from tests.members.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

QUEUE = "celery"  # the outbox's task goes to the portal's default queue


def quiet(*_args, **_kwargs):
    pass


@pytest.fixture
def broker(tmp_path, settings):
    child, url = embedded.start_redis(base=tmp_path / "redis", port=free_port(), say=quiet)
    settings.CELERY_BROKER_URL = url
    # This process's Celery app publishes there too, whatever earlier tests made it use.
    saved = (app.conf.broker_url, app.conf.task_routes, app.conf.task_always_eager)
    use_broker(url, routes={})
    app.conf.task_always_eager = False
    yield url
    use_broker(saved[0], routes=saved[1])
    app.conf.task_always_eager = saved[2]
    child.stop(say=quiet)


@pytest.fixture
def sink():
    with MailSink() as server:
        yield server


@pytest.fixture
def worker(broker, sink, tmp_path):
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": sink.url,
        "SITE_URL": "http://testserver",
        "DATABASE_URL": workers.database_url(connection),
    }
    process = workers.start_worker(
        queue=QUEUE, name=f"invitations-{uuid.uuid4().hex[:8]}", env=env, log=log, quiet=True
    )
    yield log
    workers.stop_worker(process)


def wait_until(predicate, what, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen; worker log:\n{log.read_text()[-4000:]}")


def test_an_invitation_reaches_the_colleague_in_the_members_language_and_its_link_works(
    broker, sink, worker
):
    membership = MembershipFactory(partner__name_en="Enfance Sahel", language="fr")
    focal = UserFactory(email=f"awa.{uuid.uuid4().hex[:6]}@sahel.example.org")
    FocalPoint.objects.create(membership=membership, user=focal)
    invited = f"moussa.{uuid.uuid4().hex[:6]}@sahel.example.org"

    inviter = Client()
    inviter.force_login(focal)
    url = reverse("members:invite", args=[membership.pk])
    for _ in range(2):  # invited, then invited again
        assert inviter.post(url, {"email": invited}).status_code == 302
    wait_until(
        lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2,
        "both e-mails sent",
        worker,
    )
    assert FocalPointInvitation.objects.count() == 1
    assert [message["X-Envelope-To"] for message in sink.messages] == [invited, invited]

    message = sink.messages[-1]
    body = message.get_body(("plain",)).get_content()
    assert message["Content-Language"] == "fr"
    assert "Enfance Sahel" in message["Subject"]
    link = re.search(r"http://testserver/fr/membership/invitations/\S+/", body).group(0)

    colleague = UserFactory(email=invited)
    browser = Client()
    browser.force_login(colleague)
    path = urlsplit(link).path
    assert browser.get(path).status_code == 200
    assert browser.post(path).status_code == 302
    assert FocalPoint.objects.filter(membership=membership, user=colleague).exists()
    assert "Enfance Sahel" in browser.get(reverse("members:area")).content.decode()
