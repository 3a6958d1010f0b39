"""Benchmark: send one newsletter issue to 50,000 subscribers through real Celery workers
into a local SMTP server that only counts, then print messages per second, duplicates and
losses.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpaor REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/newsletter_send.py [--subscribers 50000] [--workers 2]

It creates (and drops first) its own database, cpaor_bench_news, on DATABASE_URL's server;
uses Redis database 9 and a queue of its own; the SMTP sink (aiosmtpd) runs in a separate
process, counting each (Message-ID, envelope recipient) in memory, writing nothing to
disk; a copy whose recipient is not the subscriber of its Message-ID counts as
misaddressed. The watchdog (what Celery beat runs in production) is called from this
script once a second.
"""

import argparse
import collections
import json
import logging
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from databases import recreate_database, with_path
from machine import describe

REPO = Path(__file__).resolve().parents[1]
BENCH_DB = "cpaor_bench_news"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.M | re.I)


def sink_main(port, ready, result_path):
    """A counting SMTP server: (Message-ID, envelope recipient) -> times received, kept in
    memory."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    counts = collections.Counter()

    from devstack.mailsink import offer_pipelining

    class Counting:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            return offer_pipelining(responses)

        async def handle_DATA(self, server, session, envelope):
            match = MESSAGE_ID.search(envelope.original_content or b"")
            message_id = match.group(1).decode() if match else "?"
            for recipient in envelope.rcpt_tos:
                counts[message_id, recipient] += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    # A threading.Event: a multiprocessing one deadlocks when set from a signal handler
    # while wait() holds its lock.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ready.set()
    while not stop.wait(0.2):
        pass
    controller.stop()
    Path(result_path).write_text(json.dumps([[*key, n] for key, n in counts.items()]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    database_url = recreate_database(BENCH_DB)
    broker = with_path(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 9)
    queue = f"bench-news-{os.getpid()}"
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        NEWSLETTER_QUEUE=queue,
        NEWSLETTER_CHUNK_SIZE=str(args.chunk),
        NEWSLETTER_PARALLEL_CHUNKS=str(args.workers),
        NEWSLETTER_RATE_PER_SECOND="0",
        NEWSLETTER_RATE_KEY=f"{queue}:rate",
        DJANGO_SETTINGS_MODULE="cpaor.settings",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(REPO))

    print(f"database {BENCH_DB} (created afresh); broker {broker}; queue {queue}", flush=True)
    print(describe(), flush=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, check=True)

    import django

    django.setup()
    from django.db import connection

    from newsletters import services
    from newsletters.models import Delivery, Issue, NewsletterList

    newsletter = NewsletterList.objects.create(
        name_en="Global Newsletter", slug="global", language="en"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletters_subscriber
                (email, name, language, status, token, created, updated)
            SELECT 'reader' || n || '@example.org', 'Reader ' || n, 'en', 'confirmed',
                   md5(random()::text || n), now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [args.subscribers],
        )
        cursor.execute(
            """
            INSERT INTO newsletters_subscription (subscriber_id, newsletter_id, created)
            SELECT id, %s, now() FROM newsletters_subscriber
            """,
            [newsletter.pk],
        )
    issue = Issue.objects.create(
        newsletter=newsletter,
        subject="Benchmark issue",
        preheader="Fifty thousand readers",
        body="<p>News of the CP AoR.</p>" * 20,
    )
    # Message-ID -> the address that, and only that, must receive it.
    expected = {
        f"<issue-{issue.pk}.{pk}@localhost>": email
        for pk, email in newsletter.subscribers.values_list("pk", "email")
    }

    from devstack import workers as celery_workers
    from devstack.embedded import free_port

    port = free_port()
    result_path = Path(tempfile.gettempdir()) / f"{queue}.json"
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=sink_main, args=(port, ready, str(result_path)))
    sink.start()
    ready.wait(10)

    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "SITE_URL": "http://localhost"}
    workers = [
        celery_workers.start_worker(
            queue=queue,
            name=f"{queue}-{n}",
            env=env,
            loglevel="warning",
            quiet=True,
            log=Path(tempfile.gettempdir()) / f"{queue}-{n}.log",  # not the benchmark's table
        )
        for n in range(args.workers)
    ]
    try:
        time.sleep(3)  # let the workers connect before the clock starts
        started = time.monotonic()
        services.issue_send_now(issue_id=issue.pk)
        deadline = started + args.timeout
        last = 0
        while time.monotonic() < deadline:
            services.newsletters_watchdog()
            issue.refresh_from_db()
            if issue.status == Issue.Status.SENT:
                break
            sent = Delivery.objects.filter(issue=issue, status="sent").count()
            if time.monotonic() - last > 5:
                rate = sent / (time.monotonic() - started)
                print(f"  {sent} sent, {rate:.0f} msg/s so far", flush=True)
                last = time.monotonic()
            time.sleep(1)
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        celery_workers.forget_queue(broker, queue)
        sink.terminate()
        sink.join(30)

    rows = json.loads(result_path.read_text())
    result_path.unlink()
    counts = collections.Counter()  # Message-ID -> messages received
    misaddressed = 0  # copies that went to an address other than their subscriber's
    for message_id, recipient, n in rows:
        counts[message_id] += n
        if message_id in expected and recipient != expected[message_id]:
            misaddressed += n
    received = sum(counts.values())
    duplicates = received - len(counts)
    losses = len(expected.keys() - counts.keys())
    strangers = len(counts.keys() - expected.keys())
    failed = Delivery.objects.filter(issue=issue, status="failed").count()
    print(f"issue status: {issue.status}")
    print(f"subscribers: {len(expected)}; messages received: {received}; workers: {args.workers}")
    print(f"elapsed: {elapsed:.1f} s; rate: {received / elapsed:.0f} messages/s")
    print(
        f"duplicates: {duplicates}; losses: {losses}; unexpected: {strangers}; "
        f"misaddressed: {misaddressed}; failed: {failed}"
    )
    return 0 if not (duplicates or losses or strangers or misaddressed) else 1


if __name__ == "__main__":
    sys.exit(main())
