"""The benchmark's library: N resources with versions and relations, written with COPY in
batches, their search vectors by the portal's own service over two connections.

The texts are drawn with numpy, a batch of resources at a time (a million resources in
minutes rather than most of an hour); the search documents' GIN indexes are dropped
while the vectors are written and made again after, as a restore does."""

import datetime
import random
import time
from concurrent.futures import ThreadPoolExecutor

import numpy

from .words import LANGUAGE_WEIGHTS, TYPES, WORDS, vocabulary

BATCH = 20_000  # resources generated and copied at a time
VECTOR_CHUNK = 10_000  # resources per statement of search vectors
WORKERS = 2  # connections writing search vectors and building indexes at once

RESOURCE_COLUMNS = [
    "id",
    "title",
    "title_en",
    "title_fr",
    "title_es",
    "title_ar",
    "slug",
    "summary",
    "summary_en",
    "summary_fr",
    "summary_es",
    "summary_ar",
    "type",
    "publication_date",
    "publication_precision",
    "is_key",
    "thumbnail",
    "status",
    "download_count",
    "created",
    "updated",
    "is_demo",
    "published_at",
]
VERSION_COLUMNS = [
    "resource_id",
    "language",
    "file",
    "external_url",
    "file_format",
    "page_count",
    "extracted_text",
    "extraction_status",
    "extraction_attempts",
    "kind",
    "text_bytes",
    "link_status",
    "link_error",
]


class Texts:
    """Texts of one language: words from its Zipf vocabulary, a share of them from the
    domain's own words, drawn for many texts at once."""

    def __init__(self, language):
        words, cumulative = vocabulary(random.Random(language), language)
        self.words = numpy.array(words, dtype=object)
        self.cumulative = numpy.array(cumulative)
        self.domain = numpy.array(WORDS[language], dtype=object)

    def draw(self, rng, lengths, domain):
        """One text per length in lengths."""
        total = int(lengths.sum())
        ranks = numpy.searchsorted(
            self.cumulative, rng.random(total) * self.cumulative[-1], side="right"
        )
        words = self.words[numpy.minimum(ranks, len(self.words) - 1)]
        swapped = rng.random(total) < domain
        words[swapped] = self.domain[rng.integers(len(self.domain), size=int(swapped.sum()))]
        flat = words.tolist()
        ends = numpy.cumsum(lengths).tolist()
        return [
            " ".join(flat[end - length : end])
            for end, length in zip(ends, lengths.tolist(), strict=True)
        ]


def pairs(rng, size, choices):
    """(row, choice) for each of size rows: one choice, or two distinct ones for a third
    of the rows."""
    first = rng.integers(len(choices), size=size)
    second = (first + rng.integers(1, len(choices), size=size)) % len(choices)
    rows = [(row, choices[pick]) for row, pick in enumerate(first.tolist())]
    for row in numpy.flatnonzero(rng.random(size) < 1 / 3).tolist():
        rows.append((row, choices[second[row]]))
    return rows


def some(rng, size, choices, share):
    """(row, choice) for a share of size rows."""
    picks = rng.integers(len(choices), size=size).tolist()
    return [(row, choices[picks[row]]) for row in numpy.flatnonzero(rng.random(size) < share)]


def batch(rng, texts, start, size, now, references):
    """The rows of resources start … start + size - 1: (resources, versions, relations)."""
    languages = list(LANGUAGE_WEIGHTS)
    main = rng.choice(len(languages), size=size, p=list(LANGUAGE_WEIGHTS.values()))
    titles = {language: [None] * size for language in languages}
    summaries = {language: [None] * size for language in languages}
    version_languages = [[] for _ in range(size)]
    with_english = rng.random(size) < 0.4
    for number, language in enumerate(languages):
        rows = numpy.arange(size) if language == "en" else numpy.flatnonzero(main == number)
        drawn_titles = texts[language].draw(rng, rng.integers(5, 11, size=len(rows)), 0.3)
        drawn_summaries = texts[language].draw(rng, rng.integers(20, 41, size=len(rows)), 0.1)
        for row, title, summary in zip(rows.tolist(), drawn_titles, drawn_summaries, strict=True):
            titles[language][row] = title.capitalize() if language == "en" else title
            summaries[language][row] = summary
    for row, number in enumerate(main.tolist()):
        version_languages[row].append(languages[number])
        if number and with_english[row]:
            version_languages[row].append("en")

    years = rng.integers(2005, 2026, size=size).tolist()
    months = rng.integers(1, 13, size=size).tolist()
    published = (rng.random(size) < 0.95).tolist()
    key = (rng.random(size) < 0.03).tolist()
    types = rng.integers(len(TYPES), size=size).tolist()
    resources = []
    for row in range(size):
        pk = start + row
        resources.append(
            (
                pk,
                titles["en"][row],
                *(titles[language][row] for language in languages),
                f"bench-{pk}",
                summaries["en"][row],
                *(summaries[language][row] for language in languages),
                TYPES[types[row]],
                datetime.date(years[row], months[row], 1),
                "month",
                key[row],
                "",
                "published" if published[row] else "draft",
                0,
                now,
                now,
                False,
                now - datetime.timedelta(minutes=pk) if published[row] else None,
            )
        )

    versions = []
    for language in languages:
        rows = [row for row in range(size) if language in version_languages[row]]
        file_texts = texts[language].draw(rng, rng.integers(150, 401, size=len(rows)), 0.02)
        pages = rng.integers(2, 121, size=len(rows)).tolist()
        for row, file_text, page_count in zip(rows, file_texts, pages, strict=True):
            pk = start + row
            versions.append(
                (
                    pk,
                    language,
                    "",
                    f"https://example.org/bench/{pk}-{language}.pdf",
                    "",
                    page_count,
                    file_text,
                    "n/a",
                    0,
                    "full",
                    len(file_text.encode()),
                    "unchecked",
                    "",
                )
            )

    topics, initiatives, regions, countries = references
    relations = {
        ("resources_resource_topics", "topic_id"): pairs(rng, size, topics),
        ("resources_resource_regions", "region_id"): pairs(rng, size, regions),
        ("resources_resource_initiatives", "initiative_id"): some(rng, size, initiatives, 0.4),
        ("resources_resource_countries", "country_id"): some(rng, size, countries, 0.2),
    }
    relations = {
        table: [(start + row, other) for row, other in rows] for table, rows in relations.items()
    }
    return resources, versions, relations


def copy_rows(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def in_parallel(function, arguments):
    """function(argument) for each argument, over WORKERS threads, each with its own
    database connection, closed when its work is done."""
    from django.db import connections

    def run(argument):
        try:
            return function(argument)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(run, arguments))


def write_search_vectors(count):
    """The search documents of resources 1 … count, by the portal's own service, with
    their GIN indexes dropped meanwhile and made again after."""
    from django.db import connection

    from resources.models import SearchDocument
    from resources.services import resources_update_search_vectors

    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexdef LIKE '%%USING gin%%'",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    chunks = [
        range(low, min(low + VECTOR_CHUNK, count + 1)) for low in range(1, count + 1, VECTOR_CHUNK)
    ]
    in_parallel(resources_update_search_vectors, chunks)

    def build(definition):
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(definition)

    in_parallel(build, [definition for _name, definition in indexes])


def load(count, seed=2024):
    """count resources with versions and relations; returns (seconds, versions)."""
    from django.db import connection
    from django.utils import timezone

    from initiatives import seed as initiatives_seed
    from initiatives.models import Country, Initiative, Region
    from resources import seed as resources_seed
    from resources.models import Resource, Topic

    started = time.perf_counter()
    initiatives_seed.load()
    resources_seed.load(demo=False)
    Resource.objects.all().delete()
    references = (
        list(Topic.objects.values_list("pk", flat=True)),
        list(Initiative.objects.values_list("pk", flat=True)),
        list(Region.objects.values_list("pk", flat=True)),
        list(Country.objects.values_list("pk", flat=True)),
    )
    rng = numpy.random.default_rng(seed)
    texts = {language: Texts(language) for language in LANGUAGE_WEIGHTS}
    now = timezone.now()
    versions = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for start in range(1, count + 1, BATCH):
            size = min(BATCH, count + 1 - start)
            resources, version_rows, relations = batch(rng, texts, start, size, now, references)
            copy_rows(raw, "resources_resource", RESOURCE_COLUMNS, resources)
            copy_rows(raw, "resources_resourceversion", VERSION_COLUMNS, version_rows)
            for (table, column), rows in relations.items():
                copy_rows(raw, table, ["resource_id", column], rows)
            versions += len(version_rows)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('resources_resource', 'id'), %s)", [count]
        )
    write_search_vectors(count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # The load's pages written out now, not by the checkpointer during the timings.
        cursor.execute("CHECKPOINT")
    return time.perf_counter() - started, versions
