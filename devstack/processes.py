"""Child processes the development stack owns: how they are started (own process group,
PR_SET_PDEATHSIG so the kernel stops them when their parent dies), stopped, and given a
free port. Only the standard library."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - non-glibc platforms
    _libc = None


class EmbeddedError(RuntimeError):
    """A server could not be started; the message includes its log tail."""


def data_dir():
    """Where the embedded servers and the launcher keep their files (CPAOR_DATA_DIR)."""
    return Path(os.environ.get("CPAOR_DATA_DIR") or BASE_DIR / ".data").resolve()


def make_preexec(death_signal=signal.SIGTERM, uid=None, gid=None, new_group=True):
    """Return a preexec_fn: own process group, optional setgid/setuid, then PDEATHSIG.

    PDEATHSIG is set after setuid because changing credentials clears it. If the parent
    died between fork and prctl, the child exits at once rather than run as an orphan.
    """
    parent = os.getpid()

    def preexec():
        if new_group:
            os.setpgid(0, 0)
        # A shell starts background jobs with SIGINT/SIGQUIT ignored, and ignored
        # signals survive exec; give the servers their default dispositions back.
        if _libc is not None:
            for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
                _libc.signal(signum, ctypes.c_void_p(0))  # SIG_DFL
        if gid is not None:
            os.setgroups([])
            os.setgid(gid)
        if uid is not None:
            os.setuid(uid)
        if _libc is not None and death_signal:
            _libc.prctl(_PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def port_is_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def choose_port(env_name, default):
    """The port from env_name, else the default, else (if that is taken) a free one."""
    if env_name and os.environ.get(env_name):
        return int(os.environ[env_name])
    if default and port_is_free(default):
        return default
    return free_port()


def log_tail(path, lines=30):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Child:
    """A child process the launcher owns, with how to stop it."""

    def __init__(self, name, popen, stop_signal=signal.SIGTERM, timeout=20, log=None):
        self.name = name
        self.popen = popen
        self.stop_signal = stop_signal
        self.timeout = timeout
        self.log = log
        self.cleanup = []

    @property
    def pid(self):
        return self.popen.pid

    def poll(self):
        return self.popen.poll()

    def stop(self, say=print):
        """Signal the child, wait up to timeout, then SIGKILL its whole process group."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, self.stop_signal)
            try:
                self.popen.wait(self.timeout)
            except subprocess.TimeoutExpired:
                say(f"{self.name} did not stop within {self.timeout}s; killing it")
                self.popen.kill()
                self.popen.wait()
        # Anything the child left in its process group (e.g. a worker it forked) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        for action in self.cleanup:
            action()
        self.cleanup = []
