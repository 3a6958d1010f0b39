import uuid

import pytest

from cpaor.celery import app


@pytest.fixture(autouse=True)
def _eager_celery_and_private_files(settings, tmp_path):
    """Unit tests run tasks in-process once their on_commit callbacks run (the real worker
    is exercised in the browser test); uploads go to a throwaway folder."""
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def fresh_limits(settings):
    """Counters of this test's own (a cache prefix nobody else uses), so limits start at
    zero without flushing the Redis that other tests share."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{uuid.uuid4().hex}"}
    }
