"""A local SMTP server that keeps every message instead of delivering it.

`make run` starts it so that sign-up and newsletter e-mails can be read without a real
mail server:

    python -m devstack.mailsink --port 8025 --dir .data/mail

Each message is written to the directory as <UTC timestamp>-<counter>.eml. Tests use
MailSink in-process: the messages are also kept in memory (MailSink.messages).
"""

import argparse
import email
import email.policy
import itertools
import os
import signal
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller


def _free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def offer_pipelining(responses):
    """EHLO's answer plus PIPELINING (RFC 2920), as real mail servers offer it. aiosmtpd
    reads each command from its buffered stream in turn, so commands sent together are
    answered in order; it only does not say so itself."""
    return [*responses[:-1], "250-PIPELINING", responses[-1]]


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return offer_pipelining(responses)

    async def handle_DATA(self, server, session, envelope):
        self.sink._store(envelope)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on host:port running in a background thread.

    messages: list of email.message.EmailMessage (with X-Envelope-* headers added)
    directory: if given, each message is also written there as a .eml file.
    """

    def __init__(self, host="127.0.0.1", port=0, directory=None):
        self.host = host
        self.port = port or _free_port(host)
        self.directory = Path(directory) if directory else None
        self.messages = []
        self.files = []
        self._counter = itertools.count(1)
        self._lock = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port)

    @property
    def url(self):
        return f"smtp://{self.host}:{self.port}"

    def start(self):
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _store(self, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        header = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        raw = header + raw
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            number = next(self._counter)
            if self.directory:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
                path = self.directory / f"{stamp}-{os.getpid()}-{number:05d}.eml"
                partial = path.with_suffix(".part")
                partial.write_bytes(raw)
                partial.rename(path)
                self.files.append(path)
            self.messages.append(message)
            self._lock.notify_all()

    def wait_for(self, predicate=lambda message: True, timeout=30):
        """Return the first message matching predicate, waiting up to timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no matching message within {timeout}s "
                        f"({len(self.messages)} message(s) received)"
                    )
                self._lock.wait(remaining)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", default=".data/mail", help="where to write .eml files")
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())

    sink = MailSink(args.host, args.port, args.dir).start()
    print(
        f"Mail sink listening on {sink.url}; messages go to {Path(args.dir).resolve()}",
        flush=True,
    )
    try:
        while not stop.wait(1):
            pass
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
