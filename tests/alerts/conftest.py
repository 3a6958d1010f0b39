import pytest

from cpaor.celery import app
from tests.newsletters.smtp import serving


@pytest.fixture
def eager_celery():
    """Outbox e-mails (confirmations, notices) sent in the test process, into locmem."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def queued_digests(monkeypatch):
    """Unit tests never nudge real workers: a digest's task is recorded, and the test
    sends the row itself."""
    queued = []
    monkeypatch.setattr("alerts.services.sending._enqueue", queued.append)
    return queued


@pytest.fixture
def serve(settings):
    """serve(Server(...)): a real SMTP server in this process (tests/newsletters/smtp.py)."""
    yield from serving(settings)
