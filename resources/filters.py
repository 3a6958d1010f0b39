"""The library's filters, its order and the counts shown next to each choice.

Choices within a facet widen the results (type=report&type=toolkit is either); facets
narrow each other. A choice's count is how many resources it would show given every
other active filter, the way library catalogues count.

The form validates the choices; the facet index (index.py) does the rest in memory. A
page costs the same queries however large the library grows: one to check that the index
is current, one for the words' matches and tiers (none when the same words were searched
just before), one for the page's resources and one for their versions; their topics come
from the index.
"""

import hashlib

import django_filters
import numpy as np
from django.db import connection
from django.db.models.sql import Query
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from common.languages import current_language

from . import index as library
from . import lexicon as frequent
from .facets import FACETS, TOPICS
from .lexicon import HEADINGS, MATCHES, TITLES
from .models import Resource, SearchDocument, search_query, weighted_sql

SORTS = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("title", _("Title")),
]
# Up to this many results are put in tiers from their own documents; more, from the GIN
# indexes on the titles, and on the titles and summaries, of every document.
TIER_DIRECTLY = 500


class LibraryFilterSet(django_filters.FilterSet):
    """The words, the order, and what every facet of facets.FACETS lets through."""

    class Meta:
        model = Resource
        fields = []

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language or current_language()

    @cached_property
    def values(self):
        """The valid filters; a mistyped year is ignored (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.form.cleaned_data

    @property
    def search_words(self):
        return (self.values.get("q") or "").strip()

    @property
    def sort_order(self):
        sort = self.values.get("sort")
        if sort == "relevance" and not self.search_words:
            sort = None
        return sort or ("relevance" if self.search_words else "newest")

    @property
    def is_filtering(self):
        return any(value for name, value in self.values.items() if name not in ("sort",))

    @cached_property
    def _state(self):
        return library.library_state()

    @cached_property
    def index(self):
        return self._state[0]

    @cached_property
    def lexicon(self):
        """The frequent words' matches in memory (lexicon.py), or None."""
        return frequent.lexicon(self._state[1], self.index.size)

    @property
    def _words_key(self):
        # The search documents' generation too: a remembered search is not reused once a
        # document has changed.
        return (" ".join(self.search_words.lower().split()), self._state[1])

    def _remembered(self, kind, read):
        return self.index.remembered((kind, self._words_key), lambda key: read())

    def _mask_of(self, ids):
        mask = np.zeros(self.index.size, dtype=bool)
        mask[self.index.positions_of(ids)] = True
        return mask

    @cached_property
    def matches(self):
        """A mask of the resources matching the words; None without words."""
        return self._matched[0] if self.search_words else None

    @cached_property
    def _answered(self):
        """(the words' query as lexicon.parse reads it, the bitmaps of its lexemes the
        lexicon lacks) when the words are matched and ranked in memory; None when
        Postgres does."""
        return self._matched[1] if self.search_words else None

    @cached_property
    def _matched(self):
        """(mask of the matches, _answered). The statement that makes the words lexemes
        says whether the lexicon can answer and, if not, matches them; sorted by
        relevance, it also reads which titles hold the words (or, for the lexicon, the
        missing lexemes' titles and headings), unless the facets leave so few resources
        that their own documents will tell."""

        def read():
            with_titles = self.sort_order == "relevance" and self._facets_let_through() > (
                TIER_DIRECTLY
            )
            query, matches, titles, more = search(
                self.search_words, titles=with_titles, lexicon=self.lexicon
            )
            tree = frequent.parse(query) if matches is None else None
            if matches is None and tree is None:  # never so, but Postgres can tell
                query, matches, titles, more = search(self.search_words, titles=with_titles)
            if titles is not None:
                self.index.remember(("titles", self._words_key), self._mask_of(titles))
            if matches is not None:
                return self._mask_of(matches), None
            # The frequent lexemes from the lexicon, the others (rarer) from Postgres: ranked
            # too when the lexemes' titles and headings were read.
            ranked = all(len(found) == 3 for found in more.values())
            more = {lexeme: self.lexicon.packed(found) for lexeme, found in more.items()}
            mask = self.lexicon.mask(tree, MATCHES, self.index.ids, more)
            return mask, (tree, more) if ranked else None

        return self._remembered("matches", read)

    def _facets_let_through(self):
        """How many resources the chosen facets let through, whatever the words."""
        mask = None
        for facet_mask in self.masks.values():
            mask = facet_mask if mask is None else mask & facet_mask
        return self.index.size if mask is None else int(np.count_nonzero(mask))

    def _in_tier(self, tier):
        """A mask of the resources whose titles ("titles") or titles and summaries together
        ("headings") hold all the words."""
        if self._answered:
            tree, more = self._answered
            which = TITLES if tier == "titles" else HEADINGS
            return self.lexicon.mask(tree, which, self.index.ids, more)
        return self._remembered(tier, lambda: self._mask_of(search_tier(self.search_words, tier)))

    def _tiers_among(self, positions):
        """The tier of each of a few results, read from their documents alone."""
        if self._answered:
            ids = self.index.ids[positions]
            tree, more = self._answered
            in_titles = self.lexicon.mask(tree, TITLES, ids, more)
            in_headings = self.lexicon.mask(tree, HEADINGS, ids, more)
            return np.where(in_titles, 2, np.where(in_headings, 1, 0))
        digest = hashlib.blake2b(positions.tobytes(), digest_size=16).digest()

        def read(key):
            ids = self.index.ids[positions]
            tiers = dict(search_tiers_among(self.search_words, ids))
            return np.array([tiers.get(pk, 0) for pk in ids.tolist()])

        return self.index.remembered(("tiers among", self._words_key, digest), read)

    def _by_relevance(self, positions, stop=None):
        """positions (newest first) by tier: the titles that hold all the words, then the
        titles and summaries that together do, then the rest (the file's text matched);
        within a tier, newest first. When the titles fill the page, the rest is not read.
        """
        if len(positions) <= TIER_DIRECTLY:
            tiers = self._tiers_among(positions)
            return np.concatenate([positions[tiers == tier] for tier in (2, 1, 0)])
        in_titles = self._in_tier("titles")[positions]
        first = positions[in_titles]
        if stop is not None and stop <= len(first):
            return first
        rest = positions[~in_titles]
        in_headings = self._in_tier("headings")[rest]
        return np.concatenate([first, rest[in_headings], rest[~in_headings]])

    @cached_property
    def masks(self):
        """{facet: mask of the resources its chosen values let through}."""
        masks = {}
        for facet in FACETS:
            mask = facet.mask(self.index, self.values, self)
            if mask is not None:
                masks[facet.name] = mask
        return masks

    def checked(self, name):
        """The values chosen for the filter name, as they were sent."""
        return {str(value) for value in self.data.getlist(name)} if self.data else set()

    def selected(self, exclude=None):
        """The resources the words and every facet but exclude let through (a facet not
        chosen excludes nothing: all of them share one mask)."""
        if exclude not in self.masks:
            exclude = None
        if exclude not in self._selected:
            mask = self.matches
            mask = self.index.everything() if mask is None else mask.copy()
            for facet, facet_mask in self.masks.items():
                if facet != exclude:
                    mask &= facet_mask
            self._selected[exclude] = mask
        return self._selected[exclude]

    @cached_property
    def _selected(self):
        return {}

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = Results(self)
        return self._qs

    def order(self, stop=None):
        """Positions in the index of the results, in the page's order: all of them, or at
        least the first `stop`."""
        index, mask = self.index, self.selected()
        sort = self.sort_order
        if sort == "title":
            order = index.title_order(self.language)
            return order[mask[order]]
        positions = np.flatnonzero(mask)  # newest first
        if sort == "relevance" and self.search_words:
            return self._by_relevance(positions, stop)
        return positions

    def facets(self):
        """Every facet's choices with their counts."""
        return {
            facet.name: facet.counts(self.index, self.selected(facet.name), self)
            for facet in FACETS
        }


def _declared_filters():
    """The form's filters: the words, each facet's, the order (in the form's order)."""
    filters = {"q": django_filters.CharFilter(label=_("Search the library"))}
    for facet in FACETS:
        filters.update(facet.filters())
    filters["sort"] = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, empty_label=None
    )
    return filters


ResourceFilter = type(
    "ResourceFilter", (LibraryFilterSet,), {"__module__": __name__, **_declared_filters()}
)


def _words_sql(words):
    query = Query(SearchDocument)
    return query.get_compiler(connection=connection).compile(
        search_query(words).resolve_expression(query)
    )


def search(words, titles=False, lexicon=None):
    """(the words' tsquery as text, ids of the resources they match, with titles the ids
    of those whose titles hold them, else None; then {}), in one query; published or not.

    Given the lexicon, a query of lexemes joined by AND and OR alone, none of them common
    yet missing from the lexicon, is not matched here: (its text, None, None, {lexeme the
    lexicon lacks, as the text writes it: its own matches, then with titles its titles'
    and its headings'})."""
    sql, params = _words_sql(words)
    if lexicon is None:
        columns = ["resources_search_matches(words.query)"]
        columns.append("resources_search_titles(words.query)" if titles else "NULL")
        columns += ["NULL"] * 4
        answer = ""
    else:
        lexeme = "('''' || lexeme || '''')::tsquery"
        reads = ["matches", "titles", "headings"] if titles else ["matches"]
        columns = [
            "CASE WHEN shaped THEN NULL ELSE resources_search_matches(words.query) END",
            "CASE WHEN shaped THEN NULL ELSE resources_search_titles(words.query) END"
            if titles
            else "NULL",
            "CASE WHEN shaped THEN unknown END",
        ]
        columns += [
            f"""CASE WHEN shaped THEN ARRAY(
                SELECT resources_search_{read}({lexeme})
                FROM unnest(unknown) WITH ORDINALITY lexemes(lexeme, n) ORDER BY n
            ) END"""
            for read in reads
        ]
        columns += ["NULL"] * (3 - len(reads))
        answer = f", LATERAL ({frequent.SHAPE_SQL.replace('query', 'words.query')}) answer"
        params = [*params, *lexicon.sql_arrays]
    # OFFSET 0 keeps the words' query a subquery made once: pulled up, each mention of
    # words.query would make it again, four configurations each time.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT words.query::text, {", ".join(columns)}
            FROM (SELECT {sql} AS query OFFSET 0) words{answer}
            """,
            params,
        )
        query, matches, in_titles, unknown, *found = cursor.fetchone()
    matches, in_titles = (
        None if ids is None else np.frombuffer(ids, dtype=">i8") for ids in (matches, in_titles)
    )
    more = {}
    for position, lexeme in enumerate(unknown or []):
        more[frequent.unquoted(lexeme)] = [
            np.frombuffer(ids[position], dtype=">i8") for ids in found if ids is not None
        ]
    return query, matches, in_titles, more


def search_tier(words, tier):
    """The ids of the resources whose titles ("titles") or titles and summaries together
    ("headings") hold the words (migration 0005's resources_search_titles / _headings)."""
    function = {"titles": "resources_search_titles", "headings": "resources_search_headings"}
    sql, params = _words_sql(words)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function[tier]}({sql})", params)
        return np.frombuffer(cursor.fetchone()[0], dtype=">i8")


def search_tiers_among(words, ids):
    """[(id, tier)] of the resources among ids, read from their documents."""
    sql, params = _words_sql(words)
    titles, headings = weighted_sql("vector", "a"), weighted_sql("vector", "ab")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT resource_id,
                   CASE WHEN {titles} @@ query THEN 2 WHEN {headings} @@ query THEN 1 ELSE 0 END
            FROM {SearchDocument._meta.db_table}, (SELECT {sql} AS query) words
            WHERE resource_id = ANY(%s)
            """,
            [*params, ids.tolist()],
        )
        return cursor.fetchall()


class Results:
    """The results as the paginator wants them: a count, and slices of resources read
    from the database only for the page shown, in the order the index gave."""

    def __init__(self, filterset):
        self.filterset = filterset

    def count(self):
        return int(np.count_nonzero(self.filterset.selected()))

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        stop = self.count() if item.stop is None else item.stop
        index = self.filterset.index
        positions = self.filterset.order(stop)[item]
        ids = index.ids[positions].tolist()
        if not ids:
            return []
        # In the index's order, below: no ORDER BY to write or sort by.
        resources = self.filterset.queryset.filter(pk__in=ids).order_by()
        if self.filterset.search_words:
            resources = resources.with_snippets(
                self.filterset.search_words, self.filterset.language
            )
        by_id = {resource.pk: resource for resource in resources}
        for pk, topics in zip(ids, TOPICS.filed(index, positions), strict=True):
            if pk in by_id:
                by_id[pk].listed_topics = topics
        return [by_id[pk] for pk in ids if pk in by_id]
