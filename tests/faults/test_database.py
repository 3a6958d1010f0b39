"""The database drops the portal's connections (failover, restart, idle-kill by a
proxy): the next request still succeeds.

A real gunicorn with persistent connections (DB_CONN_MAX_AGE=60) serves the test
database; every one of its connections is terminated from the server side between two
requests.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from cpaor.seed import load as load_site_content
from devstack.processes import free_port, make_preexec

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def database_url():
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DATABASE_URL=database_url(), DB_CONN_MAX_AGE="60", DEBUG="1")
    env.update(ALLOWED_HOSTS="127.0.0.1", RATELIMIT_ENABLED="0")
    # Every page made for its request: one kept whole in Redis would need no database.
    env.update(PAGE_CACHE_SECONDS="0")
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cpaor.wsgi", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=make_preexec(signal.SIGTERM, new_group=False),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            time.sleep(0.2)
    yield base, log
    process.terminate()
    process.wait(20)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def portal_backends():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return [row[0] for row in cursor.fetchall()]


def test_next_request_succeeds_after_the_server_drops_every_connection(gunicorn):
    load_site_content()
    base, log = gunicorn
    status, body = get(f"{base}/en/")
    assert status == 200, log.read_text()[-3000:]
    assert "Protecting children in humanitarian crises" in body

    # The worker keeps its connection between requests; the server now kills it.
    before = portal_backends()
    assert before, "gunicorn should hold a persistent connection"
    with connection.cursor() as cursor:
        for pid in before:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while set(before) & set(portal_backends()) and time.monotonic() < deadline:
        time.sleep(0.1)

    for _ in range(3):
        status, body = get(f"{base}/en/")
        assert status == 200, log.read_text()[-3000:]
        assert "Protecting children in humanitarian crises" in body
    after = portal_backends()
    assert after and not set(after) & set(before)  # a new connection replaced the old one
