"""The bounce receiver: an SMTP server for NEWSLETTER_BOUNCE_ADDRESS's domain.

    python manage.py receive_bounces --host 0.0.0.0 --port 2525

Mail servers that could not deliver a newsletter copy answer to its envelope sender
(newsletters/bounces.py); point the bounce domain's MX record at this server (or have
the MTA that receives for that domain relay it here). It accepts mail for the signed
bounce addresses and for the bare bounce address (where feedback loops send abuse
reports) and answers 550 to any other recipient, so it relays nothing and nobody can
use it to reach anyone. Each message goes to services.bounce_receive; one message that
cannot be read, or a database that is down, is that message's answer (550, or 451 so
that the sending server tries again later), never the receiver's end.
"""

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from newsletters import bounces, services

logger = logging.getLogger("newsletters.bounces")


class BounceHandler:
    """aiosmtpd's handler: recipients checked at RCPT, each message read at DATA in a
    thread of its own (the ORM does not run inside the event loop)."""

    def __init__(self):
        # One thread, one database connection: bounces come a few at a time.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bounces")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if bounces.read_return_path(address) is None and not bounces.is_mailbox(address):
            # Forged signatures land here too: the sender learns nothing more.
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.receive, raw, list(envelope.rcpt_tos))

    def receive(self, raw: bytes, recipients: list[str]) -> str:
        close_old_connections()
        try:
            reports = services.bounce_receive(raw=raw, recipients=recipients)
        except DatabaseError:
            logger.exception("bounce receiver: the database failed; the sender will retry")
            return "451 4.3.0 Try again later"
        except Exception:  # noqa: BLE001 - one message's failure, never the receiver's
            logger.exception("bounce receiver: a message could not be read")
            return "550 5.6.0 This message could not be read as a bounce or an abuse report"
        finally:
            close_old_connections()
        logger.info("bounce receiver: %d report(s) recorded", len(reports))
        return "250 OK"

    def close(self):
        self.executor.shutdown(wait=True)


def start(host: str, port: int) -> Controller:
    """The receiver running in a thread of this process (stop() it)."""
    box = bounces.mailbox()
    if box is None:
        raise CommandError(
            "NEWSLETTER_BOUNCE_ADDRESS is not set: there are no bounce addresses to receive."
        )
    controller = Controller(
        BounceHandler(),
        hostname=host,
        port=port,
        server_hostname=box[1],
        data_size_limit=settings.NEWSLETTER_BOUNCE_MAX_BYTES,
    )
    controller.start()
    return controller


class Command(BaseCommand):
    help = "Receive bounce messages and abuse reports for the newsletters over SMTP."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=2525, help="port to listen on")

    def handle(self, *args, host, port, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        controller = start(host, port)
        local, domain = bounces.mailbox()
        self.stdout.write(
            f"Bounce receiver listening on {host}:{port} for {local}@{domain} "
            f"and {local}+…@{domain}",
        )
        self.stdout.flush()
        try:
            while not stop.wait(1):
                pass
        finally:
            controller.stop()
            controller.handler.close()
