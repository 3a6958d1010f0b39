"""Every change to the resource library's state.

- resources: create, update, publish, unpublish, mark as key, count a download, import a
  CSV file; the one place where a resource's first publication is dated.
- extraction: reading uploaded files (page count, text) after commit, and the sweep that
  queues again what a lost worker left waiting.
- links: checking the links of versions published elsewhere, after commit and again
  on a schedule.
- search: the search documents the library is searched by.

Callers use this package (`from resources import services`); the names below are those
modules' own.
"""

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
from .links import (
    check_url,
    version_check_link,
    version_links_saved,
    versions_check_links_after_commit,
    versions_recheck_links,
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
    "check_url",
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
    "resources_update_search_vectors",
    "version_extract_text",
    "version_file_changed",
    "version_check_link",
    "version_links_saved",
    "versions_check_links_after_commit",
    "versions_recheck_links",
    "versions_requeue_stalled",
]
