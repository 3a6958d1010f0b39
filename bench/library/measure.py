"""Timings of the list page's own code: the count, the first page and every facet's
counts, as the view reads them.

Besides the wall-clock time, each page's CPU time: this process's and its Postgres
backend's (from /proc/<pid>/schedstat, in nanoseconds), added up: it leaves out the
time spent waiting for a core, so on a machine other work keeps busy it grows less than
the wall-clock time, and it says how a page's time divides between Python and Postgres.
"""

import statistics
import time
from pathlib import Path

from .words import SEARCHES

# A change to one search document, undone by the next run: a word added or taken away.
TOGGLE_SQL = """
    UPDATE resources_searchdocument
    SET vector = CASE WHEN vector @@ 'benchmarked'::tsquery THEN ts_delete(vector, 'benchmarked')
                      ELSE vector || 'benchmarked'::tsvector END
    WHERE resource_id = (SELECT min(resource_id) FROM resources_searchdocument)
"""
# The end of the names of the pages timed as Postgres alone answers them.
READING = ", while the lexicon is read"


def backend_cpu(pid):
    """Nanoseconds of CPU the process pid (the Postgres backend, on this machine) used."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0  # Postgres on another machine: the page's CPU is this process's alone


def timed(function, reps, backend=None, **kwargs):
    """([wall ms], [CPU ms], last result) of reps calls of function."""
    durations, cpu, result = [], [], None
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.process_time_ns()
        started_backend = backend_cpu(backend) if backend else 0
        result = function(**kwargs)
        durations.append((time.perf_counter() - started) * 1000)
        used = time.process_time_ns() - started_cpu
        if backend:
            used += backend_cpu(backend) - started_backend
        cpu.append(used / 1e6)
    return durations, cpu, result


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_queries(reps):
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from resources import index, lexicon
    from resources.filters import ResourceFilter
    from resources.views import ResourceListView

    view = ResourceListView()

    def filterset(params, language):
        return ResourceFilter(
            QueryDict(params, mutable=False), queryset=view.get_queryset(), language=language
        )

    def page(params, language):
        """What the list page reads: the count, the first page (with snippets when
        searching) and every facet's counts, from one filter set as the view does."""

        def run(warm=False):
            if not warm:  # the words' matches are not reused from a previous page
                index.forget_searches()
            with translation.override(language):
                filters = filterset(params, language)
                results = filters.qs
                total = results.count()
                shown = list(results[: view.paginate_by])
                filters.facets()
                return total, len(shown)

        return run

    kinds = []
    for language, searches in SEARCHES.items():
        for words in searches[:2]:
            kinds.append((f"search {language} “{words}”", page(f"q={words}", language)))
    kinds += [
        ("search en “protection”, newest first", page("q=protection&sort=newest", "en")),
        ("search en “protection”, by relevance", page("q=protection", "en")),
        ("no search (newest)", page("", "en")),
        ("no search, by title", page("sort=title", "fr")),
        (
            "combined filters (type+topic+years+language+region)",
            page(
                "type=guidance&type=toolkit&topic=mhpss&topic=education&year_from=2015"
                "&year_to=2022&language=fr&region=west-central-africa",
                "fr",
            ),
        ),
        (
            "combined filters + search",
            page("q=protection&type=report&year_from=2010&key=on", "en"),
        ),
    ]

    def without_lexicon(run):
        """The page as Postgres alone answers it: while the lexicon is read again after a
        change to a search document."""

        def timed_run(warm=False):
            kept = lexicon.LEXICON_FROM
            lexicon.LEXICON_FROM = float("inf")
            try:
                return run(warm)
            finally:
                lexicon.LEXICON_FROM = kept

        return timed_run

    kinds += [
        (
            f"{name}{READING}",
            without_lexicon(page(params, language)),
        )
        for name, params, language in [
            ("search en “protection”", "q=protection", "en"),
            ("search fr “gestion des cas”", "q=gestion des cas", "fr"),
        ]
    ]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        index.library_index()
    print(
        f"Facet index read in {(time.perf_counter() - started) * 1000:.0f} ms "
        f"({len(queries)} queries; again after each change to the library)"
    )
    started = time.perf_counter()
    library, searched = index.library_state()
    lexicon.lexicon(searched, library.size)  # starts reading it, outside the request
    lexicon.wait()
    frequent = lexicon.lexicon(searched, library.size)
    if frequent is not None:
        print(
            f"Lexicon of frequent words read in {(time.perf_counter() - started) * 1000:.0f} ms "
            f"({len(frequent.bitmaps)} lexemes in at least {lexicon.FREQUENT:.0%} of the "
            f"documents, {frequent.bytes / 2**20:.1f} MiB; again after each change to a "
            "search document, by a thread, while Postgres answers the pages)"
        )
        # One document changed (a word added or taken away again): the lexicon is
        # patched with it alone, as after a curator's edit.
        with connection.cursor() as cursor:
            cursor.execute(TOGGLE_SQL)
        library, searched = index.library_state()
        started = time.perf_counter()
        lexicon.lexicon(searched, library.size)
        lexicon.wait()
        patched = lexicon.lexicon(searched, library.size)
        print(
            f"Lexicon brought up to date after one changed document in "
            f"{(time.perf_counter() - started) * 1000:.0f} ms "
            f"({'patched' if patched and patched.patched else 'read whole'})"
        )
    rows = []
    for name, function in kinds:
        function()  # warm the caches once; the figures are for a library in use
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            durations, cpu, result = timed(function, reps, backend)
        warm, _cpu, _result = timed(function, reps, warm=True)
        rows.append(
            (
                name,
                result[0],
                len(queries) // reps,
                statistics.median(durations),
                percentile(durations, 0.95),
                percentile(warm, 0.95),
                statistics.median(cpu),
                percentile(cpu, 0.95),
            )
        )
    return rows
