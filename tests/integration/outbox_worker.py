"""A real Celery worker on a Redis server of its own, sending the outbox's e-mails to a
real SMTP server (the portal's mail sink): for tests whose tasks queue e-mails on the
portal's default queue, where a shared Redis would let other tests' workers take them.

Use it from a test module with `from tests.integration.outbox_worker import *` (the
fixtures `broker`, `sink`, `worker`) and `wait_until(...)`.
"""

import os
import time
import uuid

import pytest
from django.db import connection

from cpaor.celery import app
from devstack import embedded, workers
from devstack.mailsink import MailSink
from devstack.processes import free_port
from tests.celery_app import use_broker

QUEUE = "celery"  # the outbox's task goes to the portal's default queue


def quiet(*_args, **_kwargs):
    pass


@pytest.fixture
def broker(tmp_path, settings):
    """A Redis server for this test; this process's Celery app publishes there too,
    whatever earlier tests in the process made it use."""
    child, url = embedded.start_redis(base=tmp_path / "redis", port=free_port(), say=quiet)
    settings.CELERY_BROKER_URL = url
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
        queue=QUEUE, name=f"outbox-{uuid.uuid4().hex[:8]}", env=env, log=log, quiet=True
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


__all__ = ["QUEUE", "broker", "sink", "wait_until", "worker"]
