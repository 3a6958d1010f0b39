import pytest

from cpaor.celery import app

from .smtp import serving


@pytest.fixture
def eager_celery():
    """Run tasks in the test process (unit tests only): confirmation e-mails land in the
    locmem outbox, and nothing reaches the shared Redis."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Unit tests never nudge real workers: starting a send records the nudge instead."""
    nudges = []
    # Patched where it is called: starting or resuming an issue, and the watchdog.
    for caller in ("newsletters.services.issues", "newsletters.services.watchdog"):
        monkeypatch.setattr(
            f"{caller}.enqueue_chunks",
            lambda issue_id, count=None: nudges.append(issue_id),
        )
    return nudges


@pytest.fixture
def serve(settings):
    """serve(Server(...)): a real SMTP server in this process that the engine sends to."""
    yield from serving(settings)
