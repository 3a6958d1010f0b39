"""The life of an issue as random sequences of what editors, workers, beat and bad luck do:
schedule, send, pause, resume, cancel; chunks of any size, some paused under them, some
killed mid-message (SIGKILL or the time limit: nothing after the kill runs); the
watchdog; time passing. Readers include a name stored with a line break, an address
the server refuses for good and one it refuses for a while.

Whatever the sequence: no row is ever tried more than NEWSLETTER_MAX_ATTEMPTS times; no
reader gets two copies unless theirs was the message in flight when a worker was
killed (one extra per such kill); and once workers and the watchdog run long enough,
every issue ends (sent or cancelled) with every row final, and every reader whose row
is sent has the issue.

Chunks run in this process against a real SMTP server (aiosmtpd in a thread); the test
database's clock stands still inside the test's transaction, so "time passes" is a step
of its own (backoffs and leases run out, a scheduled time comes).
"""

import collections
import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from common.mail.backends import PipeliningSMTPBackend
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber
from newsletters.services import sending

from .factories import IssueFactory, NewsletterListFactory, bulk_subscribers
from .smtp import Server

pytestmark = pytest.mark.django_db

MAX_ATTEMPTS = 3
FINAL = {"sent", "failed", "skipped"}


class Killed(BaseException):
    """The worker is gone: like SIGKILL, no except clause of the engine sees it."""


class ScriptedServer(Server):
    """Refuses chosen recipients: for good (550), or with 451 a given number of times."""

    def __init__(self):
        super().__init__()
        self.refuse_for_good = set()
        self.busy = collections.Counter()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_for_good:
            return "550 5.1.1 No such user here"
        if self.busy[address] > 0:
            self.busy[address] -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Hooks:
    """What the patched engine does at each hand-over, set by the step running."""

    def __init__(self):
        self.poison = set()  # recipients whose message kills the worker, every time
        self.reset()

    def reset(self):
        self.kill_at = None  # die at this hand-over of the chunk (0 = the first)
        self.kill_after_accept = False  # ... after the server accepted that message
        self.pause_at = None  # pause the issue right after this hand-over
        self.recipient = None  # of the message being handed over
        self.issue_id = None
        self.handed = 0
        self.dying = False
        self.in_flight = None


class IssueLife(RuleBasedStateMachine):
    # Set by the test: the SMTP server, the engine's hooks and Django's settings.
    server = hooks = settings = None
    serial = itertools.count()

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.server.messages.clear()
        self.server.refuse_for_good.clear()
        self.server.busy.clear()
        self.hooks.poison.clear()
        self.hooks.reset()
        newsletter = NewsletterListFactory()
        prefix = f"life{next(self.serial)}"
        ids = bulk_subscribers(newsletter, ["confirmed"] * 5, prefix=prefix)["confirmed"]
        self.emails = dict(Subscriber.objects.filter(pk__in=ids).values_list("pk", "email"))
        broken, refused, busy, _, last = sorted(ids)
        # A name stored before names were checked: no copy can ever be built.
        Subscriber.objects.filter(pk=broken).update(name="Bob\r\nBcc: x@evil.test")
        self.server.refuse_for_good.add(self.emails[refused])
        self.busy_email = self.emails[busy]
        self.last_email = self.emails[last]
        self.issue = IssueFactory(newsletter=newsletter)
        self.hooks.issue_id = self.issue.pk
        self.workers = itertools.count()
        # Readers whose message was accepted by the server when its worker was killed.
        self.killed_in_flight = collections.Counter()

    def teardown(self):
        try:
            self.run_to_the_end()
        finally:
            transaction.savepoint_rollback(self.savepoint)

    # Helpers -----------------------------------------------------------------------

    def status(self):
        return Issue.objects.values_list("status", flat=True).get(pk=self.issue.pk)

    def rows(self):
        return Delivery.objects.filter(issue=self.issue)

    def received(self):
        mine = set(self.emails.values())
        return collections.Counter(r for r, _ in self.server.messages if r in mine)

    def chunk(self, size, kill_at=None, kill_after_accept=False, pause_at=None):
        self.hooks.reset()
        self.hooks.issue_id = self.issue.pk
        self.hooks.kill_at = kill_at
        self.hooks.kill_after_accept = kill_after_accept
        self.hooks.pause_at = pause_at
        self.settings.NEWSLETTER_CHUNK_SIZE = size
        try:
            services.issue_send_chunk(issue_id=self.issue.pk, worker=f"w{next(self.workers)}")
        except Killed:
            if self.hooks.in_flight:
                self.killed_in_flight[self.hooks.in_flight] += 1
        finally:
            self.hooks.reset()

    def run_to_the_end(self):
        """What beat and the workers do given time: the issue must end."""
        status = self.status()
        if status == Issue.Status.DRAFT:
            services.issue_send_now(issue_id=self.issue.pk)
        elif status == Issue.Status.PAUSED:
            services.issue_resume(issue_id=self.issue.pk)
        for _ in range(4 * MAX_ATTEMPTS + 4):
            # A cancelled issue still holds the claims of workers that died: the watchdog
            # skips them once their lease is over.
            if self.status() in (Issue.Status.SENT, Issue.Status.CANCELLED) and not (
                self.rows().exclude(status__in=FINAL).exists()
            ):
                break
            self.time_passes()
            services.newsletters_watchdog()
            self.chunk(size=10)
        status = self.status()
        assert status in (Issue.Status.SENT, Issue.Status.CANCELLED), status
        rows = dict(self.rows().values_list("subscriber__email", "status"))
        assert set(rows.values()) <= FINAL, rows
        received = self.received()
        for email, row_status in rows.items():
            if row_status == "sent":
                assert received[email] >= 1, email
        if status == Issue.Status.SENT and self.killed_in_flight.total() == 0:
            assert {email for email, s in rows.items() if s == "sent"} == set(received)
        self.check_bounds()

    # Steps -------------------------------------------------------------------------

    @precondition(lambda self: self.status() == Issue.Status.DRAFT)
    @rule(busy=st.integers(0, MAX_ATTEMPTS + 1))
    def send_now(self, busy):
        self.server.busy[self.busy_email] = busy
        services.issue_send_now(issue_id=self.issue.pk)

    @precondition(lambda self: self.status() in (Issue.Status.DRAFT, Issue.Status.SCHEDULED))
    @rule(due=st.booleans())
    def schedule(self, due):
        when = timezone.now() + datetime.timedelta(hours=-1 if due else 1)
        services.issue_schedule(issue_id=self.issue.pk, when=when)

    @precondition(lambda self: self.status() == Issue.Status.SENDING)
    @rule()
    def pause(self):
        services.issue_pause(issue_id=self.issue.pk)

    @precondition(lambda self: self.status() == Issue.Status.PAUSED)
    @rule()
    def resume(self):
        services.issue_resume(issue_id=self.issue.pk)

    @precondition(lambda self: self.status() not in (Issue.Status.SENT, Issue.Status.CANCELLED))
    @rule()
    def cancel(self):
        services.issue_cancel(issue_id=self.issue.pk)

    @rule(size=st.integers(1, 5), pause_at=st.none() | st.integers(0, 3))
    def run_a_chunk(self, size, pause_at):
        self.chunk(size, pause_at=pause_at)

    @rule(size=st.integers(1, 5), kill_at=st.integers(0, 3), accepted=st.booleans())
    def kill_a_chunk(self, size, kill_at, accepted):
        self.chunk(size, kill_at=kill_at, kill_after_accept=accepted)

    @rule()
    def a_reader_kills_every_worker(self):
        """Their message kills whichever worker sends it, however often it is tried."""
        self.hooks.poison.add(self.last_email)

    @rule()
    def watchdog(self):
        services.newsletters_watchdog()

    @rule()
    def time_passes(self):
        """Backoffs end, dead workers' leases run out, a scheduled time comes."""
        long_ago = timezone.now() - datetime.timedelta(
            seconds=self.settings.NEWSLETTER_LEASE_SECONDS + 1
        )
        self.rows().filter(status="pending").update(next_attempt_at=None)
        self.rows().filter(status="sending").update(claimed_at=long_ago)
        Issue.objects.filter(pk=self.issue.pk, status=Issue.Status.SCHEDULED).update(
            scheduled_at=long_ago
        )

    # Invariants --------------------------------------------------------------------

    @invariant()
    def check_bounds(self):
        attempts = self.rows().values_list("attempts", flat=True)
        assert all(0 <= n <= MAX_ATTEMPTS for n in attempts), list(attempts)
        for email, copies in self.received().items():
            assert copies <= 1 + self.killed_in_flight[email], (email, copies)
        status = self.status()
        if status == Issue.Status.SENT:
            assert set(self.rows().values_list("status", flat=True)) <= FINAL


@pytest.fixture
def patched_engine(monkeypatch):
    """The SMTP backend's hand-over as the engine calls it, plus the kills and pauses a
    step asks for; a dying worker records nothing more (its marks and its giving back
    never happen)."""
    hooks = Hooks()
    hand_over = PipeliningSMTPBackend._hand_over
    backend_announce = PipeliningSMTPBackend._announce
    release = services._release
    flush = services._Marks.flush

    def announce(backend, sender, recipients, size):
        hooks.recipient = recipients[0]
        return backend_announce(backend, sender, recipients, size)

    def hand_over_or_die(backend, raw):
        index = hooks.handed
        hooks.handed += 1
        if hooks.recipient in hooks.poison:
            hooks.dying = True
            raise Killed
        if hooks.kill_at == index:
            hooks.dying = True
            if hooks.kill_after_accept:
                before = len(IssueLife.server.messages)
                hand_over(backend, raw)
                if len(IssueLife.server.messages) > before:
                    hooks.in_flight = IssueLife.server.messages[-1][0]
            raise Killed
        answer = hand_over(backend, raw)
        if hooks.pause_at == index:
            services.issue_pause(issue_id=hooks.issue_id)
        return answer

    def release_unless_dead(*args, **kwargs):
        if not hooks.dying:
            release(*args, **kwargs)

    def flush_unless_dead(self):
        if not hooks.dying:
            flush(self)

    monkeypatch.setattr(PipeliningSMTPBackend, "_announce", announce)
    monkeypatch.setattr(PipeliningSMTPBackend, "_hand_over", hand_over_or_die)
    monkeypatch.setattr(sending, "_release", release_unless_dead)
    monkeypatch.setattr(services._Marks, "flush", flush_unless_dead)
    return hooks


def test_every_issue_ends_nobody_gets_two_copies_and_attempts_stay_bounded(
    serve, settings, patched_engine
):
    settings.NEWSLETTER_MAX_ATTEMPTS = MAX_ATTEMPTS
    settings.NEWSLETTER_STATUS_CHECK_EVERY = 1
    IssueLife.server = serve(ScriptedServer())
    IssueLife.hooks = patched_engine
    IssueLife.settings = settings
    run_state_machine_as_test(
        IssueLife,
        settings=hypothesis_settings(
            max_examples=25,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
