"""An SMTP server for the sending engine's tests (aiosmtpd in a thread of this process)."""

from aiosmtpd.controller import Controller

from devstack.mailsink import offer_pipelining
from devstack.processes import free_port


class Server:
    """An SMTP server that keeps what it accepts, refuses chosen recipients, and can look
    at the database (over a connection of its own) as each message arrives."""

    def __init__(self, pipelining=True, refuse=None, on_message=None):
        self.pipelining = pipelining
        self.refuse = refuse or {}
        self.on_message = on_message
        self.messages = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return offer_pipelining(responses) if self.pipelining else responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_message:
            self.on_message(envelope.rcpt_tos[0])
        self.messages.append((envelope.rcpt_tos[0], envelope.content))
        return "250 Message accepted for delivery"


def serving(settings):
    """Yields start(server), which runs the server and points this process's e-mail
    settings at it; every server started is stopped when the generator ends."""
    controllers = []

    def start(server):
        port = free_port()
        controller = Controller(server, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "common.mail.backends.PipeliningSMTPBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.NEWSLETTER_RATE_PER_SECOND = 0
        settings.NEWSLETTER_CHUNK_SIZE = 10
        return server

    yield start
    for controller in controllers:
        controller.stop()
