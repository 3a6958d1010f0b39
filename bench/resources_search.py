"""Search and facet timings of the resource library at 100,000 resources.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpaor .venv/bin/python bench/resources_search.py
    … --resources 10000 --reps 20        # smaller, quicker

Creates its own database (cpaor_bench, or --database; dropped and made again, on
DATABASE_URL's server), migrates it, loads the reference data of the starting content
(topics, initiatives, regions), then N resources with COPY and their search vectors over
two connections (the portal's own service, resources_update_search_vectors): see
library/generate.py. A million resources (--resources 1000000) load in about ten minutes.
Texts are generated from word lists in English, French, Spanish and Arabic
(library/words.py); each resource has a type, one or two topics, a year, regions,
sometimes an initiative and a country, and one or two language versions with "file text".

Then it times, with the list page's own code (library/measure.py: ResourceFilter over the
view's queryset, as the view runs it: the count, the first page with its snippets and
prefetches, and every facet's counts), REPS repetitions of each kind of page and prints
p50/p95 in ms.
Nothing is written to the repository; the database is left for inspection (drop it with
`dropdb cpaor_bench`).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

from databases import database_url, recreate_database
from library.generate import load
from library.measure import READING, run_queries
from library.postgres_facets import compare
from machine import describe

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BENCH_DB = "cpaor_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database as it is")
    parser.add_argument(
        "--compare", action="store_true", help="also time the facet counts in Postgres alone"
    )
    parser.add_argument(
        "--database", default=BENCH_DB, help=f"the benchmark's database (default {BENCH_DB})"
    )
    args = parser.parse_args()

    bench_url = database_url(args.database)
    if not args.keep:
        recreate_database(args.database)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpaor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import cpaor.wsgi  # noqa: F401  the web process's start: its start-up objects frozen
    from resources.models import Resource

    started = time.perf_counter()
    # A kept database gets the migrations it lacks: the timed code may need them.
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    migrated = time.perf_counter() - started
    if not args.keep:
        seconds, versions = load(args.resources)
        print(
            f"Database {args.database}: migrated in {migrated:.1f} s; loaded {args.resources:,} "
            f"resources and {versions:,} language versions, with search vectors, in "
            f"{seconds:.1f} s",
            flush=True,
        )
        # The timings in a new process, as --keep runs them: this one's backend and heap
        # still carry the load (its first pages ran some 15 ms slower).
        os.execv(sys.executable, [sys.executable, *sys.argv, "--keep"])
    published = Resource.objects.published().count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"{published:,} published resources; PostgreSQL {version}; {args.reps} repetitions each")
    print(describe())
    rows = run_queries(args.reps)
    width = max(len(row[0]) for row in rows)
    print()
    print(
        f"{'page':<{width}}  {'rows':>7}  {'SQL':>3}  {'p50 ms':>7}  {'p95 ms':>7}  "
        f"{'again p95':>9}  {'CPU p50':>7}  {'CPU p95':>7}"
    )
    print("  ".join("-" * n for n in (width, 7, 3, 7, 7, 9, 7, 7)))
    for name, count, queries, p50, p95, again, cpu50, cpu95 in rows:
        print(
            f"{name:<{width}}  {count:>7,}  {queries:>3}  {p50:>7.1f}  {p95:>7.1f}  {again:>9.1f}"
            f"  {cpu50:>7.1f}  {cpu95:>7.1f}"
        )
    # The pages as they are once the lexicon is read; those read while it is, apart.
    steady = [row for row in rows if not row[0].endswith(READING)]
    worst = max(row[4] for row in steady)
    worst_cpu = max(row[7] for row in steady)
    reading = max((row[4] for row in rows if row[0].endswith(READING)), default=0)
    goal = 50 if args.resources <= 100_000 else 150
    print()
    print(
        f"Worst p95: {worst:.1f} ms (goal at {args.resources:,} resources: at most {goal} ms); "
        f"worst CPU p95: {worst_cpu:.1f} ms; worst p95 while the lexicon is read again after "
        f"a change: {reading:.1f} ms. "
        "rows: results; SQL: queries per page; again: the same words' matches reused from "
        "the previous page (the next page, another sort or facet choice); CPU: this "
        "process's and its Postgres backend's CPU time per page, without the waits for a "
        "core that a busy machine adds to the wall-clock time."
    )
    print(f"Load average (1, 5, 15 min): {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    if args.compare:
        print()
        print("Facet counts, p50 ms: Postgres alone (one statement, no facet chosen: a lower")
        print("bound) against the in-process index (ResourceFilter.facets(), matches known)")
        for words, postgres, in_process in compare(args.reps):
            print(f"  {words or '(no search)':<20} {postgres:>8.1f} {in_process:>8.1f}")


if __name__ == "__main__":
    main()
