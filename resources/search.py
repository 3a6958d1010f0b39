"""The library's languages and the words searched in them.

A language is one line in Language and one in SEARCH_CONFIGS: the search documents
(services.resources_update_search_vectors), the queries below, the language facet
(facets.py) and the triggers that keep the facet index current all read them. Its text
search configuration is made by a migration, as migration 0002 made these;
tests/resources/test_search_registry.py fails until that migration exists.
"""

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    AR = "ar", _("Arabic")


# Text search configurations made by migration 0002: each language's stemmer after
# unaccent, so accents never decide whether a word matches.
SEARCH_CONFIGS = {
    "en": "cpaor_english",
    "fr": "cpaor_french",
    "es": "cpaor_spanish",
    "ar": "cpaor_arabic",
}
# Markers around matched words in snippets: the text is escaped first, then the markers
# become <mark> (see templatetags/resource_tags.py), so a snippet never carries markup.
MARK_START, MARK_STOP = "\x02", "\x03"
# Snippets are cut from the summary and the first pages of the file: ts_headline reads
# every character it is given, and a page shows twenty of them.
SNIPPET_TEXT_CHARS = 5_000


def search_query(q):
    """The words as a query in every language's configuration: a French word in an
    English title still matches, and each language's stemmer gets its say."""
    query = None
    for config in SEARCH_CONFIGS.values():
        part = SearchQuery(q, config=config, search_type="websearch")
        query = part if query is None else query | part
    return query


def weighted_sql(column, weights):
    """SQL for the lexemes of the search vector `column` with the given weights ("a":
    titles; "ab": titles and summaries), written as migration 0005's expression indexes
    are, so that Postgres uses them."""
    return f"ts_filter({column}, '{{{','.join(weights)}}}')"


def weighted(field, weights):
    """weighted_sql as an expression."""
    return models.Func(
        F(field),
        function="ts_filter",
        template=weighted_sql("%(expressions)s", weights),
        output_field=SearchVectorField(),
    )
