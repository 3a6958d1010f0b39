"""`make bench`: the portal's figures on this machine, as one table.

    make bench                      # everything (several minutes)
    make bench BENCH_ARGS=--quick   # smaller sizes, for a first look
    make bench BENCH_ARGS="--quick --only web"   # the web pages alone

1. Web: a fresh database (cpaor_bench_web on DATABASE_URL's server) with the starting
   content, static files collected, two gunicorns with one sync worker per core, one with
   the page cache and one without. For each page type, requests per second from
   concurrent clients for a few seconds, with connections kept alive and with a new one
   per request, warm cache and uncached, p50/p95 latency, and the ratio to a static file
   served by the same gunicorn in the same run, which factors out the machine and the
   client.
2. Bytes per page type: HTML plus the CSS and JS it links, raw, gzip and brotli.
3. Search at 100,000 resources: bench/resources_search.py.
4. Newsletter delivery to 50,000 subscribers: bench/newsletter_send.py.

Nothing here is asserted: the figures are printed (and kept in bench/results/, which git
ignores). Nothing in the repository changes.
"""

import argparse
import asyncio
import gzip
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import brotli

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from databases import drop_database, recreate_database  # noqa: E402
from machine import describe  # noqa: E402

from devstack.processes import free_port, make_preexec  # noqa: E402

PYTHON = sys.executable
PAGES = [
    ("home", "/en/"),
    ("initiative list", "/en/initiatives/"),
    ("initiative detail", "/en/initiatives/government-leadership-engagement/"),
    ("resource list", "/en/resources/"),
    ("search", "/en/resources/?q=coordination"),
    ("home (Arabic)", "/ar/"),
]


def web_environment(tmp, db_url):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="cpaor.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        RATELIMIT_ENABLED="0",
        # Pages kept by an earlier run, from another database, must not answer this one.
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what a current browser sends


def request_bytes(host, path, keep_alive):
    connection = "keep-alive" if keep_alive else "close"
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: {connection}\r\n"
        f"Accept-Encoding: {BROWSER_ENCODINGS}\r\n\r\n"
    ).encode()


async def read_response(reader):
    """(status, server keeps the connection) of one response, its body read whole."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0][9:12]) if lines[0].startswith("HTTP/1.") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:  # no length: the body ends with the connection
        await reader.read()
        return status, False
    return status, headers.get("connection", "").lower() != "close"


async def load(host, port, path, seconds, concurrency, keep_alive):
    """Requests per second from `concurrency` clients for `seconds`; with keep_alive each
    client reuses its connection for as long as the server keeps it open."""
    latencies, errors, connections = [], 0, 0
    stop_at = time.monotonic() + seconds

    async def client():
        nonlocal errors, connections
        reader = writer = None
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    connections += 1
                writer.write(request_bytes(host, path, keep_alive))
                await writer.drain()
                status, kept = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError):
                status, kept = 0, False
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
            if not (keep_alive and kept):
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.monotonic() - began
    return elapsed, latencies, errors, connections


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def fetch(url, encoding="identity"):
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def page_weight(base, path):
    """Bytes of the HTML and of the CSS and JS it links: raw, gzip (level 6) and brotli
    as each is sent: the page at the portal's quality (4), the files precompressed at
    collectstatic (11)."""
    html = fetch(base + path)
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', html)
    raw, packed, br = len(html), len(gzip.compress(html, 6)), len(brotli.compress(html, quality=4))
    for asset in assets:
        body = fetch(base + asset.decode())
        raw += len(body)
        packed += len(gzip.compress(body, 6))
        br += len(brotli.compress(body, quality=11))
    return raw, packed, br


def start_server(env, workers, worker_class):
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "cpaor.wsgi", "--workers", str(workers),
         "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=REPO, env=env, preexec_fn=make_preexec(signal.SIGTERM, new_group=False),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(f"http://127.0.0.1:{port}/en/")
            return server, port
        except OSError:  # not listening yet
            if time.monotonic() > deadline:
                server.terminate()
                raise
            time.sleep(0.3)


ROUNDS = 4  # slices of each figure, the static file's and the page's taken in turn


def measure(port, path, static_path, seconds, concurrency, keep_alive):
    """The page's figures and its ratio to the static file on the same server, measured
    in turns (static, page, static, page ...) so that both see the same machine: on a
    shared one the load moves within seconds, and a ratio of figures taken apart moves
    with it."""
    for _ in range(5):  # warm the caches and the worker
        fetch(f"http://127.0.0.1:{port}{path}", BROWSER_ENCODINGS)
    totals = {"page": [0.0, [], 0, 0], "static": [0.0, [], 0, 0]}
    for _ in range(ROUNDS):
        for kind, target in (("static", static_path), ("page", path)):
            elapsed, latencies, errors, connections = asyncio.run(
                load("127.0.0.1", port, target, seconds / ROUNDS, concurrency, keep_alive)
            )
            total = totals[kind]
            total[0] += elapsed
            total[1] += latencies
            total[2] += errors
            total[3] += connections
    elapsed, latencies, errors, connections = totals["page"]
    static_rps = len(totals["static"][1]) / totals["static"][0]
    rps = len(latencies) / elapsed
    return {
        "rps": rps,
        "static_rps": static_rps,
        "ratio": rps / static_rps if static_rps else float("nan"),
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "errors": errors,
        "connections": connections,
    }


def web_bench(args):
    """Two gunicorns on the same database, one with the page cache and one without
    (PAGE_CACHE_SECONDS=0), measured one after the other, each page with a new
    connection per request and with connections kept alive, each against the static
    file on the same server."""
    name = os.environ.get("BENCH_WEB_DATABASE", "cpaor_bench_web")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cpaor-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = web_environment(tmp, recreate_database(name))
        print("web: migrating, loading the starting content, collecting static files ...")
        manage(env, "migrate", "--noinput")
        manage(env, "load_starting_content")
        manage(env, "collectstatic", "--noinput")
        cached, cached_port = start_server(env, args.workers, args.worker_class)
        uncached, uncached_port = start_server(
            {**env, "PAGE_CACHE_SECONDS": "0"}, args.workers, args.worker_class
        )
        base = f"http://127.0.0.1:{cached_port}"
        try:
            css = re.search(rb'href="(/static/css/portal[^"]+\.css)"', fetch(base + "/en/"))
            static_path = css.group(1).decode()
            for label, path in PAGES:
                row = {"label": label, "path": path}
                for keep_alive in (True, False):
                    mode = "alive" if keep_alive else "new"
                    for server, port in (("cached", cached_port), ("uncached", uncached_port)):
                        row[f"{server}_{mode}"] = measure(
                            port, path, static_path, args.seconds, args.concurrency, keep_alive
                        )
                row["weight"] = page_weight(base, path)
                rows.append(row)
                print(
                    f"  {label:<22} {row['cached_alive']['ratio']:5.2f} of the static file "
                    f"kept alive, {row['cached_new']['ratio']:5.2f} new connections"
                )
        finally:
            for server in (cached, uncached):
                server.terminate()
                server.wait(30)
            drop_database(name)
    return rows


def run_script(script, args):
    """Run a helper benchmark; its own output is printed as it comes and returned."""
    path = REPO / "bench" / script
    if not path.exists():
        return f"({script} is missing)\n"
    print(f"\n$ python bench/{script} {' '.join(args)}")
    process = subprocess.Popen(
        [PYTHON, str(path), *args], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    for line in process.stdout:
        print("  " + line, end="")
        lines.append(line)
    process.wait()
    if process.returncode:
        lines.append(f"(exited with {process.returncode})\n")
    return "".join(lines)


def machine():
    cores = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = "unknown CPU"
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cores} cores ({model}){memory}, Python {sys.version.split()[0]}"


def report(rows, search_output, newsletter_output, args):
    lines = [
        f"CP AoR portal benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine: {machine()}",
        describe(),
        "Load average (1, 5, 15 min) at the end: " + ", ".join(f"{n:.1f}" for n in os.getloadavg()),
        f"gunicorn: {args.workers} {args.worker_class} workers; {args.concurrency} concurrent "
        f"clients, {args.seconds:g} s per figure; Accept-Encoding: {BROWSER_ENCODINGS}",
        "",
        "Requests per second, and the ratio to the static file (the stylesheet, through",
        "WhiteNoise) on the same server, measured in turns with the page. 'cached': the",
        "page cache warm (anonymous pages from Redis); 'uncached': a second gunicorn with",
        "PAGE_CACHE_SECONDS=0. 'alive': each client keeps its connection while the server",
        "does (sync workers close each one: 'conns' counts the connections opened for the",
        "cached page); 'new': a new connection per request.",
        "",
        f"{'page':<22} {'mode':<5} {'static':>7} {'cached':>7} {'ratio':>6} {'uncached':>8} "
        f"{'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} {'conns':>6} {'errors':>6}",
    ]
    for row in rows:
        for mode in ("alive", "new"):
            cached, uncached = row[f"cached_{mode}"], row[f"uncached_{mode}"]
            lines.append(
                f"{row['label'] if mode == 'alive' else '':<22} {mode:<5} "
                f"{cached['static_rps']:7.1f} {cached['rps']:7.1f} {cached['ratio']:6.2f} "
                f"{uncached['rps']:8.1f} {uncached['ratio']:6.2f} {cached['p50']:7.1f} "
                f"{cached['p95']:7.1f} {cached['connections']:6d} "
                f"{cached['errors'] + uncached['errors']:6d}"
            )
    lines += ["", f"{'page':<22} {'bytes':>8} {'gzip':>7} {'brotli':>7}"]
    for row in rows:
        raw, packed, br = row["weight"]
        lines.append(f"{row['label']:<22} {raw:8,} {packed:7,} {br:7,}")
    lines += [
        "",
        "bytes: the HTML plus the CSS and JS it links; gzip at level 6; brotli as sent (the",
        "page at quality 4, as the portal compresses it; the files at 11, precompressed).",
        "",
        "Search and facets at scale (bench/resources_search.py):",
        search_output.rstrip(),
        "",
        "Newsletter delivery (bench/newsletter_send.py):",
        newsletter_output.rstrip(),
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter runs")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn's: sync (the image's) or gthread"
    )
    parser.add_argument("--only", choices=["web", "search", "newsletter"], action="append")
    args = parser.parse_args()
    args.seconds = args.seconds or (2.0 if args.quick else 6.0)
    parts = args.only or ["web", "search", "newsletter"]

    rows = web_bench(args) if "web" in parts else []
    search_args = ["--resources", "10000"] if args.quick else []
    news_args = ["--subscribers", "5000"] if args.quick else []
    search = run_script("resources_search.py", search_args) if "search" in parts else ""
    newsletter = run_script("newsletter_send.py", news_args) if "newsletter" in parts else ""

    text = report(rows, search, newsletter, args) if rows else search + newsletter
    print("\n" + text)
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.txt").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
