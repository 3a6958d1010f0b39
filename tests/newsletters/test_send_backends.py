"""An issue goes out through whichever Django e-mail backend NEWSLETTER_EMAIL_BACKEND
names (EMAIL_BACKEND when unset): the rows are marked as the backend takes each copy,
and a backend's exception for one copy is that reader's failure alone."""

import re

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from devstack.processes import free_port
from newsletters import links, services
from newsletters.mail import message_id
from newsletters.models import Delivery, Issue, Subscriber

from .factories import IssueFactory, NewsletterListFactory, bulk_subscribers

pytestmark = pytest.mark.django_db


def sending_issue(subscribers):
    newsletter = NewsletterListFactory(language="en")
    ids = bulk_subscribers(newsletter, ["confirmed"] * subscribers)
    issue = IssueFactory(newsletter=newsletter, subject="News of the month")
    services.issue_send_now(issue_id=issue.pk)
    readers = Subscriber.objects.filter(pk__in=ids["confirmed"]).order_by("pk")
    return issue, list(readers)


def statuses(issue):
    return dict(issue.deliveries.values_list("subscriber__email", "status"))


def test_through_locmem_each_reader_gets_their_own_copy_and_the_issue_ends(settings):
    """The SMTP server named in the settings is nowhere: the newsletters' own backend
    is the one used."""
    settings.EMAIL_BACKEND = "common.mail.backends.PipeliningSMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.NEWSLETTER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    issue, readers = sending_issue(4)

    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False

    assert len(django_mail.outbox) == 4
    for reader, sent in zip(readers, django_mail.outbox, strict=True):
        assert sent.subject == "News of the month"
        assert sent.to == [reader.email]
        assert sent.extra_headers["Message-ID"] == message_id(issue.pk, reader.pk)
        unsubscribe = links.unsubscribe_url(reader, "en", issue.newsletter)
        assert sent.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert unsubscribe in sent.body
        [(html, kind)] = sent.alternatives
        assert kind == "text/html" and unsubscribe in html
        # What an SMTP backend would send says the same.
        raw = sent.message().as_bytes(linesep="\r\n")
        assert f"Message-ID: {message_id(issue.pk, reader.pk)}".encode() in raw
    assert set(statuses(issue).values()) == {"sent"}
    stored = Delivery.objects.get(issue=issue, subscriber=readers[0])
    assert stored.message_id == message_id(issue.pk, readers[0].pk)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_through_the_console_every_copy_is_printed_and_marked_sent(settings, capsys):
    settings.NEWSLETTER_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    issue, readers = sending_issue(3)

    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False

    printed = capsys.readouterr().out
    ids = re.findall(r"^Message-ID: (\S+)$", printed, flags=re.M)
    assert ids == [message_id(issue.pk, reader.pk) for reader in readers]
    assert "\r" not in printed
    assert set(statuses(issue).values()) == {"sent"}


class ProviderRefused(Exception):
    """What an e-mail provider's backend raises for an address it will not take."""


class PickyBackend(LocmemBackend):
    """Keeps messages like locmem, but refuses one address with an exception of its own,
    as a provider's backend does: no per-message result, only the exception."""

    refused = "bulk-1@example.org"

    def send_messages(self, messages):
        if any(self.refused in to for message in messages for to in message.to):
            raise ProviderRefused(f"{self.refused} is on the provider's suppression list")
        return super().send_messages(messages)


def test_a_backends_exception_for_one_copy_is_that_readers_failure_alone(settings):
    settings.NEWSLETTER_EMAIL_BACKEND = f"{__name__}.PickyBackend"
    issue, readers = sending_issue(4)

    # The refused row waits for another try, so the chunk asks to be run again.
    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is True

    after = statuses(issue)
    assert after.pop(PickyBackend.refused) == "pending"
    assert list(after.values()) == ["sent"] * 3
    assert len(django_mail.outbox) == 3
    row = Delivery.objects.get(issue=issue, subscriber__email=PickyBackend.refused)
    assert row.attempts == 1 and row.next_attempt_at is not None
    assert row.last_error == (
        f"ProviderRefused: {PickyBackend.refused} is on the provider's suppression list"
    )


def test_through_anymails_test_backend_the_issue_is_sent(settings):
    pytest.importorskip("anymail")
    settings.NEWSLETTER_EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    issue, readers = sending_issue(3)

    assert services.issue_send_chunk(issue_id=issue.pk, worker="w1") is False

    assert [sent.anymail_status.status for sent in django_mail.outbox] == [{"sent"}] * 3
    assert [sent.extra_headers["Message-ID"] for sent in django_mail.outbox] == [
        message_id(issue.pk, reader.pk) for reader in readers
    ]
    assert set(statuses(issue).values()) == {"sent"}
