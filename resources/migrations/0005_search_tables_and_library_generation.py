"""Search reads a narrow table of its own; a generation number follows the facet index's data.

The search vector leaves the resource for SearchDocument, copied over before the column
goes, with two more GIN indexes: on its titles, and on its titles and summaries.

LibraryGeneration's one row moves with every committed change to what the facet index
(resources/index.py) holds. A deferred row trigger bumps it once per transaction, at
commit, when no other lock is taken after it, so that writers never deadlock on it. A
statement trigger also sets a transaction-local marker, so that a reader inside the
writing transaction (a test, say) sees its own changes before the commit. TRUNCATE bumps
the number at once. The numbers come from a sequence owned by no table: never reused,
not even after a rolled-back transaction or a flush.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

COPY_VECTORS = """
INSERT INTO resources_searchdocument (resource_id, vector)
SELECT id, search_vector FROM resources_resource WHERE search_vector IS NOT NULL;
"""

# table: the events (UPDATE OF names the columns the index reads) of a change.
WATCHED = {
    "resources_resource": (
        "INSERT OR DELETE OR UPDATE OF status, type, publication_date, is_key, "
        "title, title_en, title_fr, title_es, title_ar"
    ),
    "resources_resource_topics": "INSERT OR DELETE OR UPDATE",
    "resources_resource_initiatives": "INSERT OR DELETE OR UPDATE",
    "resources_resource_regions": "INSERT OR DELETE OR UPDATE",
    "resources_resource_countries": "INSERT OR DELETE OR UPDATE",
    "resources_resourceversion": "INSERT OR DELETE OR UPDATE OF language, resource_id",
    "initiatives_country": "DELETE OR UPDATE OF region_id",
    # The facets' terms: names, slugs, order, an initiative's status.
    "resources_topic": "INSERT OR DELETE OR UPDATE",
    "initiatives_initiative": "INSERT OR DELETE OR UPDATE",
    "initiatives_region": "INSERT OR DELETE OR UPDATE",
}

FUNCTIONS = """
CREATE SEQUENCE resources_library_generation_seq;
INSERT INTO resources_librarygeneration (id, generation)
VALUES (1, nextval('resources_library_generation_seq'));

CREATE FUNCTION resources_library_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        IF current_setting('cpaor.library_bumped', true) = txid_current()::text THEN
            RETURN NULL;
        END IF;
        PERFORM set_config('cpaor.library_bumped', txid_current()::text, true);
    END IF;
    INSERT INTO resources_librarygeneration (id, generation)
    VALUES (1, nextval('resources_library_generation_seq'))
    ON CONFLICT (id) DO UPDATE SET generation = EXCLUDED.generation;
    RETURN NULL;
END $$;

CREATE FUNCTION resources_library_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config(
        'cpaor.library_local', nextval('resources_library_generation_seq')::text, true
    );
    RETURN NULL;
END $$;
"""


def triggers():
    sql = []
    for table, events in WATCHED.items():
        sql.append(
            f"CREATE CONSTRAINT TRIGGER library_bump AFTER {events} ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION resources_library_bump();"
        )
        sql.append(
            f"CREATE TRIGGER library_touched AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();"
        )
        sql.append(
            f"CREATE TRIGGER library_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();"
        )
    return "\n".join(sql)


def drop_triggers():
    return "\n".join(
        f"DROP TRIGGER library_bump ON {table}; DROP TRIGGER library_touched ON {table}; "
        f"DROP TRIGGER library_truncated ON {table};"
        for table in WATCHED
    )


# The expressions resources.models.weighted() writes: the titles, and the titles with
# the summaries, of each document. They tell how well a resource matches (its tier).
TIER_INDEXES = """
CREATE INDEX search_document_titles ON resources_searchdocument
USING gin (ts_filter(vector, '{a}'));
CREATE INDEX search_document_headings ON resources_searchdocument
USING gin (ts_filter(vector, '{a,b}'));
"""

DROP_TIER_INDEXES = """
DROP INDEX search_document_headings;
DROP INDEX search_document_titles;
"""

# A word found in most of the library would make Postgres read every document in turn
# (it counts a match as cheap, but each one unpacks a vector kept out of line): these run
# with sequential scans off, so that the GIN indexes answer, in a few milliseconds. They
# answer with the ids packed in binary (big-endian int8), read straight into numpy
# arrays: a word found in 70,000 resources is one value, not 70,000 Python numbers.
SEARCH_FUNCTIONS = """
CREATE FUNCTION resources_search_matches(query tsquery) RETURNS bytea
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
    SELECT coalesce(string_agg(int8send(resource_id), ''::bytea), ''::bytea)
    FROM resources_searchdocument WHERE vector @@ query
$$;

CREATE FUNCTION resources_search_titles(query tsquery) RETURNS bytea
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
    SELECT coalesce(string_agg(int8send(resource_id), ''::bytea), ''::bytea)
    FROM resources_searchdocument WHERE ts_filter(vector, '{a}') @@ query
$$;

CREATE FUNCTION resources_search_headings(query tsquery) RETURNS bytea
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
    SELECT coalesce(string_agg(int8send(resource_id), ''::bytea), ''::bytea)
    FROM resources_searchdocument WHERE ts_filter(vector, '{a,b}') @@ query
$$;
"""

DROP_SEARCH_FUNCTIONS = """
DROP FUNCTION resources_search_headings(tsquery);
DROP FUNCTION resources_search_titles(tsquery);
DROP FUNCTION resources_search_matches(tsquery);
"""

DROP_FUNCTIONS = """
DROP FUNCTION resources_library_touched();
DROP FUNCTION resources_library_bump();
DROP SEQUENCE resources_library_generation_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0002_content_editors"),
        ("resources", "0004_published_at_and_demo"),
    ]

    operations = [
        migrations.CreateModel(
            name="LibraryGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("generation", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "resource",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="resources.resource",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RunSQL(COPY_VECTORS, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="resource",
            name="resource_search",
        ),
        migrations.RemoveField(
            model_name="resource",
            name="search_vector",
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="search_document"
            ),
        ),
        migrations.RunSQL(TIER_INDEXES, DROP_TIER_INDEXES),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(triggers(), drop_triggers()),
        migrations.RunSQL(SEARCH_FUNCTIONS, DROP_SEARCH_FUNCTIONS),
    ]
