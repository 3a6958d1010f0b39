"""Which search documents changed, and in which transaction: resources_searchchange.

resources/lexicon.py keeps the frequent words' bitmaps in memory. When the search
documents' generation moves (migration 0010), it reads the rows of this table written by
the transactions its last read could not see (pg_visible_in_snapshot against the
snapshot it read in) and reads only those documents again, instead of every bitmap.
A truncate writes one row with no resource: everything is read again. Rows older than
a day are deleted by the reader; a lexicon older than that is read whole.
"""

from django.db import migrations

SQL = """
CREATE TABLE resources_searchchange (
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    resource_id integer,
    changed timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_change_xact ON resources_searchchange (xact);
CREATE INDEX search_change_changed ON resources_searchchange (changed);

CREATE FUNCTION resources_search_log_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO resources_searchchange (resource_id) SELECT resource_id FROM changed_rows;
    RETURN NULL;
END $$;

CREATE FUNCTION resources_search_log_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO resources_searchchange (resource_id)
    SELECT after.resource_id FROM new_rows after JOIN old_rows before USING (resource_id)
    WHERE after.vector IS DISTINCT FROM before.vector;
    RETURN NULL;
END $$;

CREATE FUNCTION resources_search_log_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO resources_searchchange (resource_id) VALUES (NULL);
    RETURN NULL;
END $$;

CREATE TRIGGER search_logged_insert AFTER INSERT ON resources_searchdocument
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_log_new();
CREATE TRIGGER search_logged_delete AFTER DELETE ON resources_searchdocument
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_log_new();
CREATE TRIGGER search_logged_update AFTER UPDATE ON resources_searchdocument
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_log_updated();
CREATE TRIGGER search_logged_truncate AFTER TRUNCATE ON resources_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_log_truncated();
"""

REVERSE = """
DROP TRIGGER search_logged_truncate ON resources_searchdocument;
DROP TRIGGER search_logged_update ON resources_searchdocument;
DROP TRIGGER search_logged_delete ON resources_searchdocument;
DROP TRIGGER search_logged_insert ON resources_searchdocument;
DROP FUNCTION resources_search_log_truncated();
DROP FUNCTION resources_search_log_updated();
DROP FUNCTION resources_search_log_new();
DROP TABLE resources_searchchange;
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0010_search_generation")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
