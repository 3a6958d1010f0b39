"""The library's triggers fire only when something the library shows changes.

Written by resources.triggers.trigger_sql() from the facets' registry (resources/facets.py)
on the day of this migration, and frozen here: a migration must do the same whenever it
runs. Updates move the generation only WHEN a watched column really changed (an
initiative's body, a resource's download count or its `updated` stamp rebuild nothing);
inserts, deletes and truncates of a watched table still do. Going back restores migration
0005's triggers.
"""

from django.db import migrations

TRIGGERS = """
DROP TRIGGER IF EXISTS library_bump ON initiatives_country;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_country;
DROP TRIGGER IF EXISTS library_touched ON initiatives_country;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_country;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_country;
DROP TRIGGER IF EXISTS library_bump ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_touched ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_bump ON initiatives_region;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_region;
DROP TRIGGER IF EXISTS library_touched ON initiatives_region;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_region;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_region;
DROP TRIGGER IF EXISTS library_bump ON resources_resource;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource;
DROP TRIGGER IF EXISTS library_touched ON resources_resource;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_bump ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_touched ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_truncated ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_bump ON resources_topic;
DROP TRIGGER IF EXISTS library_bump_update ON resources_topic;
DROP TRIGGER IF EXISTS library_touched ON resources_topic;
DROP TRIGGER IF EXISTS library_touched_update ON resources_topic;
DROP TRIGGER IF EXISTS library_truncated ON resources_topic;
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON initiatives_country
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "region_id" ON initiatives_country
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."region_id") IS DISTINCT FROM ROW(NEW."region_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON initiatives_country
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "region_id" ON initiatives_country
    FOR EACH ROW WHEN (ROW(OLD."region_id") IS DISTINCT FROM ROW(NEW."region_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_country
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON initiatives_initiative
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "is_published", "order", "slug", "title", "title_ar", "title_en", "title_es", "title_fr" ON initiatives_initiative
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."is_published", OLD."order", OLD."slug", OLD."title", OLD."title_ar", OLD."title_en", OLD."title_es", OLD."title_fr") IS DISTINCT FROM ROW(NEW."is_published", NEW."order", NEW."slug", NEW."title", NEW."title_ar", NEW."title_en", NEW."title_es", NEW."title_fr"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON initiatives_initiative
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "is_published", "order", "slug", "title", "title_ar", "title_en", "title_es", "title_fr" ON initiatives_initiative
    FOR EACH ROW WHEN (ROW(OLD."is_published", OLD."order", OLD."slug", OLD."title", OLD."title_ar", OLD."title_en", OLD."title_es", OLD."title_fr") IS DISTINCT FROM ROW(NEW."is_published", NEW."order", NEW."slug", NEW."title", NEW."title_ar", NEW."title_en", NEW."title_es", NEW."title_fr"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_initiative
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON initiatives_region
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "name", "name_ar", "name_en", "name_es", "name_fr", "order", "slug" ON initiatives_region
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."name", OLD."name_ar", OLD."name_en", OLD."name_es", OLD."name_fr", OLD."order", OLD."slug") IS DISTINCT FROM ROW(NEW."name", NEW."name_ar", NEW."name_en", NEW."name_es", NEW."name_fr", NEW."order", NEW."slug"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON initiatives_region
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "name", "name_ar", "name_en", "name_es", "name_fr", "order", "slug" ON initiatives_region
    FOR EACH ROW WHEN (ROW(OLD."name", OLD."name_ar", OLD."name_en", OLD."name_es", OLD."name_fr", OLD."order", OLD."slug") IS DISTINCT FROM ROW(NEW."name", NEW."name_ar", NEW."name_en", NEW."name_es", NEW."name_fr", NEW."order", NEW."slug"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_region
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resource
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "is_key", "publication_date", "status", "title", "title_ar", "title_en", "title_es", "title_fr", "type" ON resources_resource
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."is_key", OLD."publication_date", OLD."status", OLD."title", OLD."title_ar", OLD."title_en", OLD."title_es", OLD."title_fr", OLD."type") IS DISTINCT FROM ROW(NEW."is_key", NEW."publication_date", NEW."status", NEW."title", NEW."title_ar", NEW."title_en", NEW."title_es", NEW."title_fr", NEW."type"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resource
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "is_key", "publication_date", "status", "title", "title_ar", "title_en", "title_es", "title_fr", "type" ON resources_resource
    FOR EACH ROW WHEN (ROW(OLD."is_key", OLD."publication_date", OLD."status", OLD."title", OLD."title_ar", OLD."title_en", OLD."title_es", OLD."title_fr", OLD."type") IS DISTINCT FROM ROW(NEW."is_key", NEW."publication_date", NEW."status", NEW."title", NEW."title_ar", NEW."title_en", NEW."title_es", NEW."title_fr", NEW."type"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resource_countries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "country_id", "resource_id" ON resources_resource_countries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."country_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."country_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resource_countries
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "country_id", "resource_id" ON resources_resource_countries
    FOR EACH ROW WHEN (ROW(OLD."country_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."country_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_countries
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resource_initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "initiative_id", "resource_id" ON resources_resource_initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."initiative_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."initiative_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resource_initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "initiative_id", "resource_id" ON resources_resource_initiatives
    FOR EACH ROW WHEN (ROW(OLD."initiative_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."initiative_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resource_regions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "region_id", "resource_id" ON resources_resource_regions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."region_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."region_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resource_regions
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "region_id", "resource_id" ON resources_resource_regions
    FOR EACH ROW WHEN (ROW(OLD."region_id", OLD."resource_id") IS DISTINCT FROM ROW(NEW."region_id", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_regions
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resource_topics
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "resource_id", "topic_id" ON resources_resource_topics
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."resource_id", OLD."topic_id") IS DISTINCT FROM ROW(NEW."resource_id", NEW."topic_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resource_topics
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "resource_id", "topic_id" ON resources_resource_topics
    FOR EACH ROW WHEN (ROW(OLD."resource_id", OLD."topic_id") IS DISTINCT FROM ROW(NEW."resource_id", NEW."topic_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_topics
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_resourceversion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "language", "resource_id" ON resources_resourceversion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."language", OLD."resource_id") IS DISTINCT FROM ROW(NEW."language", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_resourceversion
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "language", "resource_id" ON resources_resourceversion
    FOR EACH ROW WHEN (ROW(OLD."language", OLD."resource_id") IS DISTINCT FROM ROW(NEW."language", NEW."resource_id"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resourceversion
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON resources_topic
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump_update AFTER UPDATE OF "name", "name_ar", "name_en", "name_es", "name_fr", "order", "slug" ON resources_topic
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (ROW(OLD."name", OLD."name_ar", OLD."name_en", OLD."name_es", OLD."name_fr", OLD."order", OLD."slug") IS DISTINCT FROM ROW(NEW."name", NEW."name_ar", NEW."name_en", NEW."name_es", NEW."name_fr", NEW."order", NEW."slug"))
    EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON resources_topic
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_touched_update AFTER UPDATE OF "name", "name_ar", "name_en", "name_es", "name_fr", "order", "slug" ON resources_topic
    FOR EACH ROW WHEN (ROW(OLD."name", OLD."name_ar", OLD."name_en", OLD."name_es", OLD."name_fr", OLD."order", OLD."slug") IS DISTINCT FROM ROW(NEW."name", NEW."name_ar", NEW."name_en", NEW."name_es", NEW."name_fr", NEW."order", NEW."slug"))
    EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_topic
    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
"""

TRIGGERS_0005 = """
DROP TRIGGER IF EXISTS library_bump ON initiatives_country;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_country;
DROP TRIGGER IF EXISTS library_touched ON initiatives_country;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_country;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_country;
DROP TRIGGER IF EXISTS library_bump ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_touched ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_initiative;
DROP TRIGGER IF EXISTS library_bump ON initiatives_region;
DROP TRIGGER IF EXISTS library_bump_update ON initiatives_region;
DROP TRIGGER IF EXISTS library_touched ON initiatives_region;
DROP TRIGGER IF EXISTS library_touched_update ON initiatives_region;
DROP TRIGGER IF EXISTS library_truncated ON initiatives_region;
DROP TRIGGER IF EXISTS library_bump ON resources_resource;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource;
DROP TRIGGER IF EXISTS library_touched ON resources_resource;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_countries;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_initiatives;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_regions;
DROP TRIGGER IF EXISTS library_bump ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_touched ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_truncated ON resources_resource_topics;
DROP TRIGGER IF EXISTS library_bump ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_bump_update ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_touched ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_touched_update ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_truncated ON resources_resourceversion;
DROP TRIGGER IF EXISTS library_bump ON resources_topic;
DROP TRIGGER IF EXISTS library_bump_update ON resources_topic;
DROP TRIGGER IF EXISTS library_touched ON resources_topic;
DROP TRIGGER IF EXISTS library_touched_update ON resources_topic;
DROP TRIGGER IF EXISTS library_truncated ON resources_topic;
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE OF status, type, publication_date, is_key, title, title_en, title_fr, title_es, title_ar ON resources_resource DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE OF status, type, publication_date, is_key, title, title_en, title_fr, title_es, title_ar ON resources_resource FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON resources_resource_topics DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON resources_resource_topics FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_topics FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON resources_resource_initiatives DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON resources_resource_initiatives FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_initiatives FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON resources_resource_regions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON resources_resource_regions FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_regions FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON resources_resource_countries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON resources_resource_countries FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resource_countries FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE OF language, resource_id ON resources_resourceversion DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE OF language, resource_id ON resources_resourceversion FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_resourceversion FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER DELETE OR UPDATE OF region_id ON initiatives_country DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER DELETE OR UPDATE OF region_id ON initiatives_country FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_country FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON resources_topic DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON resources_topic FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON resources_topic FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON initiatives_initiative DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON initiatives_initiative FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_initiative FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE OR UPDATE ON initiatives_region DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION resources_library_bump();
CREATE TRIGGER library_touched AFTER INSERT OR DELETE OR UPDATE ON initiatives_region FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON initiatives_region FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0007_extraction_requeue")]

    operations = [migrations.RunSQL(TRIGGERS, TRIGGERS_0005)]
