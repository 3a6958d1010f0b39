"""The resource library: toolkits, guidance and reports, each in one or more languages."""

from ..search import (
    MARK_START,
    MARK_STOP,
    SEARCH_CONFIGS,
    SNIPPET_TEXT_CHARS,
    Language,
    search_query,
    weighted,
    weighted_sql,
)
from .library import Resource, ResourceQuerySet, Topic
from .search_tables import LibraryGeneration, SearchDocument
from .versions import WEB_PAGE, ResourceVersion, language_name

__all__ = [
    "MARK_START",
    "MARK_STOP",
    "SEARCH_CONFIGS",
    "SNIPPET_TEXT_CHARS",
    "WEB_PAGE",
    "Language",
    "LibraryGeneration",
    "Resource",
    "ResourceQuerySet",
    "ResourceVersion",
    "SearchDocument",
    "Topic",
    "language_name",
    "search_query",
    "weighted",
    "weighted_sql",
]
