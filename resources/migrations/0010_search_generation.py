"""A second generation number, LibraryGeneration id 2, follows the search documents.

resources/lexicon.py keeps the frequent words' matches in memory and reads them again
when this number moves: at commit, once per transaction, for every inserted or deleted
search document and every vector really changed (a resource saved with the same words
moves nothing). A transaction-local marker lets the writing transaction itself know, as
migration 0005's do for the facet index. The numbers come from the same sequence.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION resources_search_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        IF current_setting('cpaor.search_bumped', true) = txid_current()::text THEN
            RETURN NULL;
        END IF;
        PERFORM set_config('cpaor.search_bumped', txid_current()::text, true);
    END IF;
    INSERT INTO resources_librarygeneration (id, generation)
    VALUES (2, nextval('resources_library_generation_seq'))
    ON CONFLICT (id) DO UPDATE SET generation = EXCLUDED.generation;
    RETURN NULL;
END $$;

CREATE FUNCTION resources_search_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config(
        'cpaor.search_local', nextval('resources_library_generation_seq')::text, true
    );
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER search_bump AFTER INSERT OR DELETE ON resources_searchdocument
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_search_bump();
CREATE CONSTRAINT TRIGGER search_bump_update AFTER UPDATE OF vector ON resources_searchdocument
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.vector IS DISTINCT FROM NEW.vector)
    EXECUTE FUNCTION resources_search_bump();
CREATE TRIGGER search_touched AFTER INSERT OR DELETE ON resources_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_touched();
CREATE TRIGGER search_touched_update AFTER UPDATE OF vector ON resources_searchdocument
    FOR EACH ROW WHEN (OLD.vector IS DISTINCT FROM NEW.vector)
    EXECUTE FUNCTION resources_search_touched();
CREATE TRIGGER search_truncated AFTER TRUNCATE ON resources_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION resources_search_bump();
INSERT INTO resources_librarygeneration (id, generation)
VALUES (2, nextval('resources_library_generation_seq')) ON CONFLICT (id) DO NOTHING;
"""

REVERSE = """
DROP TRIGGER search_truncated ON resources_searchdocument;
DROP TRIGGER search_touched_update ON resources_searchdocument;
DROP TRIGGER search_touched ON resources_searchdocument;
DROP TRIGGER search_bump_update ON resources_searchdocument;
DROP TRIGGER search_bump ON resources_searchdocument;
DROP FUNCTION resources_search_touched();
DROP FUNCTION resources_search_bump();
DELETE FROM resources_librarygeneration WHERE id = 2;
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0009_version_kind_links_and_text_size")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
