"""/readyz with everything up: a real Celery worker answers the ping."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.core.cache import cache

from cpaor import views
from cpaor.celery import app
from devstack.processes import make_preexec
from tests.celery_app import use_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_broker(tmp_path):
    """A Redis database of this test's own, with one worker listening on it."""
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    url = urlunsplit(parts._replace(path="/13"))
    redis.Redis.from_url(url).flushdb()
    env = {**os.environ, "REDIS_URL": url, "CELERY_BROKER_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cpaor", "worker", "--pool", "solo"]
        + ["-n", "healthz@%h", "-l", "info"],
        cwd=REPO,
        env=env,
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=make_preexec(),
    )
    process.log = tmp_path / "worker.log"
    previous = app.conf.broker_url
    use_broker(url)
    try:
        yield process
    finally:
        use_broker(previous)
        process.terminate()
        process.wait(timeout=30)


def test_readyz_is_200_with_everything_up_quickly_and_503_once_the_worker_stops(
    client, worker_broker
):
    # One test, not two: two workers on database 13 at once would answer for each other.
    deadline = time.monotonic() + 60
    while True:
        cache.delete(views._worker_cache_key())
        response = client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert response.status_code == 200, (response.content, worker_broker.log.read_text()[-3000:])
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "redis": True, "celery": True},
    }
    # A fresh ping returns on the worker's answer, not at the end of the ping's timeout.
    cache.delete(views._worker_cache_key())
    started = time.monotonic()
    assert client.get("/readyz").status_code == 200
    assert time.monotonic() - started < 0.5
    assert client.get("/healthz").json() == {"status": "ok", "checks": {"database": True}}

    worker_broker.terminate()
    worker_broker.wait(timeout=30)
    # The shared answer lasts READYZ_CACHE_SECONDS; after that the stop shows.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        if response.status_code == 503:
            break
        time.sleep(0.5)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "redis": True, "celery": False}
    cache.delete(views._worker_cache_key())
