"""Newsletter delivery end to end: real Celery workers (subprocesses, solo pool) on a Redis
database and queue of their own (db 10), a real aiosmtpd server (MailSink) in this
process, and the test database shared with the workers.

The watchdog is what Celery beat runs every NEWSLETTER_WATCHDOG_SECONDS; here the test
calls the same service every half second instead of running beat, so that each test
decides when it runs (tests/newsletters/test_services.py checks the beat schedule).
"""

import collections
import logging
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

from devstack import workers as celery_workers
from devstack.mailsink import MailSink
from devstack.processes import free_port, make_preexec
from newsletters import services
from newsletters.models import Delivery, Issue, Subscriber
from tests.newsletters.factories import IssueFactory, NewsletterListFactory, bulk_subscribers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
# Short leases and chunks, so that a dead worker's rows come back within seconds.
ENGINE = {
    "NEWSLETTER_CHUNK_SIZE": "40",
    "NEWSLETTER_CHUNK_SECONDS": "1.5",
    "NEWSLETTER_LEASE_SECONDS": "4",
    "NEWSLETTER_STALL_SECONDS": "2",
    "NEWSLETTER_RETRY_SECONDS": "0.5",
    "NEWSLETTER_PARALLEL_CHUNKS": "2",
    "NEWSLETTER_MARK_BATCH": "1",
    "NEWSLETTER_STATUS_CHECK_EVERY": "5",
}


def redis_url(database, port=None):
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    if port is not None:
        parts = parts._replace(netloc=f"127.0.0.1:{port}")
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def queue():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"test-news-{worker}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def broker_url():
    url = redis_url(10)
    redis.Redis.from_url(url).ping()
    return url


@pytest.fixture
def engine(settings, broker_url, queue):
    """This process's settings match the workers': the watchdog it runs nudges them."""
    settings.CELERY_BROKER_URL = broker_url
    settings.NEWSLETTER_QUEUE = queue
    settings.NEWSLETTER_RATE_KEY = f"{queue}:rate"
    for name, value in ENGINE.items():
        setattr(settings, name, float(value) if "." in value else int(value))
    return settings


@pytest.fixture
def sink():
    # aiosmtpd logs every SMTP command; thousands of lines would slow this process.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with MailSink() as server:
        yield server


@pytest.fixture
def workers(tmp_path, queue, broker_url):
    started = []

    def start(email_url, rate=0, broker=None, extra=None):
        broker = broker or broker_url
        number = len(started) + 1
        env = {
            **os.environ,
            **ENGINE,
            "DATABASE_URL": celery_workers.database_url(connection),
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "EMAIL_URL": email_url,
            "SITE_URL": "http://testserver",
            "NEWSLETTER_QUEUE": queue,
            "NEWSLETTER_RATE_KEY": f"{queue}:rate",
            "NEWSLETTER_RATE_PER_SECOND": str(rate),
            **(extra or {}),
        }
        log = tmp_path / f"worker-{number}.log"
        process = celery_workers.start_worker(
            queue=queue, name=f"{queue}-{number}", env=env, log=log, quiet=True,
            death=signal.SIGKILL,
        )  # fmt: skip
        started.append((process, log))
        return process

    start.logs = lambda: "\n".join(log.read_text()[-3000:] for _, log in started)
    yield start
    for process, _log in started:
        celery_workers.stop_worker(process)
    celery_workers.forget_queue(broker_url, queue)


def make_issue(statuses, language="en", prefix="reader"):
    newsletter = NewsletterListFactory(language=language)
    ids = bulk_subscribers(newsletter, statuses, prefix=f"{prefix}-{uuid.uuid4().hex[:6]}")
    issue = IssueFactory(newsletter=newsletter, subject=f"News {language}")
    confirmed = dict(
        Subscriber.objects.filter(pk__in=ids.get("confirmed", [])).values_list("email", "pk")
    )
    others = set(
        Subscriber.objects.filter(subscriptions__newsletter=newsletter)
        .exclude(status="confirmed")
        .values_list("email", flat=True)
    )
    return issue, confirmed, others


def recipients(sink, issue):
    mine = [m for m in list(sink.messages) if m["Subject"] == issue.subject]
    return collections.Counter(m["X-Envelope-To"] for m in mine), mine


def sent_count(sink, issue):
    return sum(1 for m in list(sink.messages) if m["Subject"] == issue.subject)


def wait_until(predicate, timeout, what, logs=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}\n{logs()}")


def drive(issue, timeout, logs):
    """Run the watchdog (as beat would) until the issue is sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.newsletters_watchdog()
        issue.refresh_from_db()
        if issue.status == Issue.Status.SENT:
            return
        time.sleep(0.5)
    counts = services.issue_progress(issue.pk)
    pytest.fail(f"issue not sent in {timeout}s: {counts}\n{logs()}")


def assert_exactly_once(sink, issue, confirmed, others):
    counts, _ = recipients(sink, issue)
    missing = set(confirmed) - set(counts)
    twice = {address: n for address, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} confirmed subscribers got nothing"
    assert not twice, f"sent more than once: {twice}"
    assert not set(counts) & others, "an unconfirmed subscriber was mailed"
    assert set(counts) == set(confirmed)
    assert Delivery.objects.filter(issue=issue, status="sent").count() == len(confirmed)


MIXED = ["confirmed"] * 700 + ["pending"] * 100 + ["unsubscribed"] * 100 + ["bounced"] * 100


def test_each_confirmed_subscriber_of_the_list_gets_exactly_one_message(engine, sink, workers):
    issue, confirmed, others = make_issue(MIXED)
    # Confirmed subscribers of another list get nothing of this issue.
    bystanders, _, _ = make_issue(["confirmed"] * 50, prefix="bystander")
    workers(sink.url)
    workers(sink.url)
    started = time.monotonic()
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 60, workers.logs)
    elapsed = time.monotonic() - started
    assert_exactly_once(sink, issue, confirmed, others)
    assert not Delivery.objects.filter(issue=bystanders).exists()
    print(f"\n{len(confirmed)} messages by 2 workers in {elapsed:.1f}s")

    _, messages = recipients(sink, issue)
    for message in messages[:50]:
        subscriber_id = confirmed[message["X-Envelope-To"]]
        assert message["Message-ID"] == f"<issue-{issue.pk}.{subscriber_id}@testserver>"
        assert message["List-Id"] == f"{issue.newsletter.name} <{issue.newsletter.slug}.testserver>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"].strip()
        assert unsubscribe.startswith("<http://testserver/en/newsletters/unsubscribe/")
        assert message.is_multipart()
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>") in html
        assert "http://testserver/en/newsletters/preferences/" in html
        assert 'href="http://testserver/en/initiatives/"' in html
        assert 'lang="en" dir="ltr"' in html
    first = confirmed[messages[0]["X-Envelope-To"]]
    stored = Delivery.objects.get(issue=issue, subscriber_id=first)
    assert stored.message_id == messages[0]["Message-ID"]


def test_another_backend_named_for_newsletters_delivers_each_copy_once(engine, sink, workers):
    """NEWSLETTER_EMAIL_BACKEND names Django's own SMTP backend instead of the default
    (common.mail.backends.PipeliningSMTPBackend): the workers send through it, one
    message at a time, and every reader still gets exactly one copy."""
    issue, confirmed, others = make_issue(["confirmed"] * 60 + ["pending"] * 5)
    workers(
        sink.url,
        extra={"NEWSLETTER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    )
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 30, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)


def test_arabic_issue_is_right_to_left(engine, sink, workers):
    issue, confirmed, others = make_issue(["confirmed"] * 5 + ["pending"], language="ar")
    workers(sink.url)
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 30, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)
    _, messages = recipients(sink, issue)
    html = messages[0].get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html
    assert "/ar/newsletters/unsubscribe/" in messages[0]["List-Unsubscribe"]


def test_a_worker_stopped_mid_send_and_replaced_leaves_exactly_one_each(engine, sink, workers):
    issue, confirmed, others = make_issue(MIXED)
    first = workers(sink.url, rate=250)
    services.issue_send_now(issue_id=issue.pk)
    wait_until(lambda: sent_count(sink, issue) >= 150, 30, "the first messages", workers.logs)
    first.send_signal(signal.SIGTERM)
    first.wait(30)
    stopped_at = sent_count(sink, issue)
    assert stopped_at < len(confirmed), "the send finished before the worker was stopped"
    workers(sink.url, rate=250)
    drive(issue, 60, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)
    print(f"\nSIGTERM after {stopped_at} of {len(confirmed)}; no duplicates")


def test_a_worker_killed_mid_send_misses_nobody_and_repeats_at_most_one(engine, sink, workers):
    issue, confirmed, others = make_issue(MIXED)
    first = workers(sink.url, rate=250)
    services.issue_send_now(issue_id=issue.pk)
    wait_until(lambda: sent_count(sink, issue) >= 150, 30, "the first messages", workers.logs)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = sent_count(sink, issue)
    in_flight = Delivery.objects.filter(issue=issue, status="sending").count()
    assert killed_at < len(confirmed), "the send finished before the worker was killed"
    workers(sink.url, rate=250)
    drive(issue, 60, workers.logs)

    counts, messages = recipients(sink, issue)
    missing = set(confirmed) - set(counts)
    duplicates = sum(n - 1 for n in counts.values())
    print(
        f"\nSIGKILL after {killed_at} of {len(confirmed)}: {in_flight} rows claimed, "
        f"{duplicates} duplicate(s), {len(missing)} missed"
    )
    assert not missing
    assert not set(counts) & others
    # Only a message accepted in the instant before the kill could be recorded can be
    # repeated: NEWSLETTER_MARK_BATCH (1) per killed worker.
    assert duplicates <= 1
    for address, n in counts.items():
        if n > 1:
            ids = {m["Message-ID"] for m in messages if m["X-Envelope-To"] == address}
            assert len(ids) == 1, "a repeated message must carry the same Message-ID"


def test_pause_then_resume_sends_nobody_twice(engine, sink, workers):
    issue, confirmed, others = make_issue(MIXED)
    workers(sink.url, rate=250)
    services.issue_send_now(issue_id=issue.pk)
    wait_until(lambda: sent_count(sink, issue) >= 150, 30, "the first messages", workers.logs)
    services.issue_pause(issue_id=issue.pk)
    # Workers notice within NEWSLETTER_STATUS_CHECK_EVERY messages and give back rows.
    wait_until(
        lambda: not Delivery.objects.filter(issue=issue, status="sending").exists(),
        10,
        "claims to be given back",
        workers.logs,
    )
    paused_at = sent_count(sink, issue)
    time.sleep(1.5)
    services.newsletters_watchdog()  # the watchdog leaves a paused issue alone
    time.sleep(1)
    assert sent_count(sink, issue) == paused_at
    assert paused_at < len(confirmed)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    services.issue_resume(issue_id=issue.pk)
    drive(issue, 60, workers.logs)
    assert_exactly_once(sink, issue, confirmed, others)
    print(f"\npaused after {paused_at} of {len(confirmed)}; no duplicates after resuming")


class _Flaky:
    """Answers 451 (try again later) to the first `refuse` messages, then accepts."""

    def __init__(self, sink, refuse):
        self.sink = sink
        self.refuse = refuse
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        self.sink._store(envelope)
        return "250 Message accepted for delivery"


def test_temporary_smtp_failures_are_retried_until_accepted(engine, sink, workers):
    issue, confirmed, others = make_issue(["confirmed"] * 60 + ["pending"] * 5)
    flaky = _Flaky(sink, refuse=45)
    port = free_port()
    controller = Controller(flaky, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        workers(f"smtp://127.0.0.1:{port}")
        services.issue_send_now(issue_id=issue.pk)
        drive(issue, 60, workers.logs)
    finally:
        controller.stop()
    assert flaky.refused == 45
    assert_exactly_once(sink, issue, confirmed, others)
    # Every claim counts as an attempt: a row tried again has more than one.
    retried = Delivery.objects.filter(issue=issue, attempts__gt=1).count()
    assert retried > 0
    print(f"\n{flaky.refused} answers 451; {retried} rows retried with backoff; all delivered")


def test_permanent_smtp_failures_are_marked_failed_and_the_issue_finishes(engine, sink, workers):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("refused"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            sink._store(envelope)
            return "250 OK"

    issue, confirmed, others = make_issue(["confirmed"] * 10)
    refused = list(confirmed)[:3]
    for email in refused:
        Subscriber.objects.filter(email=email).update(email="refused-" + email)
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        workers(f"smtp://127.0.0.1:{port}")
        services.issue_send_now(issue_id=issue.pk)
        drive(issue, 30, workers.logs)
    finally:
        controller.stop()
    counts, _ = recipients(sink, issue)
    assert set(counts) == set(confirmed) - set(refused)
    assert Delivery.objects.filter(issue=issue, status="failed").count() == 3
    assert Subscriber.objects.filter(status="bounced").count() == 3


def test_ten_unsendable_readers_among_a_thousand_stop_nobody(engine, sink, workers):
    """Rows stored before names and addresses were checked: names with a line break
    (a header injection), addresses whose domain cannot be encoded or that are not
    addresses at all. Each fails alone with its reason; the 990 others get the issue
    exactly once and the issue ends, within a bounded time."""
    issue, confirmed, others = make_issue(["confirmed"] * 1000)
    emails = sorted(confirmed, key=confirmed.get)
    broken_names = emails[5:1000:200]  # 5, spread over every chunk
    for email in broken_names:
        Subscriber.objects.filter(email=email).update(name="Bob\r\nBcc: x@evil.test")
    bad_addresses = {
        emails[50]: "reader@" + "ü" * 64 + ".org",
        emails[350]: "reader@" + "é" * 70 + ".example",
        emails[650]: "reader@exa..mple.org",
        emails[850]: "reader@two@signs.org",
        emails[999]: "réader@" + "ñ" * 64 + ".es",
    }
    for email, bad in bad_addresses.items():
        Subscriber.objects.filter(email=email).update(email=bad)
    unsendable = {*broken_names, *bad_addresses.values()}
    good = set(confirmed) - set(broken_names) - set(bad_addresses)
    assert (len(good), len(unsendable)) == (990, 10)
    workers(sink.url)
    workers(sink.url)
    started = time.monotonic()
    services.issue_send_now(issue_id=issue.pk)
    drive(issue, 90, workers.logs)
    elapsed = time.monotonic() - started

    counts, _ = recipients(sink, issue)
    assert set(counts) == good
    assert set(counts.values()) == {1}, "a reader got the issue twice"
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 990
    failed = dict(
        Delivery.objects.filter(issue=issue, status="failed").values_list(
            "subscriber__email", "last_error"
        )
    )
    assert set(failed) == unsendable
    for email in broken_names:
        assert "U+000D, U+000A" in failed[email]
    for bad in bad_addresses.values():
        assert failed[bad].startswith(("UnicodeError: ", "ValueError: Invalid address"))
    assert not Delivery.objects.filter(issue=issue, attempts__gt=1).exists()
    assert elapsed < 60
    print(f"\n990 delivered and 10 failed of 1,000 by 2 workers in {elapsed:.1f}s")


def test_a_redis_restart_mid_send_loses_nobody(engine, settings, sink, workers, tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not on PATH")
    port = free_port()

    def start_redis():
        return subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=make_preexec(signal.SIGKILL, new_group=False),
        )

    server = start_redis()
    broker = redis_url(0, port=port)
    try:
        wait_until(lambda: _pings(broker), 10, "redis-server")
        settings.CELERY_BROKER_URL = broker
        issue, confirmed, others = make_issue(MIXED)
        workers(sink.url, rate=250, broker=broker)
        services.issue_send_now(issue_id=issue.pk)
        wait_until(lambda: sent_count(sink, issue) >= 150, 30, "the first messages", workers.logs)
        server.kill()  # Redis keeps nothing on disk here: every queued task is gone
        server.wait()
        time.sleep(1)
        server = start_redis()
        wait_until(lambda: _pings(broker), 10, "redis-server again")
        restarted_at = sent_count(sink, issue)
        drive(issue, 60, workers.logs)
        assert_exactly_once(sink, issue, confirmed, others)
        print(f"\nRedis restarted after {restarted_at} of {len(confirmed)}; no loss, no duplicate")
    finally:
        server.kill()
        server.wait()


def _pings(url):
    try:
        return redis.Redis.from_url(url, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False
