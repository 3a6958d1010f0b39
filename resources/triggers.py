"""The triggers that move the library's generation, written from the facets' registry.

Migration 0005 made the generation (a sequence and its one row) and the two functions the
triggers run: resources_library_bump, deferred to commit and once per transaction, and
resources_library_touched, a transaction-local marker for the writing transaction itself.
Each table the index reads (facets.INDEX_WATCHES and every facet's watches) gets:

- library_bump and library_touched on INSERT OR DELETE;
- library_bump_update and library_touched_update on UPDATE OF the watched columns, WHEN
  one of them is really different: Django's save() writes every column, so UPDATE OF
  alone would fire on any save of the row;
- library_truncated on TRUNCATE.

Migrations install them as SQL frozen at the time (a migration must run the same later),
never by importing this module; tests/resources/test_search_registry.py fails when the
installed triggers are not what trigger_sql() writes now.
"""

from .facets import FACETS, INDEX_WATCHES

NAMES = (
    "library_bump",
    "library_bump_update",
    "library_touched",
    "library_touched_update",
    "library_truncated",
)


def watched():
    """{table: [columns whose changes the index reads]}, in a stable order."""
    tables = {}
    for facet_watches in [INDEX_WATCHES, *(facet.watches() for facet in FACETS)]:
        for watch in facet_watches:
            tables.setdefault(watch.model._meta.db_table, set()).update(watch.columns())
    return {table: sorted(columns) for table, columns in sorted(tables.items())}


def _table_sql(table, columns):
    columns = [f'"{column}"' for column in columns]  # "order" is a keyword
    old = ", ".join(f"OLD.{column}" for column in columns)
    new = ", ".join(f"NEW.{column}" for column in columns)
    update = f"UPDATE OF {', '.join(columns)} ON {table}"
    changed = f"WHEN (ROW({old}) IS DISTINCT FROM ROW({new}))"
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    return [
        f"CREATE CONSTRAINT TRIGGER library_bump AFTER INSERT OR DELETE ON {table}\n"
        f"    {deferred} EXECUTE FUNCTION resources_library_bump();",
        f"CREATE CONSTRAINT TRIGGER library_bump_update AFTER {update}\n"
        f"    {deferred} {changed}\n"
        "    EXECUTE FUNCTION resources_library_bump();",
        f"CREATE TRIGGER library_touched AFTER INSERT OR DELETE ON {table}\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_touched();",
        f"CREATE TRIGGER library_touched_update AFTER {update}\n"
        f"    FOR EACH ROW {changed}\n"
        "    EXECUTE FUNCTION resources_library_touched();",
        f"CREATE TRIGGER library_truncated AFTER TRUNCATE ON {table}\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION resources_library_bump();",
    ]


def trigger_sql():
    """SQL creating every library trigger the registry asks for."""
    return "\n".join(
        statement
        for table, columns in watched().items()
        for statement in _table_sql(table, columns)
    )


def drop_sql(tables):
    """SQL dropping every library trigger on tables, whichever of them exist."""
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {table};" for table in tables for name in NAMES
    )
