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
script once a second. The workers send through the configured default, EMAIL_URL=smtp://
(common.mail.backends.PipeliningSMTPBackend).

Before and after a change, in the same run: --before DIR runs DIR's own copy of this
script first (a checkout of the engine before the change, e.g. `git worktree add
/tmp/bench-old <commit>`), then this tree's engine, and prints both in one table.
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
# The lines every version of this script ends with, read back from an older one's output.
RESULT_LINES = {
    "elapsed": re.compile(r"^elapsed: ([\d.]+) s; rate: (\d+) messages/s", re.M),
    "counts": re.compile(
        r"^duplicates: (\d+); losses: (\d+); unexpected: (\d+); misaddressed: (\d+)"
        r"(?:; failed: (\d+))?",
        re.M,
    ),
}


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
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the engine before a change: its own benchmark runs first",
    )
    args = parser.parse_args()
    if args.before is None:
        return 0 if clean(run(args)) else 1
    before = run_before(args)
    after = run(args)
    print_table([(f"before ({describe_tree(args.before)})", before),
                 (f"after ({describe_tree(REPO)})", after)])  # fmt: skip
    return 0 if clean(before) and clean(after) else 1


def clean(result):
    return not any(result[key] for key in ("duplicates", "losses", "unexpected", "misaddressed"))


def describe_tree(path):
    """The commit a tree is at, with "+ changes" when its files differ from it."""
    git = ["git", "-C", str(path)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "bench", "common",
                            "newsletters", "cpaor"]).returncode  # fmt: skip
    return f"{path} at {commit}{' + changes' if dirty else ''}"


def run_before(args):
    """The older engine's own benchmark, its output shown as it comes, its result read
    from the lines it ends with."""
    command = [sys.executable, str(args.before / "bench" / "newsletter_send.py"),
               "--subscribers", str(args.subscribers), "--workers", str(args.workers),
               "--chunk", str(args.chunk), "--timeout", str(args.timeout)]  # fmt: skip
    print(f"== before: {args.before}", flush=True)
    process = subprocess.run(command, cwd=args.before, capture_output=True, text=True)
    print(process.stdout + process.stderr, flush=True)
    elapsed = RESULT_LINES["elapsed"].search(process.stdout)
    counts = RESULT_LINES["counts"].search(process.stdout)
    if not (elapsed and counts):
        sys.exit(f"the benchmark in {args.before} printed no result (exit {process.returncode})")
    duplicates, losses, unexpected, misaddressed, failed = counts.groups()
    return {
        "elapsed": float(elapsed.group(1)),
        "rate": int(elapsed.group(2)),
        "duplicates": int(duplicates),
        "losses": int(losses),
        "unexpected": int(unexpected),
        "misaddressed": int(misaddressed),
        "failed": int(failed or 0),
    }


def print_table(results):
    columns = ["elapsed", "rate", "duplicates", "losses", "unexpected", "misaddressed", "failed"]
    print()
    print("| engine | elapsed (s) | messages/s | duplicates | losses | unexpected "
          "| misaddressed | failed |")  # fmt: skip
    print("| --- |" + " ---: |" * len(columns))
    for name, result in results:
        cells = [f"{result['elapsed']:.1f}", *(str(result[key]) for key in columns[1:])]
        print(f"| {name} | " + " | ".join(cells) + " |")


def run(args):
    """Send the issue through this tree's engine; print and return the figures."""
    print(f"== after: {REPO}", flush=True)
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
    from devstack.processes import free_port

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
        f"misaddressed: {misaddressed}; failed: {failed}",
        flush=True,
    )
    return {
        "elapsed": elapsed,
        "rate": round(received / elapsed),
        "duplicates": duplicates,
        "losses": losses,
        "unexpected": strangers,
        "misaddressed": misaddressed,
        "failed": failed,
    }


if __name__ == "__main__":
    sys.exit(main())
