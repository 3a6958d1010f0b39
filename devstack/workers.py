"""Celery workers as child processes, for the integration tests and the benchmarks.

Each runs the portal's worker with the solo pool (a SIGKILL then stops the process that
sends, not only a parent) on one queue of its own, and dies with its parent.
"""

import signal
import subprocess
import sys

from .processes import BASE_DIR, make_preexec


def worker_argv(queue, name, loglevel="info", quiet=False):
    argv = [sys.executable, "-m", "celery", "-A", "cpaor", "worker", "--pool", "solo",
            "-Q", queue, "-n", f"{name}@%h", "-l", loglevel]  # fmt: skip
    if quiet:  # no chatter between workers: faster start, nothing to wait for
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return argv


def start_worker(*, queue, env, name=None, log=None, loglevel="info", quiet=False,
                 death=signal.SIGTERM):  # fmt: skip
    """Start a worker on `queue` with `env`; its output goes to the file `log`, if given,
    else to this process's own output."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "cpaor.settings", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(
        worker_argv(queue, name or queue, loglevel, quiet),
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("wb") if log else None,
        stderr=subprocess.STDOUT if log else None,
        preexec_fn=make_preexec(death, new_group=False),
    )


def stop_worker(process, timeout=20):
    """SIGTERM (a warm shutdown), then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def forget_queue(broker_url, queue):
    """Remove a finished queue from Redis: its messages and kombu's records of its
    bindings, which would otherwise stay behind after every test or benchmark run."""
    import redis

    client = redis.Redis.from_url(broker_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def database_url(connection):
    """DATABASE_URL of the database a Django connection uses (a test database, say), for
    a worker that must see the same rows."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
