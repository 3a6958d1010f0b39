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
# Snippets are cut from the summary, or from a passage of the file: ts_headline parses
# every character it is given (about 0.5 ms per 1,000 on a page of twenty), so it is
# given the SNIPPET_PASSAGE characters around the first of the words found among the
# file's first SNIPPET_TEXT_CHARS (a plain search for them, a fifth of the cost).
SNIPPET_TEXT_CHARS = 20_000
SNIPPET_PASSAGE = 600
SNIPPET_LEAD = 200  # characters of the passage before the word
# Languages whose words take prefixes (Arabic's al-, wa-, bi-): a lexeme is looked for
# anywhere in a word, not only at its start.
PREFIXED_LANGUAGES = {"ar"}


def search_query(q):
    """The words as a query in every language's configuration: a French word in an
    English title still matches, and each language's stemmer gets its say."""
    query = None
    for config in SEARCH_CONFIGS.values():
        part = SearchQuery(q, config=config, search_type="websearch")
        query = part if query is None else query | part
    return query


# A lexeme in a tsquery's text, quoted as Postgres writes it ('it''s'): an SQL string
# literal of a regular expression capturing the lexeme as written.
LEXEME_SQL = r"""'''((?:[^'']|'''')*)'''"""
# Where in passage.text the first word starting with a lexeme of the query is (0: none).
# Every character of a lexeme but letters and digits is escaped: it is matched as written.
PASSAGE_WORD_SQL = r"""regexp_instr(
    lower(unaccent(left(passage.text, {chars}))),
    (
        SELECT '{start}(' || string_agg(
            DISTINCT regexp_replace(lexeme[1], '([^[:alnum:]])', '\\\1', 'g'), '|'
        ) || ')'
        FROM regexp_matches(({query})::text, {lexeme}, 'g') lexeme
    )
)"""


class Passage(models.Expression):
    """SNIPPET_PASSAGE characters of text from SNIPPET_LEAD before the first word that
    starts with one of the query's lexemes (case and accents aside, as the search
    configurations read words), among its first SNIPPET_TEXT_CHARS; its start when none
    does. The lexemes are read from the query's text once per statement."""

    output_field = models.TextField()

    def __init__(self, text, query, whole_words=True):
        super().__init__()
        self.text, self.query, self.whole_words = text, query, whole_words

    def get_source_expressions(self):
        return [self.text, self.query]

    def set_source_expressions(self, expressions):
        self.text, self.query = expressions

    def as_sql(self, compiler, connection):
        text_sql, text_params = compiler.compile(self.text)
        query_sql, query_params = compiler.compile(self.query)
        found = PASSAGE_WORD_SQL.format(
            chars=SNIPPET_TEXT_CHARS,
            start=r"\m" if self.whole_words else "",
            query=query_sql,
            lexeme=LEXEME_SQL,
        )
        # OFFSET 0: the text is read once, not once for each of its two mentions.
        sql = f"""(
            SELECT substr(
                passage.text,
                greatest(1, coalesce(nullif({found}, 0), 1) - {SNIPPET_LEAD}),
                {SNIPPET_PASSAGE}
            )
            FROM (SELECT {text_sql} AS text OFFSET 0) passage
        )"""
        return sql, [*query_params, *text_params]


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
