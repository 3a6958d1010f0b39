"""The alternative to the in-process facet index, timed beside it: every facet's counts
from Postgres alone, in one statement, over the resources the words match.

It is a lower bound of what Postgres alone would cost: no facet is chosen, so one set of
matches serves every facet (with choices, each facet counts over the matches narrowed by
the others' choices, one set per chosen facet). The in-process figure is the same work
done by the list page's own code (ResourceFilter.facets()) once the words' matches are
known, as the page does it.
"""

import statistics
import time

COUNTS = """
WITH matched AS MATERIALIZED (
    SELECT r.id, r.type, r.publication_date, r.is_key
    FROM resources_resource r
    WHERE r.status = 'published' {words}
)
SELECT 'type', type, count(*) FROM matched GROUP BY type
UNION ALL
SELECT 'year', EXTRACT(YEAR FROM publication_date)::text, count(*) FROM matched GROUP BY 2
UNION ALL
SELECT 'key', 'key', count(*) FILTER (WHERE is_key) FROM matched
UNION ALL
SELECT 'language', v.language, count(DISTINCT v.resource_id)
FROM resources_resourceversion v JOIN matched ON matched.id = v.resource_id GROUP BY 2
UNION ALL
SELECT 'topic', t.topic_id::text, count(*)
FROM resources_resource_topics t JOIN matched ON matched.id = t.resource_id GROUP BY 2
UNION ALL
SELECT 'initiative', i.initiative_id::text, count(*)
FROM resources_resource_initiatives i JOIN matched ON matched.id = i.resource_id GROUP BY 2
UNION ALL
SELECT 'region', links.region_id::text, count(DISTINCT links.resource_id)
FROM (
    SELECT resource_id, region_id FROM resources_resource_regions
    UNION ALL
    SELECT rc.resource_id, c.region_id
    FROM resources_resource_countries rc JOIN initiatives_country c ON c.id = rc.country_id
) links JOIN matched ON matched.id = links.resource_id GROUP BY 2
"""
WORDS = """AND r.id IN (
        SELECT resource_id FROM resources_searchdocument WHERE vector @@ ({query})
    )"""


def compare(reps, searches=("", "protection", "case management")):
    """[(words, Postgres alone p50 ms, in process p50 ms)]; Postgres alone takes seconds
    a time, so it is timed at most five times."""
    from django.db import connection
    from django.db.models.sql import Query
    from django.http import QueryDict

    from resources import index
    from resources.filters import ResourceFilter
    from resources.models import Resource, SearchDocument, search_query

    rows = []
    for words in searches:
        params = []
        where = ""
        if words:
            query = Query(SearchDocument)
            sql, params = query.get_compiler(connection=connection).compile(
                search_query(words).resolve_expression(query)
            )
            where = WORDS.format(query=sql)
        postgres = []
        for _ in range(min(reps, 5)):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(COUNTS.format(words=where), params)
                cursor.fetchall()
            postgres.append((time.perf_counter() - started) * 1000)
        in_process = []
        for _ in range(reps):
            filters = ResourceFilter(
                QueryDict(f"q={words}" if words else ""), queryset=Resource.objects.published()
            )
            filters.selected()  # the words' matches, read as the page reads them
            started = time.perf_counter()
            filters.facets()
            in_process.append((time.perf_counter() - started) * 1000)
            index.forget_searches()
        rows.append((words, statistics.median(postgres), statistics.median(in_process)))
    return rows
