"""The outbox of one-person e-mails: every message is a row that ends sent or failed
with its error, whatever the message or the server does."""

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from common import outbox
from common.models import OutboundEmail
from devstack.processes import free_port
from tests.members.factories import ApplicationFactory, UserFactory
from tests.newsletters.smtp import Server

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_here():
    """A task queued after commit runs in this process (the real worker is exercised in
    tests/integration/test_celery_mail.py); nothing is left on the shared broker."""
    from cpaor.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def smtp(settings):
    controllers = []

    def start(server=None, port=None):
        port = port or free_port()
        if server is not None:
            controller = Controller(server, hostname="127.0.0.1", port=port)
            controller.start()
            controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        return server

    yield start
    for controller in controllers:
        controller.stop()


def queued(**kwargs):
    values = {"to": "reader@example.org", "subject": "Hello", "body": "Text", **kwargs}
    return outbox.email_queue(**values)


def test_a_message_is_a_row_sent_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = queued(html="<p>Hi</p>", headers={"Content-Language": "fr"})
    assert row.status == OutboundEmail.Status.QUEUED
    assert len(callbacks) == 1 and mail.outbox == []
    assert outbox.email_send(email_id=row.pk)[0] == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.extra_headers["Content-Language"] == "fr"
    assert message.alternatives[0][0] == "<p>Hi</p>"
    # A task delivered twice (a broker's redelivery, a sweep) sends nothing more.
    assert outbox.email_send(email_id=row.pk) == ("skipped", None)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": "New application: Bob\r\nBcc: x@evil.test"}, "BadHeaderError"),
        ({"headers": {"Reply-To": "a@example.org\nBcc: x@evil.test"}}, "BadHeaderError"),
        ({"to": "Bob\r\nBcc: x@evil.test <bob@example.org>"}, "BadHeaderError"),
        ({"to": "bob@exa\u202emple.org"}, ""),
    ],
)
def test_a_message_that_cannot_be_built_is_recorded_failed_and_nothing_is_sent(
    django_capture_on_commit_callbacks, fields, error
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = queued(**fields)
    assert callbacks == []  # no task: it could never go
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert error in row.last_error and row.last_error
    assert mail.outbox == []


def test_a_refused_recipient_fails_at_once_with_the_server_answer(smtp):
    server = smtp(Server(refuse={"gone@example.org": "550 5.1.1 No such user"}))
    row = queued(to="gone@example.org")
    assert outbox.email_send(email_id=row.pk)[0] == "failed"
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert "No such user" in row.last_error
    assert server.messages == []


def test_a_server_that_says_later_gets_another_try_then_the_message_fails(smtp):
    smtp(Server(refuse={"full@example.org": "452 4.2.2 Mailbox full"}))
    row = queued(to="full@example.org")
    assert outbox.email_send(email_id=row.pk, retry_in=30)[0] == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert "Mailbox full" in row.last_error and row.next_attempt_at is not None
    assert outbox.email_send(email_id=row.pk, last_try=True)[0] == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)


def test_an_unreachable_server_is_a_retry_not_a_failure(smtp):
    smtp(port=free_port())  # nothing listens there
    row = queued()
    assert outbox.email_send(email_id=row.pk)[0] == "retry"
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.QUEUED
    assert "ConnectionRefusedError" in row.last_error


def test_the_task_records_each_try_and_fails_the_row_after_its_last(smtp):
    from common.tasks import send_email

    smtp(port=free_port())
    row = queued()
    # Eager, every retry runs at once: the row fails after its last allowed try.
    send_email.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS


def test_failed_messages_are_sent_again_and_sent_ones_are_not(django_capture_on_commit_callbacks):
    failed = OutboundEmail.objects.create(
        to=["a@example.org"], subject="Failed", status="failed", attempts=8, last_error="x"
    )
    sent = OutboundEmail.objects.create(to=["b@example.org"], subject="Sent", status="sent")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.email_send_again(email_ids=[failed.pk, sent.pk]) == 1
    assert len(callbacks) == 1
    assert outbox.email_send(email_id=failed.pk)[0] == "sent"
    assert outbox.email_send(email_id=sent.pk)[0] == "skipped"
    assert [message.subject for message in mail.outbox] == ["Failed"]


def test_the_sweep_requeues_only_messages_whose_task_was_lost(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    queued_ids = []
    monkeypatch.setattr(outbox, "_enqueue", queued_ids.append)
    old = timezone.now() - timedelta(hours=1)
    lost = OutboundEmail.objects.create(to=["a@example.org"], subject="Lost")
    OutboundEmail.objects.filter(pk=lost.pk).update(created=old)
    waiting = OutboundEmail.objects.create(
        to=["b@example.org"], subject="Retry soon", next_attempt_at=timezone.now()
    )
    OutboundEmail.objects.filter(pk=waiting.pk).update(created=old)
    OutboundEmail.objects.create(to=["c@example.org"], subject="Just queued")
    done = OutboundEmail.objects.create(to=["d@example.org"], subject="Sent", status="sent")
    OutboundEmail.objects.filter(pk=done.pk).update(created=old)
    assert outbox.outbox_sweep() == 1
    assert queued_ids == [lost.pk]


def test_the_reviewers_notice_of_a_hostile_name_is_recorded_where_staff_see_it(
    client, django_capture_on_commit_callbacks
):
    """On main, a line break in a stored organisation name made the reviewers' notice
    raise BadHeaderError in the worker, and the notice was dropped with a log line."""
    from members import services
    from members.models import Application
    from tests.members.test_services import reviewer

    reviewer(email="reviewer@cpaor.example.org")
    application = ApplicationFactory()
    # Stored before names were validated: the database may hold such rows.
    Application.objects.filter(pk=application.pk).update(org_name="Bob\r\nBcc: x@evil.test")
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    notice = OutboundEmail.objects.get(to=["reviewer@cpaor.example.org"])
    assert notice.status == OutboundEmail.Status.FAILED
    assert "BadHeaderError" in notice.last_error
    assert notice.context == {"application_id": application.pk, "kind": "reviewer_notice"}
    # A superuser finds it in the admin, with its error, and can send it again.
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:common_outboundemail_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert "BadHeaderError" in page.content.decode()
    detail = client.get(reverse("admin:common_outboundemail_change", args=[notice.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_reviewers_see_the_outbox_and_others_do_not(client):
    from tests.members.test_services import reviewer

    OutboundEmail.objects.create(to=["a@example.org"], subject="Seen", status="failed")
    url = reverse("admin:common_outboundemail_changelist")
    client.force_login(reviewer())
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 403


@pytest.fixture
def broker_down(settings):
    """The broker address this process publishes to, where nothing listens."""
    from cpaor.celery import app

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False  # publish for real (the autouse fixture restores it)


@pytest.mark.django_db(transaction=True)
def test_a_form_that_queues_an_email_works_while_the_broker_is_down(client, broker_down):
    """On main the task was queued after commit, and a broker that could not be reached
    made a saved subscription answer 500."""
    from newsletters.models import NewsletterList, Subscriber

    newsletter = NewsletterList.objects.create(slug="global-down", name_en="Global", language="en")
    response = client.post(
        "/en/newsletters/",
        {
            "email": "reader@example.org",
            "lists": [str(newsletter.pk)],
            "consent": "on",
            "origin": "page",
        },
    )
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="reader@example.org").exists()
    row = OutboundEmail.objects.get(to=["reader@example.org"])
    assert row.status == OutboundEmail.Status.QUEUED  # the sweep sends it later


@pytest.mark.django_db(transaction=True)
def test_sending_an_issue_while_the_broker_is_down_leaves_it_to_the_watchdog(broker_down):
    from newsletters import services
    from newsletters.models import Issue
    from tests.newsletters.factories import IssueFactory

    issue = IssueFactory()
    services.issue_send_now(issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING
