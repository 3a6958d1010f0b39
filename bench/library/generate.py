"""The benchmark's library: N resources with versions and relations, written with COPY,
their search vectors by the portal's own service."""

import random
import time

from .words import LANGUAGE_WEIGHTS, TYPES, text


def copy_rows(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(count, seed=2024):
    """count resources with versions and relations; returns the seconds it took."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from initiatives import seed as initiatives_seed
    from initiatives.models import Country, Initiative, Region
    from resources import seed as resources_seed
    from resources.models import Resource, Topic
    from resources.services import resources_update_search_vectors

    started = time.perf_counter()
    initiatives_seed.load()
    resources_seed.load(demo=False)
    Resource.objects.all().delete()
    topics = list(Topic.objects.values_list("pk", flat=True))
    initiatives = list(Initiative.objects.values_list("pk", flat=True))
    regions = list(Region.objects.values_list("pk", flat=True))
    countries = list(Country.objects.values_list("pk", flat=True))
    rng = random.Random(seed)
    now = timezone.now()
    languages = list(LANGUAGE_WEIGHTS)
    weights = list(LANGUAGE_WEIGHTS.values())

    resources, versions, resource_topics, resource_initiatives = [], [], [], []
    resource_regions, resource_countries = [], []
    for pk in range(1, count + 1):
        main = rng.choices(languages, weights)[0]
        titles = dict.fromkeys(languages)
        summaries = dict.fromkeys(languages)
        titles["en"] = text(rng, "en", rng.randint(5, 10), domain=0.3).capitalize()
        summaries["en"] = text(rng, "en", rng.randint(20, 40), domain=0.1)
        version_languages = [main] if main == "en" else ["en", main][: rng.randint(1, 2)]
        if main != "en":
            titles[main] = text(rng, main, rng.randint(5, 10), domain=0.3)
            summaries[main] = text(rng, main, rng.randint(20, 40), domain=0.1)
            version_languages = [main] + (["en"] if rng.random() < 0.4 else [])
        year = rng.randint(2005, 2025)
        published = rng.random() < 0.95
        resources.append(
            (
                pk,
                titles["en"],
                *titles.values(),
                f"bench-{pk}",
                summaries["en"],
                *summaries.values(),
                rng.choice(TYPES),
                datetime.date(year, rng.randint(1, 12), 1),
                "month",
                rng.random() < 0.03,
                "",
                "published" if published else "draft",
                0,
                now,
                now,
                False,
                now - datetime.timedelta(minutes=pk) if published else None,
            )
        )
        for language in version_languages:
            file_text = text(rng, language, rng.randint(150, 400), domain=0.02)
            versions.append(
                (
                    pk,
                    language,
                    "",
                    f"https://example.org/bench/{pk}-{language}.pdf",
                    "",
                    rng.randint(2, 120),
                    file_text,
                    "n/a",
                    0,
                    "full",
                    len(file_text.encode()),
                    "unchecked",
                    "",
                )
            )
        for topic in rng.sample(topics, rng.choice([1, 1, 2])):
            resource_topics.append((pk, topic))
        if rng.random() < 0.4:
            resource_initiatives.append((pk, rng.choice(initiatives)))
        for region in rng.sample(regions, rng.choice([1, 1, 2])):
            resource_regions.append((pk, region))
        if rng.random() < 0.2:
            resource_countries.append((pk, rng.choice(countries)))

    with connection.cursor() as cursor:
        raw = cursor.cursor
        copy_rows(
            raw,
            "resources_resource",
            [
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
            ],
            resources,
        )
        copy_rows(
            raw,
            "resources_resourceversion",
            [
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
            ],
            versions,
        )
        copy_rows(raw, "resources_resource_topics", ["resource_id", "topic_id"], resource_topics)
        copy_rows(
            raw,
            "resources_resource_initiatives",
            ["resource_id", "initiative_id"],
            resource_initiatives,
        )
        copy_rows(raw, "resources_resource_regions", ["resource_id", "region_id"], resource_regions)
        copy_rows(
            raw,
            "resources_resource_countries",
            ["resource_id", "country_id"],
            resource_countries,
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('resources_resource', 'id'), %s)", [count]
        )
    resources_update_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started, len(versions)
