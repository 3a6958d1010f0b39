"""Cursor pagination: DRF's for the initiatives and the newsletter archive, and the
library's own, which pages through the facet index's order (resources.filters).

The library's results are not a queryset ordered in SQL but positions in the in-memory
facet index, so DRF's CursorPagination cannot walk them. Its cursor is signed (a client
cannot forge one) and opaque, like DRF's:

- newest first (the default order), it holds the last resource's publication date and
  id, and the next page starts after that place in the order, wherever the resource is
  now: a resource published or removed meanwhile shifts nothing, so walking the pages
  gives every resource once;
- by relevance (with `q`) or by title, it holds an offset into that order; a change to
  the library between two pages can then move a result across the page boundary.
"""

import datetime
import re

import numpy as np
from django.core import signing
from django.db.models import Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from resources.models import Resource

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_SALT = "api.resources.cursor"
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class ArchiveCursorPagination(CursorPagination):
    """DRF's cursor over a queryset's own order."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # The views set their order; this is what DRF needs when one does not.
    ordering = "-pk"

    def get_page_size(self, request):
        return page_size(request)

    def decode_cursor(self, request):
        # DRF answers 404 to a cursor it cannot read, and reads characters outside base64
        # as nothing (the first page); either is a bad parameter, as elsewhere.
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not BASE64.fullmatch(encoded):
            raise ValidationError({"cursor": ["This cursor is not valid."]})
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["This cursor is not valid."]}) from None


class InitiativeCursorPagination(ArchiveCursorPagination):
    # The initiatives page's order, less the title (which changes with the language).
    ordering = ("-is_featured", "order", "pk")


class IssueCursorPagination(ArchiveCursorPagination):
    ordering = ("-started_at", "-pk")


def page_size(request):
    """The page_size asked for, at most MAX_PAGE_SIZE; 400 for anything not a number."""
    value = request.query_params.get("page_size")
    if value in (None, ""):
        return PAGE_SIZE
    try:
        size = int(value)
    except ValueError:
        raise ValidationError({"page_size": ["A whole number from 1 to 100."]}) from None
    if size < 1:
        raise ValidationError({"page_size": ["A whole number from 1 to 100."]})
    return min(size, MAX_PAGE_SIZE)


def read_cursor(request, sort):
    """The cursor's content, or None on the first page; 400 when it was not ours, was
    altered, or was made for another order."""
    value = request.query_params.get("cursor")
    if not value:
        return None
    try:
        cursor = signing.loads(value, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": ["This cursor is not valid."]}) from None
    if not isinstance(cursor, dict) or cursor.get("sort") != sort:
        raise ValidationError({"cursor": ["This cursor belongs to another order."]})
    return cursor


def write_cursor(cursor):
    return signing.dumps(cursor, salt=CURSOR_SALT, compress=True)


def _start_after(key):
    """How many published resources come, newest first, before the place key names (a
    publication date or None, then an id), the resource itself included: one count.
    The facet index orders by publication date, newest first and undated last, then id,
    descending: the same order as here."""
    date, pk = key
    published = Resource.objects.published()
    if date is None:
        before = Q(publication_date__isnull=False) | Q(publication_date__isnull=True, pk__gte=pk)
    else:
        day = datetime.date.fromisoformat(date)
        before = Q(publication_date__gt=day) | Q(publication_date=day, pk__gte=pk)
    return published.filter(before).count()


def library_page(filterset, request):
    """(resource ids of the page, the next page's cursor or None, the total count)."""
    sort = filterset.sort_order
    size = page_size(request)
    cursor = read_cursor(request, sort)
    count = int(np.count_nonzero(filterset.selected()))
    if sort == "newest":
        positions = filterset.order()
        start = 0
        if cursor is not None:
            key = cursor.get("after")
            if not (isinstance(key, list) and len(key) == 2 and isinstance(key[1], int)):
                raise ValidationError({"cursor": ["This cursor is not valid."]})
            try:
                start = int(np.searchsorted(positions, _start_after(key)))
            except (TypeError, ValueError):
                raise ValidationError({"cursor": ["This cursor is not valid."]}) from None
        page = positions[start : start + size]
        more = start + size < len(positions)
    else:
        offset = cursor.get("offset", 0) if cursor is not None else 0
        if not isinstance(offset, int) or offset < 0:
            raise ValidationError({"cursor": ["This cursor is not valid."]})
        page = filterset.order(stop=offset + size)[offset : offset + size]
        more = offset + size < count
    ids = filterset.index.ids[page].tolist()

    def next_cursor(resources):
        if not more or not resources:
            return None
        if sort == "newest":
            last = resources[-1]
            date = last.publication_date.isoformat() if last.publication_date else None
            return write_cursor({"sort": sort, "after": [date, last.pk]})
        return write_cursor({"sort": sort, "offset": offset + size})

    return ids, next_cursor, count
