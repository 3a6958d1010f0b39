"""`make bench`: the portal's figures on this machine, as one table.

    make bench                      # everything (several minutes)
    make bench BENCH_ARGS=--quick   # smaller sizes, for a first look

1. Web: a fresh database (cpaor_bench_web on DATABASE_URL's server) with the starting
   content, static files collected, gunicorn with one sync worker per core. For each page
   type, requests per second from concurrent clients for a few seconds, p50/p95 latency,
   and the ratio to a static file served by the same gunicorn in the same run, which
   factors out the machine and the client.
2. Bytes per page type: HTML plus the CSS and JS it links, raw and gzip.
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
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


async def one_request(host, port, path):
    """One HTTP/1.1 request on a new connection (gunicorn's sync workers close it)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        "Accept-Encoding: identity\r\n\r\n".encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status


async def load(host, port, path, seconds, concurrency):
    latencies, errors = [], 0
    stop_at = time.monotonic() + seconds

    async def client():
        nonlocal errors
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = await one_request(host, port, path)
            except OSError:
                status = 0
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.monotonic() - began
    return len(latencies) / elapsed, latencies, errors


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def page_weight(base, path):
    """Bytes of the HTML and of the CSS and JS it links: (raw, gzip)."""
    html = fetch(base + path)
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', html)
    raw = len(html)
    compressed = len(gzip.compress(html, 6))
    for asset in assets:
        body = fetch(base + asset.decode())
        raw += len(body)
        compressed += len(gzip.compress(body, 6))
    return raw, compressed, len(assets)


def web_bench(seconds, concurrency, workers):
    name = "cpaor_bench_web"
    rows = []
    with tempfile.TemporaryDirectory(prefix="cpaor-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = web_environment(tmp, recreate_database(name))
        print("web: migrating, loading the starting content, collecting static files ...")
        manage(env, "migrate", "--noinput")
        manage(env, "load_starting_content")
        manage(env, "collectstatic", "--noinput")
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "cpaor.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=REPO, env=env, preexec_fn=make_preexec(signal.SIGTERM, new_group=False),
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fetch(base + "/en/")
                    break
                except OSError:  # not listening yet
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            css = re.search(rb'href="(/static/css/portal[^"]+\.css)"', fetch(base + "/en/"))
            static_path = css.group(1).decode()
            targets = [("static file (CSS)", static_path), *PAGES]
            for label, path in targets:
                for _ in range(5):  # warm the caches and the worker
                    fetch(base + path)
                rps, latencies, errors = asyncio.run(
                    load("127.0.0.1", port, path, seconds, concurrency)
                )
                rows.append(
                    {
                        "label": label,
                        "path": path,
                        "rps": rps,
                        "p50": percentile(latencies, 0.5) * 1000,
                        "p95": percentile(latencies, 0.95) * 1000,
                        "errors": errors,
                        "weight": page_weight(base, path) if path != static_path else None,
                    }
                )
                print(f"  {label:<22} {rps:8.1f} req/s")
        finally:
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
    static = next(row for row in rows if row["label"].startswith("static"))
    lines = [
        f"CP AoR portal benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine: {machine()}",
        describe(),
        f"gunicorn: {args.workers} sync workers; {args.concurrency} concurrent clients, "
        f"{args.seconds:g} s per page; new connection per request",
        "",
        f"{'page':<22} {'req/s':>8} {'vs static':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'errors':>6} {'bytes':>8} {'gzip':>7}",
    ]
    for row in rows:
        ratio = row["rps"] / static["rps"] if static["rps"] else float("nan")
        weight = row["weight"]
        raw, packed = (f"{weight[0]:,}", f"{weight[1]:,}") if weight else ("", "")
        lines.append(
            f"{row['label']:<22} {row['rps']:8.1f} {ratio:9.2f} {row['p50']:8.1f} "
            f"{row['p95']:8.1f} {row['errors']:6d} {raw:>8} {packed:>7}"
        )
    lines += [
        "",
        "bytes: the HTML plus the CSS and JS it links (gzip at level 6).",
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
    parser.add_argument("--only", choices=["web", "search", "newsletter"], action="append")
    args = parser.parse_args()
    args.seconds = args.seconds or (2.0 if args.quick else 6.0)
    parts = args.only or ["web", "search", "newsletter"]

    rows = web_bench(args.seconds, args.concurrency, args.workers) if "web" in parts else []
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
