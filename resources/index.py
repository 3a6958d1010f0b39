"""The library's facet index: what every published resource is filed under, in memory.

Counting facets in SQL reads every matching row once per facet; at 100,000 resources
that took seconds. This index holds each published resource's type, year, key flag,
languages, topics, initiatives and regions as numpy arrays, newest first. A list page
then costs one query for the words (when there are any) and the filters, counts and
order are array operations of a few milliseconds, the way search engines count facets.

What it holds is what facets.FACETS declares. Postgres stays the one source of truth:
triggers (triggers.py, installed by migration) move a generation number in the same
transaction as every change the index depends on, the facets' terms (topics, initiatives,
regions) included, and only those. Each request reads that number, one small query, and
the process rebuilds its index when it has moved, so a curator's change shows on the
next page load, and a rolled-back change never shows.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from common.languages import translated_or_english

from .facets import COLUMNS, LINKED
from .models import Resource

# Entries kept per process: a search's matches and its tiers, each an array of one byte
# per resource (95 KB at 100,000 resources).
REMEMBERED_SEARCHES = 32
# The committed generation, and the marker of a change earlier in this same transaction;
# then the same two of the search documents (lexicon.py), in the same query.
GENERATION_SQL = """
    SELECT (SELECT generation FROM resources_librarygeneration WHERE id = 1),
           current_setting('cpaor.library_local', true),
           (SELECT generation FROM resources_librarygeneration WHERE id = 2),
           current_setting('cpaor.search_local', true)
"""


@dataclass
class Links:
    """A many-valued facet: for each value, a bitmap of the resources filed under it,
    one bit per position, so that counting a value among a mask is an AND and a popcount
    over an eighth as many bytes as there are resources."""

    values: list  # the values, in the order of the rows of bitmaps
    bitmaps: np.ndarray  # (values, bytes) uint8, bits packed big-endian as np.packbits
    size: int

    @classmethod
    def build(cls, pairs, where, size):
        """pairs: (n, 2) of (resource id, value) for any resources; keeps the indexed
        ones."""
        ids, values = pairs[:, 0], pairs[:, 1]
        known = (ids >= 0) & (ids < len(where))
        positions = np.where(known, where[np.where(known, ids, 0)], -1)
        kept = positions >= 0
        distinct, rows = np.unique(values[kept], return_inverse=True)
        bits = np.zeros((len(distinct), size), dtype=bool)
        bits[rows, positions[kept]] = True
        return cls(distinct.tolist(), np.packbits(bits, axis=1), size)

    def having(self, values):
        """A mask of the resources filed under any of values."""
        chosen = set(values)
        rows = [row for row, value in enumerate(self.values) if value in chosen]
        if not rows:
            return np.zeros(self.size, dtype=bool)
        either = np.bitwise_or.reduce(self.bitmaps[rows], axis=0)
        return np.unpackbits(either, count=self.size).astype(bool)

    def of(self, positions):
        """For each of positions, the set of values it is filed under."""
        positions = np.asarray(positions, dtype=np.int64)
        if not self.values or not len(positions):
            return [set() for _position in positions]
        bits = (self.bitmaps[:, positions >> 3] >> (7 - (positions & 7)).astype(np.uint8)) & 1
        return [{self.values[row] for row in np.flatnonzero(column)} for column in bits.T]

    def counts(self, mask):
        """{value: resources among mask filed under it}."""
        if not self.values:
            return {}
        counts = np.bitwise_count(self.bitmaps & np.packbits(mask)).sum(axis=1)
        return {
            value: int(count) for value, count in zip(self.values, counts, strict=True) if count
        }


@dataclass
class LibraryIndex:
    generation: tuple
    ids: np.ndarray  # position -> resource id, newest first
    where: np.ndarray  # resource id -> position, -1 if not indexed
    columns: dict  # facet name -> array of one value per position
    links: dict  # facet name -> Links
    _title_orders: dict = field(default_factory=dict)
    _terms: dict = field(default_factory=dict)
    _searches: OrderedDict = field(default_factory=OrderedDict)
    _searches_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self):
        return len(self.ids)

    def everything(self):
        return np.ones(self.size, dtype=bool)

    def lookup(self, ids):
        """The position of each of ids; -1 for those not indexed (drafts, say)."""
        ids = np.asarray(ids, dtype=np.int64)
        known = (ids >= 0) & (ids < len(self.where))
        return np.where(known, self.where[np.where(known, ids, 0)], -1)

    def positions_of(self, ids):
        """Positions of the indexed resources among ids; the others are left out."""
        positions = self.lookup(ids)
        return positions[positions >= 0]

    def title_order(self, language):
        """Positions sorted by title in language (English when untranslated), as
        Postgres sorts them; read once per language and generation."""
        order = self._title_orders.get(language)
        if order is None:
            ids = (
                Resource.objects.published()
                .order_by(translated_or_english("title", language), "pk")
                .values_list("pk", flat=True)
            )
            order = self.positions_of(list(ids))
            self._title_orders[language] = order
        return order

    def terms(self, name, read):
        """The terms the facet name offers, in order: read() once per generation."""
        if name not in self._terms:
            self._terms[name] = list(read())
        return self._terms[name]

    def remembered(self, key, compute):
        """compute(key), kept for the most recent searches of this generation: the
        pages, sorts and facet choices that follow a search reuse its matches and tiers."""
        with self._searches_lock:
            if key in self._searches:
                self._searches.move_to_end(key)
                return self._searches[key]
        value = compute(key)
        self.remember(key, value)
        return value

    def remember(self, key, value):
        with self._searches_lock:
            self._searches[key] = value
            while len(self._searches) > REMEMBERED_SEARCHES:
                self._searches.popitem(last=False)

    def forget_searches(self):
        with self._searches_lock:
            self._searches.clear()


def _packed(cursor, select, params, columns):
    """The rows of select (`columns` integers each) as an (n, columns) array: Postgres
    packs them into one string of 8-byte integers, so that a million rows cross as a
    few megabytes instead of a million tuples. A row with a NULL in it is left out."""
    names = ", ".join(f"c{number}" for number in range(columns))
    row = " || ".join(f"int8send(c{number}::int8)" for number in range(columns))
    cursor.execute(
        f"SELECT string_agg({row}, ''::bytea) FROM ({select}) AS packed({names})", params
    )
    big_endian = np.frombuffer(cursor.fetchone()[0] or b"", dtype=">i8")
    return big_endian.astype(np.int64).reshape(-1, columns)


def _pairs(cursor, facet):
    """(n, 2): the (resource id, value) pairs of a linked facet, from all its querysets."""
    arrays = [
        _packed(cursor, *queryset.query.sql_with_params(), columns=2) for queryset in facet.pairs()
    ]
    return np.concatenate(arrays) if arrays else np.zeros((0, 2), dtype=np.int64)


def _read():
    """The index as of one moment: the generation is read first, in the same snapshot."""
    codes = [facet.sql() for facet in COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        generation = cursor.fetchone()[:2]
        # With the days since year 1 of its publication (-1: undated), to order by below.
        rows = _packed(
            cursor,
            f"""
            SELECT id, COALESCE(publication_date - DATE '0001-01-01', -1)
                   {"".join(f", {sql}" for sql, _params in codes)}
            FROM resources_resource WHERE status = %s
            """,
            [param for _sql, params in codes for param in params] + [Resource.Status.PUBLISHED],
            columns=2 + len(codes),
        )
        pairs = {facet.name: _pairs(cursor, facet) for facet in LINKED}
    # Newest first, undated last, then the highest id first: sorted here rather than by
    # Postgres, which spills a million rows to disk.
    rows = rows[np.lexsort((-rows[:, 0], -rows[:, 1]))]
    ids = rows[:, 0].copy()
    where = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int32)
    where[ids] = np.arange(len(ids), dtype=np.int32)
    return LibraryIndex(
        generation=generation,
        ids=ids,
        where=where,
        columns={
            facet.name: facet.array(rows[:, 2 + number]) for number, facet in enumerate(COLUMNS)
        },
        links={facet.name: Links.build(pairs[facet.name], where, len(ids)) for facet in LINKED},
    )


_lock = threading.Lock()
_current = None


def library_state():
    """(this process's index, rebuilt first if the library changed since it was read;
    the search documents' generation, for lexicon.lexicon), from one query."""
    global _current
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        row = cursor.fetchone()
    generation, searched = row[:2], row[2:]
    index = _current
    if index is not None and index.generation == generation:
        return index, searched
    with _lock:
        if _current is None or _current.generation != generation:
            _current = _read()
        return _current, searched


def library_index():
    """This process's index, rebuilt first if the library changed since it was read."""
    return library_state()[0]


def forget_searches():
    """Drop the remembered searches (the benchmark times searches afresh)."""
    if _current is not None:
        _current.forget_searches()
