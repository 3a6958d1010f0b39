"""A focal point's invitation end to end: the members' area writes it to the outbox and
queues its sending after commit; a real Celery worker sends it to a real SMTP server (the
portal's mail sink) in the member's language; the link in it, opened by the colleague
signed in with the invited address verified, makes them a focal point. Inviting the same
address again sends the same invitation again, never a second one.

The worker has a Redis server of its own, started for the test, and this process queues
the e-mails there (CELERY_BROKER_URL, which the outbox reads for each message).
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from common.models import OutboundEmail
from members.models import FocalPoint, FocalPointInvitation
from tests.integration.outbox_worker import *  # noqa: F403 - the fixtures
from tests.integration.outbox_worker import wait_until
from tests.members.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The worker, its broker and mail sink: tests/integration/outbox_worker.py.


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
