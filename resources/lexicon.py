"""The library's frequent words, answered in memory.

A word found in most of the library ("protection" is in two resources of three) costs
Postgres a scan of its GIN index, a visit to every matching row and an aggregation: 24 ms
of the page's 50 at 100,000 resources, and ten times that at a million. A rare word costs
a few rows. So the lexemes found in more than FREQUENT of the documents (Postgres's own
statistics of the search vectors name them: pg_stats.most_common_elems) are read once,
each as three bitmaps over resource ids (the documents holding it, those whose titles
do, those whose titles or summaries do), and a search of lexemes joined by AND and OR,
one of them at least in the lexicon, is answered by combining bitmaps: the matches and
both tiers of relevance, its other lexemes (rare: no common one, COMMON) read alone from
Postgres. Any other search (a phrase, a negation, a prefix, a common lexeme the lexicon
lacks, none it holds) is answered by Postgres as before; the statement that turns the
words into lexemes says which (filters.search).

The bitmaps follow the search documents: migration 0010's triggers move a second
generation (LibraryGeneration id 2) with every committed change to a vector, read in
the same query as the facet index's, and a transaction that changed a vector itself
does not use them. Once that generation has moved, a thread of the process reads the
bitmaps again while Postgres answers the pages, so no reader waits for the read.
Below LEXICON_FROM published resources Postgres answers any word in a few
milliseconds and the lexicon is not read.
"""

import logging
import re
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connection, connections

from .search import LEXEME_SQL

logger = logging.getLogger(__name__)

# The search documents' committed generation (index.GENERATION_SQL reads it with the rest).
SEARCHED_SQL = "SELECT generation FROM resources_librarygeneration WHERE id = 2"
# Lexemes in at least this share of the search documents are kept (167 of them in the
# benchmark's library, 6 MB at 100,000 resources): a rarer lexeme costs Postgres under
# 8 ms at 100,000 resources.
FREQUENT = 0.2
# A search with a lexeme in at least this share of the documents, not in the lexicon,
# is matched by Postgres as a whole: reading that lexeme's matches alone would cost more
# than letting Postgres intersect it with the others.
COMMON = 0.02
# Libraries smaller than this are searched in Postgres alone.
LEXICON_FROM = 10_000
# The three bitmaps of a lexeme, in this order: what each tells.
MATCHES, TITLES, HEADINGS = 0, 1, 2

# Every frequent lexeme with its bitmaps, in one statement. A lexeme holding a quote or
# a backslash is left out: tsquery writes those escaped, so it could never be recognised
# in a query's text below.
READ_SQL = r"""
SELECT lexeme, resources_search_matches(query), resources_search_titles(query),
       resources_search_headings(query)
FROM (
    SELECT element.lexeme, ('''' || element.lexeme || '''')::tsquery AS query
    FROM pg_stats statistics,
         unnest(statistics.most_common_elems::text::text[],
                statistics.most_common_elem_freqs) AS element(lexeme, share)
    WHERE statistics.schemaname = current_schema()
      AND statistics.tablename = 'resources_searchdocument'
      AND statistics.attname = 'vector'
      AND element.share >= %s AND element.lexeme !~ '[''\\]'
) frequent
"""
COMMON_SQL = """
SELECT element.lexeme
FROM pg_stats statistics,
     unnest(statistics.most_common_elems::text::text[],
            statistics.most_common_elem_freqs) AS element(lexeme, share)
WHERE statistics.schemaname = current_schema()
  AND statistics.tablename = 'resources_searchdocument'
  AND statistics.attname = 'vector'
  AND element.share >= %s AND element.share < %s AND element.lexeme IS NOT NULL
"""
# In SQL, for the tsquery `query`: `shaped`, whether its text holds only lexemes, &, |,
# parentheses and spaces (the grammar parse() below reads), at least one lexeme of the
# lexicon (else Postgres answers as cheaply) and none of the first list given as a
# parameter (those too common to read alone), and `unknown`, its lexemes (as the text
# writes them) not in the second list (the lexicon's), or NULL.
_QUOTED = r"'(?:[^']|'')*'"
SHAPE_SQL = f"""
    SELECT shape AND coalesce(cardinality(unknown), 0) < lexemes
           AND NOT coalesce(unknown && %s::text[], false) AS shaped,
           unknown
    FROM (
        SELECT numnode(query) > 0
               AND regexp_replace(query::text, '{_QUOTED.replace("'", "''")}', '', 'g')
                   ~ '^[&|() ]*$' AS shape,
               (SELECT count(DISTINCT lexeme[1])
                FROM regexp_matches(query::text, {LEXEME_SQL}, 'g') lexeme
               ) AS lexemes,
               (SELECT array_agg(DISTINCT lexeme[1])
                FROM regexp_matches(query::text, {LEXEME_SQL}, 'g') lexeme
                WHERE lexeme[1] <> ALL(%s::text[])) AS unknown
    ) lexemes
"""
_TOKENS = re.compile(rf"\s*(?:({_QUOTED})|([&|()]))")


def parse(text):
    """A tsquery's text as a tree of ("lexeme", word), ("and", [...]), ("or", [...]), or
    None when it holds anything else (a negation, a phrase, a prefix, weights)."""
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKENS.match(text, position)
        if not found:
            return None
        quoted, operator = found.groups()
        tokens.append(("lexeme", quoted[1:-1].replace("''", "'")) if quoted else operator)
        position = found.end()
    tree, rest = _expression(tokens)
    return tree if tree is not None and not rest else None


def _expression(tokens):
    """expression := term ("|" term)*; & binds tighter, as tsquery writes it."""
    return _joined(tokens, "|", "or", _term)


def _term(tokens):
    """term := factor ("&" factor)*"""
    return _joined(tokens, "&", "and", _factor)


def _joined(tokens, operator, kind, read):
    """(tree, tokens left) of read's parts joined by operator; (None, _) if malformed."""
    part, tokens = read(tokens)
    parts = [part]
    while part is not None and tokens and tokens[0] == operator:
        part, tokens = read(tokens[1:])
        parts.append(part)
    if part is None:
        return None, tokens
    return (parts[0] if len(parts) == 1 else (kind, parts)), tokens


def _factor(tokens):
    if not tokens:
        return None, tokens
    if isinstance(tokens[0], tuple):
        return tokens[0], tokens[1:]
    if tokens[0] == "(":
        tree, tokens = _expression(tokens[1:])
        if tree is None or not tokens or tokens[0] != ")":
            return None, tokens
        return tree, tokens[1:]
    return None, tokens


def unquoted(lexeme):
    """A lexeme as a tsquery's text writes it, as parse() reads it."""
    return lexeme.replace("''", "'")


def array_literal(values):
    quoted = (value.replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return "{" + ",".join(f'"{value}"' for value in quoted) + "}"


@dataclass
class Lexicon:
    searched: int  # the search documents' generation it was read at
    bitmaps: dict  # lexeme -> (3, bytes) uint8: MATCHES, TITLES, HEADINGS over ids
    size: int  # bits per bitmap: the highest resource id + 1
    common: list  # lexemes too common to read alone, yet not in the lexicon

    @property
    def words(self):
        return sorted(self.bitmaps)

    @cached_property
    def sql_arrays(self):
        """(common, words) as array literals: sent as one string each, parsed by
        Postgres in one call, where a list of a thousand strings would be an ARRAY[...]
        of a thousand constants to plan with every search (10 ms)."""
        return tuple(array_literal(lexemes) for lexemes in (self.common, self.words))

    def _bits(self, tree, which, more):
        if tree[0] == "lexeme":
            found = self.bitmaps.get(tree[1])
            return (more[tree[1]] if found is None else found)[which]
        combine = np.bitwise_and if tree[0] == "and" else np.bitwise_or
        return combine.reduce([self._bits(part, which, more) for part in tree[1]])

    def packed(self, found):
        """[resource ids, ...] as bitmaps like the lexicon's (newer ones left out: the
        lexicon is read again before a page sees them)."""
        bits = np.zeros((len(found), self.size), dtype=bool)
        for which, ids in enumerate(found):
            bits[which, ids[ids < self.size]] = True
        return np.packbits(bits, axis=1)

    def mask(self, tree, which, ids, more=None):
        """Whether each of ids (resource ids, as the facet index orders them) holds the
        words: in its document (MATCHES), its titles, or its titles and summaries. more:
        the bitmaps of the query's lexemes the lexicon lacks, as packed() makes them."""
        bits = np.unpackbits(self._bits(tree, which, more or {}), count=self.size).view(bool)
        ids = np.asarray(ids)
        return bits[np.minimum(ids, self.size - 1)] & (ids < self.size)

    @property
    def bytes(self):
        return sum(bitmaps.nbytes for bitmaps in self.bitmaps.values())


def _read(searched):
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(resource_id), 0) FROM resources_searchdocument")
        size = cursor.fetchone()[0] + 1
        cursor.execute(READ_SQL, [FREQUENT])
        rows = cursor.fetchall()
        cursor.execute(COMMON_SQL, [COMMON, FREQUENT])
        common = [lexeme for (lexeme,) in cursor.fetchall()]
    bitmaps = {}
    for lexeme, *found in rows:
        bits = np.zeros((3, size), dtype=bool)
        for which, ids in enumerate(found):
            ids = np.frombuffer(ids or b"", dtype=">i8")
            bits[which, ids[ids < size]] = True  # a newer one moved the generation
        bitmaps[lexeme] = np.packbits(bits, axis=1)
    return Lexicon(searched, bitmaps, size, common)


_lock = threading.Lock()
_current = None
_reading = None  # the thread reading the lexicon, while one does


def lexicon(searched, size):
    """The lexicon as of the search documents' generation `searched`; None for a library
    of `size` resources too small to need one, in a transaction that changed a search
    document itself (its second value), or while the lexicon is being read again after a
    change: Postgres answers meanwhile, so a changed document shows at once and no
    reader waits for the read (seconds at 100,000 resources, half a minute at a
    million)."""
    # The marker reads '' once a transaction that set it has ended on this connection.
    if size < LEXICON_FROM or searched[1]:
        return None
    current = _current
    if current is not None and current.searched == searched[0]:
        return current
    _read_in_background()
    return None


def _read_in_background():
    """Start reading the lexicon in a thread of this process, unless one already is."""
    global _reading
    with _lock:
        if _reading is not None and _reading.is_alive():
            return
        _reading = threading.Thread(target=_refresh, name="lexicon", daemon=True)
        _reading.start()


def _refresh():
    """Read the lexicon as of the search documents' committed generation, with this
    thread's own connection, closed after."""
    global _current
    try:
        with connection.cursor() as cursor:
            # Read before the bitmaps: a change committed meanwhile is in them, and the
            # generation it moved makes the next page read them again.
            cursor.execute(SEARCHED_SQL)
            searched = cursor.fetchone()[0]
        if _current is None or _current.searched != searched:
            _current = _read(searched)
    except Exception:
        logger.exception("The lexicon of frequent words could not be read")
    finally:
        connections.close_all()


def wait(timeout=None):
    """Until the lexicon being read, if any, is read (the benchmark; tests)."""
    reading = _reading
    if reading is not None:
        reading.join(timeout)
