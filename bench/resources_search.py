"""Search and facet timings of the resource library at 100,000 resources.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpaor .venv/bin/python bench/resources_search.py
    … --resources 10000 --reps 20        # smaller, quicker

Creates its own database (cpaor_bench, dropped and made again, on DATABASE_URL's server),
migrates it, loads the reference data of the starting content (topics, initiatives,
regions), then N resources with COPY and their search vectors with one statement (the portal's
own service, resources_update_search_vectors). Texts are generated from word lists in English,
French, Spanish and Arabic; each resource has a type, one or two topics, a year, regions,
sometimes an initiative and a country, and one or two language versions with "file text".

Then it times, with the list page's own code (resources.filters.ResourceFilter over the
view's queryset, as the view runs it: the count, the first page with its snippets and
prefetches, and every facet's counts), REPS repetitions of each kind of page and prints
p50/p95 in ms.
Nothing is written to the repository; the database is left for inspection (drop it with
`dropdb cpaor_bench`).
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

from databases import database_url, recreate_database
from machine import describe

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BENCH_DB = "cpaor_bench"

WORDS = {
    "en": [
        "child",
        "protection",
        "coordination",
        "humanitarian",
        "response",
        "emergency",
        "guidance",
        "toolkit",
        "case",
        "management",
        "psychosocial",
        "support",
        "localisation",
        "government",
        "engagement",
        "families",
        "violence",
        "prevention",
        "education",
        "schools",
        "displacement",
        "migration",
        "assessment",
        "needs",
        "analysis",
        "framework",
        "caregivers",
        "community",
        "services",
        "monitoring",
        "evaluation",
        "training",
        "partners",
        "cluster",
        "leadership",
        "capacity",
        "preparedness",
        "safety",
        "wellbeing",
        "separated",
        "unaccompanied",
        "children",
        "adolescents",
        "survivors",
        "referral",
        "pathways",
        "standards",
        "minimum",
        "data",
        "information",
        "mine",
        "risk",
        "awareness",
        "food",
        "security",
        "nutrition",
        "livelihoods",
        "shelter",
        "conflict",
        "armed",
        "violence",
        "states",
        "authorities",
        "advocacy",
        "policy",
        "funding",
    ],
    "fr": [
        "protection",
        "enfance",
        "coordination",
        "humanitaire",
        "réponse",
        "urgence",
        "orientation",
        "outils",
        "gestion",
        "cas",
        "soutien",
        "psychosocial",
        "localisation",
        "gouvernement",
        "engagement",
        "familles",
        "prévention",
        "violence",
        "éducation",
        "écoles",
        "déplacement",
        "migration",
        "évaluation",
        "besoins",
        "analyse",
        "cadre",
        "aidants",
        "communauté",
        "services",
        "suivi",
        "formation",
        "partenaires",
        "leadership",
        "capacités",
        "préparation",
        "sécurité",
        "bien-être",
        "enfants",
        "séparés",
        "non",
        "accompagnés",
        "adolescents",
        "survivants",
        "référencement",
        "normes",
        "minimales",
        "données",
        "information",
        "mines",
        "risques",
        "sécurité",
        "alimentaire",
        "nutrition",
        "moyens",
        "subsistance",
        "abri",
        "conflit",
        "armé",
        "États",
        "autorités",
        "plaidoyer",
        "politique",
        "financement",
    ],
    "es": [
        "protección",
        "niñez",
        "coordinación",
        "humanitaria",
        "respuesta",
        "emergencia",
        "orientación",
        "herramientas",
        "gestión",
        "casos",
        "apoyo",
        "psicosocial",
        "localización",
        "gobierno",
        "participación",
        "familias",
        "prevención",
        "violencia",
        "educación",
        "escuelas",
        "desplazamiento",
        "migración",
        "evaluación",
        "necesidades",
        "análisis",
        "marco",
        "cuidadores",
        "comunidad",
        "servicios",
        "seguimiento",
        "formación",
        "socios",
        "liderazgo",
        "capacidades",
        "preparación",
        "seguridad",
        "bienestar",
        "niños",
        "separados",
        "adolescentes",
        "sobrevivientes",
        "derivación",
        "normas",
        "mínimas",
        "datos",
        "información",
        "minas",
        "riesgo",
        "seguridad",
        "alimentaria",
        "nutrición",
        "medios",
        "vida",
        "albergue",
        "conflicto",
        "armado",
        "Estados",
        "autoridades",
        "incidencia",
        "política",
        "financiación",
    ],
    "ar": [
        "حماية",
        "الطفل",
        "تنسيق",
        "الاستجابة",
        "الإنسانية",
        "الطوارئ",
        "توجيهات",
        "أدوات",
        "إدارة",
        "الحالات",
        "الدعم",
        "النفسي",
        "الاجتماعي",
        "التوطين",
        "الحكومة",
        "المشاركة",
        "الأسر",
        "الوقاية",
        "من",
        "العنف",
        "التعليم",
        "المدارس",
        "النزوح",
        "الهجرة",
        "التقييم",
        "الاحتياجات",
        "التحليل",
        "الإطار",
        "مقدمي",
        "الرعاية",
        "المجتمع",
        "الخدمات",
        "الرصد",
        "التدريب",
        "الشركاء",
        "القيادة",
        "القدرات",
        "التأهب",
        "السلامة",
        "الرفاه",
        "الأطفال",
        "المنفصلين",
        "المراهقين",
        "الناجين",
        "الإحالة",
        "المعايير",
        "الدنيا",
        "البيانات",
        "المعلومات",
        "الألغام",
        "المخاطر",
        "الأمن",
        "الغذائي",
        "التغذية",
        "سبل",
        "العيش",
        "المأوى",
        "النزاع",
        "المسلح",
        "الدول",
        "السلطات",
        "المناصرة",
        "السياسات",
        "التمويل",
    ],
}
# Searches in each language: a common pair of words, and a rarer word (accents left out,
# as people type them).
SEARCHES = {
    "en": ["case management", "localisation", "mine risk", "psychosocial support"],
    "fr": ["gestion des cas", "localisation", "prevention violence", "evaluation besoins"],
    "es": ["gestion de casos", "localizacion", "proteccion ninez", "evaluacion"],
    "ar": ["إدارة الحالات", "التوطين", "الألغام", "الدعم النفسي"],
}
# Language of a resource's main text: mostly English, as in the real library.
LANGUAGE_WEIGHTS = {"en": 0.55, "fr": 0.2, "es": 0.15, "ar": 0.1}
TYPES = [
    "toolkit",
    "guidance",
    "tool",
    "report",
    "case-study",
    "infographic",
    "one-pager",
    "training-material",
    "policy",
    "assessment",
    "video",
    "other",
]


SYLLABLES = {
    "en": "ba be bi bo con de den el er for in ing is ly ment pro re ter tion un",
    "fr": "la le de ré en ment tion eur ique con pro ais eau é è tre ble dé",
    "es": "la el de ción es ado ida con pro re ma te ría cia mente dad os as",
    "ar": "ال م ت س ك ن ي و ر ل ب ح ع د ق ف ج ة ا",
}


def vocabulary(rng, language, size=4000):
    """(words, cumulative weights): pseudo-words with the domain's words among them, in a
    Zipf distribution, so a search word matches a few per cent of the library, not all."""
    syllables = SYLLABLES[language].split()
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    words = sorted(words)  # a set's order changes from run to run; the library must not
    for word in WORDS[language]:
        words.insert(rng.randint(15, 1500), word)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1 / (rank + 10)
        cumulative.append(total)
    return words, cumulative


VOCABULARIES = {}


def text(rng, language, words, domain=0.0):
    """words words of language; a share `domain` of them from the domain's own words."""
    if language not in VOCABULARIES:
        VOCABULARIES[language] = vocabulary(random.Random(language), language)
    vocabulary_, cumulative = VOCABULARIES[language]
    chosen = rng.choices(vocabulary_, cum_weights=cumulative, k=words)
    if domain:
        for index in range(words):
            if rng.random() < domain:
                chosen[index] = rng.choice(WORDS[language])
    return " ".join(chosen)


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
            versions.append(
                (
                    pk,
                    language,
                    "",
                    f"https://example.org/bench/{pk}-{language}.pdf",
                    "",
                    rng.randint(2, 120),
                    text(rng, language, rng.randint(150, 400), domain=0.02),
                    "n/a",
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


def timed(function, reps, **kwargs):
    durations, result = [], None
    for _ in range(reps):
        started = time.perf_counter()
        result = function(**kwargs)
        durations.append((time.perf_counter() - started) * 1000)
    return durations, result


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_queries(reps):
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from resources import index
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

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        index.library_index()
    print(
        f"Facet index read in {(time.perf_counter() - started) * 1000:.0f} ms "
        f"({len(queries)} queries; again after each change to the library)"
    )
    rows = []
    for name, function in kinds:
        function()  # warm the caches once; the figures are for a library in use
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            durations, result = timed(function, reps)
        warm, _result = timed(function, reps, warm=True)
        rows.append(
            (
                name,
                result[0],
                len(queries) // reps,
                statistics.median(durations),
                percentile(durations, 0.95),
                percentile(warm, 0.95),
            )
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the loaded cpaor_bench database as it is"
    )
    args = parser.parse_args()

    bench_url = database_url(BENCH_DB)
    if not args.keep:
        recreate_database(BENCH_DB)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpaor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from resources.models import Resource

    if not args.keep:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        migrated = time.perf_counter() - started
        seconds, versions = load(args.resources)
        print(
            f"Database {BENCH_DB}: migrated in {migrated:.1f} s; loaded {args.resources:,} "
            f"resources and {versions:,} language versions, with search vectors, in "
            f"{seconds:.1f} s"
        )
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
        f"{'again p95':>9}"
    )
    print(f"{'-' * width}  {'-' * 7}  {'-' * 3}  {'-' * 7}  {'-' * 7}  {'-' * 9}")
    for name, count, queries, p50, p95, again in rows:
        print(
            f"{name:<{width}}  {count:>7,}  {queries:>3}  {p50:>7.1f}  {p95:>7.1f}  {again:>9.1f}"
        )
    worst = max(row[4] for row in rows)
    print()
    print(
        f"Worst p95: {worst:.1f} ms (goal: under 50 ms). rows: results; SQL: queries per "
        "page; again: the same words' matches reused from the previous page (the next "
        "page, another sort or facet choice)."
    )


if __name__ == "__main__":
    main()
