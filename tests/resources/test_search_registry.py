"""The database does what the library's registry (resources/search.py, facets.py) says."""

import pytest
from django.db import connection, transaction

from resources.search import SEARCH_CONFIGS, Language
from resources.triggers import drop_sql, trigger_sql, watched

pytestmark = pytest.mark.django_db

MAKE_A_MIGRATION = (
    "The library's triggers in the database are not the ones resources/facets.py asks for: "
    "add a migration that installs resources.triggers.trigger_sql() as it is now, frozen "
    "in the migration as migration 0008 does (print it with `manage.py shell -c "
    '"from resources.triggers import trigger_sql; print(trigger_sql())"`).'
)


def installed_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
            FROM pg_trigger WHERE tgname LIKE 'library\\_%' AND NOT tgisinternal
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def test_the_installed_triggers_are_the_ones_the_facets_ask_for():
    installed = installed_triggers()
    tables = {table for table, _name, _definition in installed} | set(watched())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(drop_sql(sorted(tables)))
            cursor.execute(trigger_sql())
        wanted = installed_triggers()
        transaction.set_rollback(True)
    assert installed == wanted, MAKE_A_MIGRATION


def test_every_language_is_searched_with_its_own_configuration():
    assert set(SEARCH_CONFIGS) == set(Language.values)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)",
            [list(SEARCH_CONFIGS.values())],
        )
        made = {name for (name,) in cursor.fetchall()}
    missing = set(SEARCH_CONFIGS.values()) - made
    assert not missing, (
        f"No text search configuration {sorted(missing)}: add a migration that makes it, "
        "as migration 0002 made the others."
    )
