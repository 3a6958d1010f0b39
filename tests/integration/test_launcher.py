"""`python -m devstack.launcher run` with nothing configured: the embedded path end to end.

Each test starts the real launcher (embedded Postgres and Redis, mail sink, migrations,
gunicorn, Celery worker and beat) in a temporary data directory on free ports, and checks
what a user sees: the pages, /healthz, and that stopping leaves no process behind.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from devstack.processes import free_port, make_preexec

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 240


class Launch:
    """One `python -m devstack.launcher run` process with its output in a file."""

    def __init__(self, data_dir, log_path):
        self.port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_BROKER_URL"}
            and not key.startswith(("PYTEST_", "DJANGO_SETTINGS"))
        }
        env.update(
            CPAOR_DATA_DIR=str(data_dir),
            PORT=str(self.port),
            EMBEDDED_PG_PORT=str(free_port()),
            EMBEDDED_REDIS_PORT=str(free_port()),
            BOUNCE_PORT=str(free_port()),
        )
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack.launcher", "run"],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Own process group; SIGTERM to the launcher if this test process dies.
            preexec_fn=make_preexec(signal.SIGTERM),
        )
        self.startup_seconds = None

    @property
    def output(self):
        return self.log_path.read_text(errors="replace")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if "[launcher] ready in" in self.output:
                self.startup_seconds = time.monotonic() - self.started
                return
            if self.process.poll() is not None:
                pytest.fail(f"launcher exited with {self.process.returncode}:\n{self.output}")
            time.sleep(0.5)
        pytest.fail(f"launcher not ready within {READY_TIMEOUT}s:\n{self.output[-5000:]}")

    def descendants(self):
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def still_running(processes):
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return alive


def wait_all_gone(processes, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not still_running(processes):
            return []
        time.sleep(0.2)
    return still_running(processes)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    # One data directory per test process: the first launcher run in it is a cold start
    # (initdb, every migration), later ones reuse it.
    return tmp_path_factory.mktemp("launcher-data")


@pytest.fixture
def first_run(data_dir, tmp_path):
    launch = Launch(data_dir, tmp_path / "first-run.log")
    try:
        launch.wait_ready()
        (data_dir / "ran-once").touch()
        yield launch
    finally:
        launch.stop()


@pytest.fixture
def used_data_dir(data_dir, tmp_path):
    """The data directory after one complete run (the first test's, or one made here)."""
    if not (data_dir / "ran-once").exists():
        launch = Launch(data_dir, tmp_path / "initial-run.log")
        try:
            launch.wait_ready()
            (data_dir / "ran-once").touch()
        finally:
            launch.stop()
    return data_dir


def test_run_serves_the_portal_and_sigint_stops_everything(first_run):
    status, body = get(first_run.url + "/en/")
    assert status == 200
    assert 'lang="en"' in body
    status, body = get(first_run.url + "/ar/")
    assert status == 200
    assert 'dir="rtl"' in body
    status, body = get(first_run.url + "/healthz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": True}
    status, body = get(first_run.url + "/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": True, "redis": True, "celery": True}
    assert "Password (shown only this once):" in first_run.output

    processes = first_run.descendants()
    names = " ".join(" ".join(p.cmdline()) for p in processes)
    for expected in ("postgres", "redis-server", "gunicorn", "celery", "worker", "beat"):
        assert expected in names
    assert "devstack.mailsink" in names

    first_run.process.send_signal(signal.SIGINT)
    assert first_run.process.wait(90) == 0, first_run.output[-3000:]
    assert wait_all_gone(processes, 5) == []
    assert "stopped; nothing is left running" in first_run.output


def test_second_run_keeps_the_data_and_sigkill_leaves_nothing(used_data_dir, tmp_path):
    data_dir = used_data_dir
    second = Launch(data_dir, tmp_path / "second-run.log")
    try:
        second.wait_ready()
        assert "The admin account 'admin' already exists" in second.output
        assert "Creating a Postgres cluster" not in second.output
        assert second.startup_seconds < 60, second.output[-3000:]
        status, body = get(second.url + "/healthz")
        assert status == 200, body

        processes = second.descendants()
        # A prefork pool, two gunicorn workers and the Postgres backends at least.
        assert len(processes) >= 10
        second.process.kill()
        second.process.wait(10)
        leftovers = wait_all_gone(processes, 20)
        assert leftovers == []
    finally:
        second.stop()
        # If the test failed, take everything down rather than leak it.
        for process in psutil.process_iter():
            try:
                if str(data_dir) in " ".join(process.cmdline()):
                    process.kill()
            except psutil.Error:
                pass


def test_a_child_that_dies_takes_the_portal_down_with_an_error(used_data_dir, tmp_path):
    launch = Launch(used_data_dir, tmp_path / "supervised-run.log")
    try:
        launch.wait_ready()
        processes = launch.descendants()
        redis_server = next(p for p in processes if "redis-server" in " ".join(p.cmdline()))
        redis_server.kill()
        assert launch.process.wait(90) == 1
        assert "redis (pid" in launch.output
        assert "exited unexpectedly" in launch.output
        assert wait_all_gone(processes, 10) == []
    finally:
        launch.stop()
