"""The search documents: one row per resource with everything it can be found by.

Moved here unchanged from services.py; the names and signatures are what the library's
search reads and writes through (models.SearchDocument)."""

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from ..models import SEARCH_CONFIGS, Resource, ResourceVersion, SearchDocument


def _version_text(language):
    return Subquery(
        ResourceVersion.objects.filter(resource=OuterRef("pk"), language=language).values(
            "extracted_text"
        )[:1]
    )


def resource_update_search_vector(resource_id):
    """Re-index the resource: titles (A) > summaries (B) > file text (C), each language
    with its own configuration.

    Its search document is locked first: the statement that writes it reads the versions'
    text from a snapshot taken when it starts, so two versions read at once must write
    one after the other, the second seeing the first's committed text."""
    with transaction.atomic():
        list(
            SearchDocument.objects.select_for_update()
            .filter(resource_id=resource_id)
            .values_list("pk", flat=True)
        )
        resources_update_search_vectors([resource_id])


def resources_update_search_vectors(resource_ids=None):
    """The same for many resources in one statement (imports, the seed); None: all."""
    resources = Resource.objects.order_by()
    if resource_ids is not None:
        resources = resources.filter(pk__in=list(resource_ids))
    vector = None
    for language, config in SEARCH_CONFIGS.items():
        parts = SearchVector(f"title_{language}", config=config, weight="A") + SearchVector(
            f"summary_{language}", config=config, weight="B"
        )
        vector = parts if vector is None else vector + parts
    for language, config in SEARCH_CONFIGS.items():
        vector += SearchVector(_version_text(language), config=config, weight="C")
    select, params = (
        resources.annotate(document=vector).values("id", "document").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {SearchDocument._meta.db_table} (resource_id, vector)
            SELECT id, document FROM ({select}) source
            ON CONFLICT (resource_id) DO UPDATE SET vector = EXCLUDED.vector
            """,
            params,
        )
