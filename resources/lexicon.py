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
does not use them. Once that generation has moved, a thread of the process brings the
bitmaps up to date while Postgres answers the pages, so no reader waits: it reads again
only the documents changed since its last snapshot (migration 0011 records which, and
in which transaction), or every bitmap after many changes or a truncate.
Below LEXICON_FROM published resources Postgres answers any word in a few
milliseconds and the lexicon is not read.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connection, connections, transaction

from .search import LEXEME_SQL

logger = logging.getLogger(__name__)

# The search documents' committed generation (index.GENERATION_SQL reads it with the
# rest), and the snapshot it was read in: the changes to read at the next patch are
# those of the transactions it could not see.
SEARCHED_SQL = """
    SELECT (SELECT generation FROM resources_librarygeneration WHERE id = 2),
           pg_current_snapshot()::text
"""
# The documents changed by transactions the snapshot given could not see (migration
# 0011's table); NULL for a truncate.
CHANGED_SQL = """
    SELECT DISTINCT resource_id FROM resources_searchchange
    WHERE xact >= pg_snapshot_xmin(%(seen)s::pg_snapshot)
      AND NOT pg_visible_in_snapshot(xact, %(seen)s::pg_snapshot)
"""
# Which of the lexicon's lexemes each of the documents given holds: in all, in its
# titles (weight A), in its titles or summaries (A or B). A document holding none is
# left out; so is one deleted.
DOCUMENTS_SQL = """
    SELECT document.resource_id,
           array_agg(element.lexeme),
           array_agg(element.lexeme) FILTER (WHERE 'A' = ANY(element.weights)),
           array_agg(element.lexeme) FILTER (WHERE element.weights && '{A,B}')
    FROM resources_searchdocument document, unnest(document.vector) element
    WHERE document.resource_id = ANY(%s) AND element.lexeme = ANY(%s::text[])
    GROUP BY document.resource_id
"""
CHANGES_KEPT = "1 day"
PRUNE_SQL = f"DELETE FROM resources_searchchange WHERE changed < now() - interval '{CHANGES_KEPT}'"
# A lexicon is patched with the changed documents alone, unless more than this share of
# the library changed since it was read whole (its lexemes are those Postgres's
# statistics named then), or it was last brought up to date longer ago than this many
# seconds (well within CHANGES_KEPT: older changes are deleted).
PATCH_SHARE = 0.05
PATCH_WITHIN = 6 * 3600
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
    documents: int = 0  # search documents when it was read whole
    snapshot: str = ""  # the snapshot it is up to date with (pg_snapshot's text)
    checked: float = 0.0  # when it was brought up to date (time.monotonic())
    patched: int = 0  # documents patched in since it was read whole

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


def _read(cursor, searched, snapshot):
    """The lexicon read whole: every frequent lexeme's bitmaps."""
    cursor.execute(
        "SELECT coalesce(max(resource_id), 0) + 1, count(*) FROM resources_searchdocument"
    )
    size, documents = cursor.fetchone()
    cursor.execute(READ_SQL, [FREQUENT])
    rows = cursor.fetchall()
    cursor.execute(COMMON_SQL, [COMMON, FREQUENT])
    common = [lexeme for (lexeme,) in cursor.fetchall()]
    bitmaps = {}
    for lexeme, *found in rows:
        bits = np.zeros((3, size), dtype=bool)
        for which, ids in enumerate(found):
            ids = np.frombuffer(ids or b"", dtype=">i8")
            bits[which, ids[ids < size]] = True
        bitmaps[lexeme] = np.packbits(bits, axis=1)
    return Lexicon(searched, bitmaps, size, common, documents, snapshot, time.monotonic())


def _patched(cursor, current, searched, snapshot):
    """current brought up to date by reading again only the documents changed since its
    snapshot; None when it should be read whole instead."""
    if not current.snapshot or time.monotonic() - current.checked > PATCH_WITHIN:
        return None
    cursor.execute(CHANGED_SQL, {"seen": current.snapshot})
    changed = [pk for (pk,) in cursor.fetchall()]
    if None in changed or current.patched + len(changed) > PATCH_SHARE * current.documents:
        return None
    size = max([current.size, *(pk + 1 for pk in changed)])
    width = (size + 7) // 8
    bitmaps = {
        lexeme: np.pad(bits, ((0, 0), (0, width - bits.shape[1])))  # a copy: pages read it
        for lexeme, bits in current.bitmaps.items()
    }
    if changed:
        ids = np.array(changed, dtype=np.int64)
        cursor.execute(DOCUMENTS_SQL, [changed, current.sql_arrays[1]])
        held = {lexeme: np.zeros((3, len(ids)), dtype=bool) for lexeme in bitmaps}
        column = {pk: number for number, pk in enumerate(changed)}
        for pk, *lexemes in cursor.fetchall():
            for which, found in enumerate(lexemes):
                for lexeme in found or ():
                    held[lexeme][which, column[pk]] = True
        # Each changed id's bit, set or cleared, in the bytes that hold them.
        touched, rows = np.unique(ids >> 3, return_inverse=True)
        bit = ids & 7
        for lexeme, bits in bitmaps.items():
            block = np.unpackbits(bits[:, touched], axis=1).reshape(3, len(touched), 8)
            block[:, rows, bit] = held[lexeme]
            bits[:, touched] = np.packbits(block, axis=2).reshape(3, len(touched))
    return Lexicon(
        searched,
        bitmaps,
        size,
        current.common,
        current.documents,
        snapshot,
        time.monotonic(),
        current.patched + len(changed),
    )


_lock = threading.Lock()
_current = None
_reading = None  # the thread reading the lexicon, while one does


def lexicon(searched, size):
    """The lexicon as of the search documents' generation `searched`; None for a library
    of `size` resources too small to need one, in a transaction that changed a search
    document itself (its second value), or while the lexicon is being brought up to date
    after a change: Postgres answers meanwhile, so a changed document shows at once and
    no reader waits (a patch takes milliseconds; a whole read, seconds at 100,000
    resources and half a minute at a million)."""
    # The marker reads '' once a transaction that set it has ended on this connection.
    if size < LEXICON_FROM or searched[1]:
        return None
    current = _current
    if current is not None and current.searched == searched[0]:
        return current
    _read_in_background()
    return None


def _read_in_background():
    """Start bringing the lexicon up to date in a thread of this process, unless one
    already is."""
    global _reading
    with _lock:
        if _reading is not None and _reading.is_alive():
            return
        _reading = threading.Thread(target=_refresh, name="lexicon", daemon=True)
        _reading.start()


def _refresh():
    """Bring the lexicon up to the search documents' committed generation, patched or
    read whole, in one snapshot, with this thread's own connection, closed after."""
    global _current
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(SEARCHED_SQL)
            searched, snapshot = cursor.fetchone()
            current = _current
            if current is None or current.searched != searched:
                patched = current and _patched(cursor, current, searched, snapshot)
                _current = patched or _read(cursor, searched, snapshot)
        with connection.cursor() as cursor:
            cursor.execute(PRUNE_SQL)
    except Exception:
        logger.exception("The lexicon of frequent words could not be read")
    finally:
        connections.close_all()


def wait(timeout=None):
    """Until the lexicon being read, if any, is read (the benchmark; tests)."""
    reading = _reading
    if reading is not None:
        reading.join(timeout)
