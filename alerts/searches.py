"""A library search as an alert keeps it: only the library's filter parameters, checked
by the library's own filterset (resources.filters), in a stable order; described in
words; and matched against newly published resources by the same filterset."""

from datetime import datetime
from urllib.parse import urlencode

import numpy as np
from django.http import QueryDict
from django.utils.translation import gettext as _

from resources.facets import FACETS, Choice, Flag, LinkedChoice, Terms, Year
from resources.filters import ResourceFilter
from resources.models import Resource

# Parameters of the library page that are not filters: the page number and the order.
NOT_FILTERS = {"sort", "page"}
# SearchAlert.query's length: a longer search is refused, never cut (it would mean another).
MAX_LENGTH = 1000


class InvalidSearch(ValueError):
    """The parameters are not a library search (a value no filter accepts)."""


def filter_names():
    return [name for name in ResourceFilter.base_filters if name not in NOT_FILTERS]


def _filterset(query, language):
    return ResourceFilter(
        data=QueryDict(query), queryset=Resource.objects.published(), language=language
    )


def normalise(params, language) -> str:
    """The library filter parameters of params (a QueryDict or a query string), sorted and
    without empty values; anything else is dropped. InvalidSearch when a filter refuses
    its value (an unknown type, topic or a year that is not one)."""
    if isinstance(params, str):
        params = QueryDict(params)
    names = filter_names()
    pairs = sorted(
        {(name, value.strip()) for name in names for value in params.getlist(name) if value.strip()}
    )
    query = urlencode(pairs)
    if len(query) > MAX_LENGTH:
        raise InvalidSearch(f"The search is longer than {MAX_LENGTH} characters.")
    filterset = _filterset(query, language)
    if not filterset.form.is_valid():
        errors = filterset.form.errors.values()
        raise InvalidSearch("; ".join(str(error) for field in errors for error in field))
    return query


def describe(query, language) -> str:
    """The search in words, in the active language: “Words: water; Type: Guidance”."""
    filterset = _filterset(query, language)
    values = filterset.values
    parts = []
    if values.get("q"):
        parts.append(_("Words: “%(words)s”") % {"words": values["q"].strip()})
    for facet in FACETS:
        chosen = _chosen(facet, values)
        if chosen:
            parts.append(f"{facet.label}: {chosen}")
    return "; ".join(parts) if parts else _("Every new resource")


def _chosen(facet, values):
    if isinstance(facet, Choice | LinkedChoice):
        labels = dict(facet.choices)
        return ", ".join(str(labels[value]) for value in values.get(facet.name) or [])
    if isinstance(facet, Terms):
        terms = values.get(facet.name)
        return ", ".join(str(getattr(term, facet.title)) for term in terms) if terms else ""
    if isinstance(facet, Year):
        start, stop = values.get(f"{facet.name}_from"), values.get(f"{facet.name}_to")
        if start is None and stop is None:
            return ""
        return f"{start or '…'}–{stop or '…'}"
    if isinstance(facet, Flag):
        return str(facet.choice_label) if values.get(facet.name) else ""
    return ""


def new_matches(query, language, since: datetime | None, until: datetime) -> list[int]:
    """Ids of the published resources first published in (since, until] that the search
    lets through, newest first. The new resources are few: they are read first, then
    looked up in the library's facet index, which says which of them the filters keep."""
    new = Resource.objects.published().filter(published_at__lte=until)
    if since is not None:
        new = new.filter(published_at__gt=since)
    ids = list(new.order_by("-published_at", "-pk").values_list("pk", flat=True))
    if not ids:
        return []
    filterset = _filterset(query, language)
    mask = filterset.selected()
    positions = filterset.index.lookup(ids)
    keep = (positions >= 0) & mask[np.where(positions >= 0, positions, 0)]
    return [pk for pk, kept in zip(ids, keep.tolist(), strict=True) if kept]
