"""A real Celery worker sends the outbox's e-mails through a real SMTP server.

The worker is a subprocess (`celery -A cpaor worker`) on the Redis at REDIS_URL, using a
Redis database and a queue of its own so that it never sees other tests' tasks, and the
test database; the SMTP server is the portal's mail sink, running in the test process.
"""

import email.policy
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from common.models import OutboundEmail
from common.tasks import send_email
from cpaor.celery import app
from devstack import workers
from devstack.mailsink import MailSink
from devstack.processes import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def isolated_redis_url():
    """REDIS_URL on another database number, so broadcasts don't reach other tests."""
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    current = parts.path.strip("/") or "0"
    database = "15" if current != "15" else "14"
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def broker_url():
    url = isolated_redis_url()
    redis.Redis.from_url(url).ping()
    return url


@pytest.fixture
def queue():
    return f"test-mail-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sink():
    with MailSink() as server:
        yield server


@pytest.fixture
def start_worker(broker_url, queue, tmp_path):
    started = []

    def start(email_url):
        env = {
            **os.environ,
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": email_url,
            "DATABASE_URL": workers.database_url(connection),
        }
        log = tmp_path / "worker.log"
        process = workers.start_worker(queue=queue, env=env, log=log)
        started.append((process, log))
        return process, log

    yield start
    for process, _log in started:
        workers.stop_worker(process)
    workers.forget_queue(broker_url, queue)


def settled(row, timeout=30):
    """The row once the worker has recorded its outcome (just after the server's 250)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status != OutboundEmail.Status.QUEUED:
            break
        time.sleep(0.1)
    return row


def enqueue(broker_url, queue, to, **kwargs):
    """An outbox row, and its task on the test worker's own queue."""
    row = OutboundEmail.objects.create(to=[to] if isinstance(to, str) else to, **kwargs)
    with app.connection_for_write(broker_url) as broker:
        send_email.apply_async(args=[row.pk], queue=queue, connection=broker)
    return row


def test_worker_delivers_a_queued_email_with_its_headers(sink, start_worker, broker_url, queue):
    token = uuid.uuid4().hex
    row = enqueue(
        broker_url,
        queue,
        to=["member@example.org"],
        subject="Welcome to the CP AoR",
        body="Plain text body",
        html="<p>HTML <strong>body</strong></p>",
        headers={"X-Test-Token": token, "Reply-To": "helpdesk@example.org"},
    )
    process, log = start_worker(sink.url)

    try:
        message = sink.wait_for(lambda m: m["X-Test-Token"] == token, timeout=60)
    except TimeoutError:
        pytest.fail(f"no e-mail arrived; worker log:\n{log.read_text()[-4000:]}")
    assert message["Subject"] == "Welcome to the CP AoR"
    assert message["To"] == "member@example.org"
    assert message["From"] == "CP AoR <no-reply@cpaor.localhost>"
    assert message["Reply-To"] == "helpdesk@example.org"
    assert message["X-Envelope-To"] == "member@example.org"
    assert message.get_body(("plain",)).get_content().strip() == "Plain text body"
    assert "<strong>body</strong>" in message.get_body(("html",)).get_content()
    assert process.poll() is None  # the worker is still serving
    assert (settled(row).status, row.attempts) == (OutboundEmail.Status.SENT, 1)


def test_email_queued_while_smtp_is_down_is_delivered_once_it_is_back(
    start_worker, broker_url, queue, tmp_path
):
    port = free_port()
    token = uuid.uuid4().hex
    process, log = start_worker(f"smtp://127.0.0.1:{port}")
    row = enqueue(
        broker_url,
        queue,
        to="member@example.org",
        subject="Retry",
        body="Sent later",
        headers={"X-Test-Token": token},
    )
    # The first attempt fails (connection refused) and the task is scheduled again.
    deadline = time.monotonic() + 60
    while "Retry in" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Retry in" in log.read_text(), log.read_text()[-4000:]

    with MailSink(port=port, directory=tmp_path / "mail") as sink:
        try:
            message = sink.wait_for(lambda m: m["X-Test-Token"] == token, timeout=60)
        except TimeoutError:
            pytest.fail(f"no e-mail arrived; worker log:\n{log.read_text()[-4000:]}")
        assert message["Subject"] == "Retry"
        files = list((tmp_path / "mail").glob("*.eml"))
        assert len(files) == 1
        saved = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        assert saved["X-Test-Token"] == token
    assert process.poll() is None
    assert settled(row).status == OutboundEmail.Status.SENT
    assert row.attempts >= 2  # the first try found the server down
