"""The portal's two commands: `make run` and `make test`.

    python -m devstack.launcher run                  # the whole portal on http://localhost:8000
    python -m devstack.launcher test -- [pytest args]
    python -m devstack.launcher bench -- [bench/run.py args]

`run` starts embedded Postgres and Redis unless DATABASE_URL / REDIS_URL are set, a mail
sink unless EMAIL_URL is set, migrates, loads the starting content, makes sure an admin
account exists, then runs gunicorn, a Celery worker, Celery beat and the bounce receiver
and supervises them.
Ctrl-C (SIGINT), SIGTERM or SIGHUP stops everything in order; if the launcher itself is
killed, the kernel stops its children (PR_SET_PDEATHSIG, see devstack/processes.py).

Files live in .data/ (or $CPAOR_DATA_DIR): the databases, the secret key, collected
static files, uploads, the beat schedule, logs and the e-mails the sink received.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from . import embedded, processes
from .processes import BASE_DIR, Child, EmbeddedError, make_preexec

PYTHON = sys.executable
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Shutdown(Exception):
    """Raised in the main thread by a stop signal."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StartupError(RuntimeError):
    pass


def say(message):
    print(f"[launcher] {message}", flush=True)


def secret_key(directory):
    """A random SECRET_KEY made once and kept in <data dir>/secret_key (mode 0600)."""
    path = directory / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def wait_for_port(port, child, timeout=20, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise StartupError(f"{child.name} exited with code {child.poll()}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise StartupError(f"{child.name} did not listen on {host}:{port} within {timeout}s")


class Launcher:
    def __init__(self):
        self.children = []  # in start order; stopped in reverse
        self.stopping = False
        self.data_dir = processes.data_dir()

    # -- processes -------------------------------------------------------------------

    def install_signal_handlers(self):
        def handler(signum, frame):
            if self.stopping:
                say(f"{signal.Signals(signum).name} received; already stopping")
                return
            raise Shutdown(signum)

        for signum in STOP_SIGNALS:
            signal.signal(signum, handler)

    def spawn(self, name, argv, env, stop_signal=signal.SIGTERM, timeout=20, death=None):
        popen = subprocess.Popen(
            argv,
            env=env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            preexec_fn=make_preexec(death or signal.SIGTERM),
        )
        child = Child(name, popen, stop_signal=stop_signal, timeout=timeout)
        self.children.append(child)
        return child

    def manage(self, env, *commands):
        """Run manage.py commands in parallel; fail if any fails."""
        running = [
            self.spawn(
                f"manage.py {' '.join(command)}",
                [PYTHON, "manage.py", *command],
                env,
                death=signal.SIGKILL,
            )
            for command in commands
        ]
        failed = []
        for child in running:
            code = child.popen.wait()
            self.children.remove(child)
            if code:
                failed.append(f"{child.name} (exit code {code})")
        if failed:
            raise StartupError("failed: " + ", ".join(failed))

    def stop_all(self):
        self.stopping = True
        for child in reversed(self.children):
            if child.poll() is None:
                say(f"stopping {child.name} (pid {child.pid})")
            child.stop(say=say)
        self.children = []

    def first_dead(self):
        for child in self.children:
            if child.poll() is not None:
                return child
        return None

    # -- run -------------------------------------------------------------------------

    def environment(self, port):
        env = os.environ.copy()
        data = self.data_dir
        env.setdefault("DJANGO_SETTINGS_MODULE", "cpaor.settings")
        env["PYTHONUNBUFFERED"] = "1"
        env.setdefault("SECRET_KEY", secret_key(data))
        env.setdefault("DEBUG", "0")
        env.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
        env.setdefault("SITE_URL", f"http://localhost:{port}")
        env.setdefault("STATIC_ROOT", str(data / "static"))
        env.setdefault("MEDIA_ROOT", str(data / "media"))
        env.setdefault("PRIVATE_MEDIA_ROOT", str(data / "private"))
        env.setdefault("CELERY_BEAT_SCHEDULE_FILENAME", str(data / "celerybeat-schedule"))
        # Each newsletter copy's envelope sender is then a signed bounces+… address that
        # the bounce receiver below accepts (NEWSLETTER_BOUNCE_ADDRESS= turns both off).
        env.setdefault("NEWSLETTER_BOUNCE_ADDRESS", "bounces@localhost")
        return env

    def start_backing_services(self, env):
        """Embedded Postgres / Redis where no URL is given; both start concurrently."""
        if not env.get("DATABASE_URL"):
            say("DATABASE_URL is not set: starting the embedded Postgres")
            child, url = embedded.start_postgres(self.data_dir, say=say)
            self.children.append(child)
            env["DATABASE_URL"] = url
            env.setdefault("PG_BIN_DIR", str(embedded.pg_bin_dir()))  # for manage.py backup
            say(f"Postgres: {url} (data in {self.data_dir / 'postgres'})")
            say(f"backups: DATABASE_URL={url} PG_BIN_DIR={env['PG_BIN_DIR']} manage.py backup")
        if not env.get("REDIS_URL"):
            say("REDIS_URL is not set: starting the embedded Redis")
            child, url = embedded.start_redis(self.data_dir, say=say)
            self.children.append(child)
            env["REDIS_URL"] = url
            say(f"Redis: {url}")

    def run(self):
        started = time.monotonic()
        self.install_signal_handlers()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = int(os.environ.get("PORT") or 8000)
        if not processes.port_is_free(port):
            raise StartupError(
                f"port {port} is in use; stop what uses it or choose another: PORT=8001 make run"
            )
        env = self.environment(port)
        self.start_backing_services(env)

        mail_dir = self.data_dir / "mail"
        if env.get("EMAIL_URL"):
            mail_note = f"E-mail is sent through EMAIL_URL ({env['EMAIL_URL'].split('@')[-1]})"
        else:
            mail_port = processes.free_port()
            sink = self.spawn(
                "mail sink",
                [
                    PYTHON,
                    "-m",
                    "devstack.mailsink",
                    "--port",
                    str(mail_port),
                    "--dir",
                    str(mail_dir),
                ],
                env,
            )
            wait_for_port(mail_port, sink)
            env["EMAIL_URL"] = f"smtp://127.0.0.1:{mail_port}"
            mail_note = f"E-mail is not delivered: each message is saved in {mail_dir}/ as .eml"

        say("migrating the database and collecting static files")
        self.manage(env, ["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"])
        self.manage(env, ["load_starting_content"])
        self.manage(env, ["ensure_admin"])

        workers = env.get("WEB_CONCURRENCY") or "2"
        self.spawn(
            "celery worker",
            [PYTHON, "-m", "celery", "-A", "cpaor", "worker", "-l", "info", "--concurrency", "2"],
            env,
            timeout=30,
        )
        self.spawn(
            "celery beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "cpaor",
                "beat",
                "-l",
                "info",
                "-s",
                env["CELERY_BEAT_SCHEDULE_FILENAME"],
            ],
            env,
        )
        bounce_note = "Bounces:     off (NEWSLETTER_BOUNCE_ADDRESS is empty)"
        if env.get("NEWSLETTER_BOUNCE_ADDRESS"):
            bounce_port = processes.choose_port("BOUNCE_PORT", 2525)
            receiver = self.spawn(
                "bounce receiver",
                [PYTHON, "manage.py", "receive_bounces", "--port", str(bounce_port)],
                env,
            )
            wait_for_port(bounce_port, receiver)
            bounce_note = (
                f"Bounces:     smtp://127.0.0.1:{bounce_port} receives bounce messages "
                "(manage.py receive_bounces)"
            )
        self.spawn(
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "cpaor.wsgi",
                "--workers",
                workers,
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
            ],
            env,
        )
        self.wait_healthy(port)
        url = f"http://localhost:{port}"
        say(f"ready in {time.monotonic() - started:.1f}s")
        print(
            f"\n  The portal:  {url}/\n"
            f"  Admin:       {url}/admin/  (user 'admin'; its password was printed when "
            "it was created, reset it with: .venv/bin/python manage.py changepassword admin)\n"
            f"  {mail_note}\n"
            f"  {bounce_note}\n"
            f"  Data:        {self.data_dir}\n"
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        self.supervise()

    def wait_healthy(self, port, timeout=180):
        """Wait for /readyz: the web server, its database, Redis and a Celery worker."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            dead = self.first_dead()
            if dead:
                raise StartupError(f"{dead.name} exited with code {dead.poll()} while starting")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
            except (OSError, ValueError) as exc:
                last = str(exc)
            time.sleep(0.5)
        raise StartupError(f"/readyz did not answer 200 within {timeout}s (last: {last})")

    def supervise(self):
        while True:
            dead = self.first_dead()
            if dead:
                raise StartupError(
                    f"{dead.name} (pid {dead.pid}) exited unexpectedly with code {dead.poll()}"
                )
            time.sleep(0.5)

    # -- test ------------------------------------------------------------------------

    def test(self, pytest_args):
        """Run pytest against DATABASE_URL / REDIS_URL, or embedded servers if unset."""
        args = pytest_args or ["-n", "auto", "-p", "no:cacheprovider"]
        return self.with_servers([PYTHON, "-m", "pytest", *args], "tests")

    def bench(self, bench_args):
        """Run the benchmarks (bench/run.py) against the servers, or embedded ones."""
        return self.with_servers([PYTHON, "bench/run.py", *bench_args], "benchmarks")

    def with_servers(self, argv, purpose):
        """Run argv with DATABASE_URL / REDIS_URL set, starting embedded servers for
        whichever is unset; the command's exit code is returned."""
        env = os.environ.copy()
        base = self.data_dir / "test"
        interrupted = []

        def handler(signum, frame):
            # Ctrl-C reaches pytest too (same process group); let it finish its report.
            interrupted.append(signum)
            if self.stopping or signum == signal.SIGINT:
                return
            raise Shutdown(signum)

        for signum in STOP_SIGNALS:
            signal.signal(signum, handler)
        try:
            # Separate data and free ports, so tests never touch a running `make run`.
            if not env.get("DATABASE_URL"):
                child, url = embedded.start_postgres(
                    base, say=say, port_env="EMBEDDED_TEST_PG_PORT", default_port=0
                )
                self.children.append(child)
                env["DATABASE_URL"] = url
                env.setdefault("PG_BIN_DIR", str(embedded.pg_bin_dir()))
                say(f"{purpose} use the embedded Postgres at {url}")
            if not env.get("REDIS_URL"):
                child, url = embedded.start_redis(
                    base, say=say, port_env="EMBEDDED_TEST_REDIS_PORT", default_port=0
                )
                self.children.append(child)
                env["REDIS_URL"] = url
                say(f"{purpose} use the embedded Redis at {url}")
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=BASE_DIR,
                preexec_fn=make_preexec(signal.SIGTERM, new_group=False),
            )
            try:
                return popen.wait()
            except Shutdown as exc:
                popen.send_signal(exc.signum)
                try:
                    return popen.wait(60)
                except subprocess.TimeoutExpired:
                    popen.kill()
                    return popen.wait()
        finally:
            self.stop_all()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.launcher", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the whole portal")
    test = sub.add_parser("test", help="run the tests (arguments after -- go to pytest)")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    bench = sub.add_parser("bench", help="run the benchmarks (arguments after -- go to them)")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    launcher = Launcher()
    if args.command in ("test", "bench"):
        extra = list(args.pytest_args if args.command == "test" else args.bench_args)
        if extra[:1] == ["--"]:
            extra = extra[1:]
        try:
            return getattr(launcher, args.command)(extra)
        except EmbeddedError as exc:
            say(f"could not start the servers for the {args.command}: {exc}")
            return 1

    code = 0
    try:
        launcher.run()
    except Shutdown as exc:
        say(f"{exc} received: stopping")
    except (StartupError, EmbeddedError) as exc:
        say(f"error: {exc}")
        say("stopping everything")
        code = 1
    finally:
        launcher.stop_all()
    if code == 0:
        say("stopped; nothing is left running")
    return code


if __name__ == "__main__":
    sys.exit(main())
