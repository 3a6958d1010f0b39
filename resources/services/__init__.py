"""Every change to the resource library's state.

- resources: create, update, publish, unpublish, mark as key, count a download, import a
  CSV file; the one place where a resource's first publication is dated.
- extraction: reading uploaded files (page count, text) after commit, and the sweep that
  queues again what a lost worker left waiting.
- search: the search documents the library is searched by.

Callers use this package (`from resources import services`); the names below are those
modules' own.
"""

from collections.abc import Iterable

from ..models import Resource
from .extraction import (
    EXTRACTED_TEXT_LIMIT,
    EXTRACTION_MAX_ATTEMPTS,
    extraction_stall_seconds,
    read_pdf,
    resource_versions_saved,
    version_extract_text,
    version_file_changed,
    versions_requeue_stalled,
)
from .resources import (
    RELATIONS,
    Link,
    resource_create,
    resource_mark_key,
    resource_publish,
    resource_register_download,
    resource_unpublish,
    resource_update,
    resources_import_csv,
)
from .search import resource_update_search_vector, resources_update_search_vectors

__all__ = [
    "EXTRACTED_TEXT_LIMIT",
    "EXTRACTION_MAX_ATTEMPTS",
    "RELATIONS",
    "Link",
    "extraction_stall_seconds",
    "read_pdf",
    "resource_create",
    "resource_mark_key",
    "resource_publish",
    "resource_register_download",
    "resource_unpublish",
    "resource_update",
    "resource_update_search_vector",
    "resource_versions_saved",
    "resources_import_csv",
    "resources_mark_key",
    "resources_unpublish",
    "resources_update_search_vectors",
    "version_extract_text",
    "version_file_changed",
    "versions_requeue_stalled",
]


# The names before the services took ids and an actor, kept for the facet index's tests
# (tests/resources/test_index.py) until they call resource_unpublish and
# resource_mark_key; they act for nobody, so they leave no line in the audit trail.
def resources_unpublish(*, resources: Iterable[Resource]) -> int:
    return resource_unpublish(actor=None, resource_ids=[resource.pk for resource in resources])


def resources_mark_key(*, resources: Iterable[Resource], is_key: bool = True) -> int:
    return resource_mark_key(
        actor=None, resource_ids=[resource.pk for resource in resources], is_key=is_key
    )
