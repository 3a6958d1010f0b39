"""The library's filters, its order and the counts shown next to each choice.

Choices within a facet widen the results (type=report&type=toolkit is either); facets
narrow each other. A choice's count is how many resources it would show given every
other active filter, the way library catalogues count.

The form validates the choices; the facet index (index.py) does the rest in memory. A
page costs the same queries however large the library grows: one to check that the index
is current, one for the words' matches and one for their ranks (neither when the same
words were searched just before), and one for the page's resources and two for their
topics and versions.
"""

import hashlib

import django_filters
import numpy as np
from django import forms
from django.db import connection
from django.db.models.sql import Query
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Region

from . import index as library
from .models import (
    Language,
    Resource,
    SearchDocument,
    Topic,
    current_language,
    search_query,
)

SORTS = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("title", _("Title")),
]
FACETS = ("type", "language", "year", "topic", "initiative", "region", "key")
# Up to this many results are ranked by themselves; more, by ranking every match (once,
# then remembered): a thousand lookups by id cost about what the index scan does.
RANK_DIRECTLY = 1_000
# A facet's name and the form fields it owns.
FACET_FIELDS = {"year": ("year_from", "year_to")}


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search the library"))
    type = django_filters.MultipleChoiceFilter(label=_("Type"), choices=Resource.Type.choices)
    language = django_filters.MultipleChoiceFilter(label=_("Language"), choices=Language.choices)
    year_from = YearFilter(label=_("From"))
    year_to = YearFilter(label=_("To"))
    topic = django_filters.ModelMultipleChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), to_field_name="slug"
    )
    initiative = django_filters.ModelMultipleChoiceFilter(
        label=_("Initiative"), queryset=Initiative.objects.published(), to_field_name="slug"
    )
    region = django_filters.ModelMultipleChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="slug"
    )
    key = django_filters.BooleanFilter(label=_("Key resources only"), widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORTS, empty_label=None)

    class Meta:
        model = Resource
        fields = []

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language or current_language()

    @property
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
    def index(self):
        return library.library_index()

    @property
    def _words_key(self):
        return " ".join(self.search_words.lower().split())

    @cached_property
    def matches(self):
        """A mask of the resources matching the words; None without words."""
        if not self.search_words:
            return None

        def find(key):
            mask = np.zeros(self.index.size, dtype=bool)
            mask[self.index.positions_of(search_matches(key[1]))] = True
            return mask

        return self.index.remembered(("matches", self._words_key), find)

    def ranks(self, positions):
        """The rank of each of positions for the words. Few results (a search narrowed by
        facets) are ranked by themselves; many, by ranking every title and summary the
        words match, once, and remembering it for the pages that follow."""
        index, key = self.index, ("ranks", self._words_key)

        def rank_all(key):
            ids, ranks = search_ranks(key[1])
            every = np.zeros(index.size, dtype=np.float32)
            found = index.lookup(ids)
            every[found[found >= 0]] = ranks[found >= 0]
            return every

        if len(positions) > RANK_DIRECTLY or index.is_remembered(key):
            return index.remembered(key, rank_all)[positions]

        def rank_among(key):
            ids, ranks = search_ranks(key[1], among=index.ids[positions])
            found = np.zeros(index.size, dtype=np.float32)
            found[index.positions_of(ids)] = ranks[index.lookup(ids) >= 0]
            return found[positions]

        among = hashlib.blake2b(positions.tobytes(), digest_size=16).digest()
        return index.remembered(("ranks among", key[1], among), rank_among)

    @cached_property
    def masks(self):
        """{facet: mask of the resources its chosen values let through}."""
        index, values, masks = self.index, self.values, {}
        if values.get("type"):
            codes = [library.TYPES.index(value) for value in values["type"]]
            masks["type"] = np.isin(index.types, codes)
        if values.get("language"):
            codes = [library.LANGUAGES.index(value) for value in values["language"]]
            masks["language"] = index.languages.having(codes, index.size)
        year_from, year_to = values.get("year_from"), values.get("year_to")
        if year_from is not None or year_to is not None:
            mask = index.years > 0
            if year_from is not None:
                mask &= index.years >= year_from
            if year_to is not None:
                mask &= index.years <= year_to
            masks["year"] = mask
        for name in ("topic", "initiative", "region"):
            # An empty choice is a QuerySet.none(): asking whether it is empty costs time.
            if self.is_bound and self.data.getlist(name) and values.get(name):
                links = getattr(index, f"{name}s")
                masks[name] = links.having([term.pk for term in values[name]], index.size)
        if values.get("key"):
            masks["key"] = index.key
        return masks

    def selected(self, exclude=None):
        """The resources the words and every facet but exclude let through."""
        mask = self.matches
        mask = self.index.everything() if mask is None else mask.copy()
        for facet, facet_mask in self.masks.items():
            if facet != exclude:
                mask &= facet_mask
        return mask

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = Results(self)
        return self._qs

    def order(self):
        """Positions in the index of the results, in the page's order."""
        index, mask = self.index, self.selected()
        sort = self.sort_order
        if sort == "title":
            order = index.title_order(self.language)
            return order[mask[order]]
        positions = np.flatnonzero(mask)  # newest first
        if sort == "relevance" and self.search_words:
            # Highest rank first; among equals, the newest (the lower position).
            return positions[np.lexsort((positions, -self.ranks(positions)))]
        return positions

    # Facet counts.

    def _choices(self, name, options):
        """[{value, label, count, checked}] for a facet, hiding choices that find nothing."""
        selected = {str(value) for value in self.data.getlist(name)} if self.data else set()
        return [
            {"value": value, "label": label, "count": count, "checked": value in selected}
            for value, label, count in options
            if count or value in selected
        ]

    def facets(self):
        """Every facet's choices with their counts."""
        index = self.index
        types = np.bincount(
            index.types[self.selected("type")], minlength=len(library.TYPES) + 1
        ).tolist()
        languages = index.languages.counts(self.selected("language"))
        year_counts = np.bincount(index.years[self.selected("year")])
        years = np.flatnonzero(year_counts[1:]) + 1  # 0: undated
        topic_counts = index.topics.counts(self.selected("topic"))
        initiative_counts = index.initiatives.counts(self.selected("initiative"))
        region_counts = index.regions.counts(self.selected("region"))
        terms = index.terms()
        return {
            "type": self._choices(
                "type",
                [
                    (value, label, types[code])
                    for code, (value, label) in enumerate(Resource.Type.choices)
                ],
            ),
            "language": self._choices(
                "language",
                [
                    (value, label, languages.get(code, 0))
                    for code, (value, label) in enumerate(Language.choices)
                ],
            ),
            "year": [
                {"value": year, "count": count}
                for year, count in zip(
                    years[::-1].tolist(), year_counts[years[::-1]].tolist(), strict=True
                )
            ],
            "topic": self._choices(
                "topic",
                [
                    (topic.slug, topic.name, topic_counts.get(topic.pk, 0))
                    for topic in terms["topic"]
                ],
            ),
            "initiative": self._choices(
                "initiative",
                [
                    (initiative.slug, initiative.title, initiative_counts.get(initiative.pk, 0))
                    for initiative in terms["initiative"]
                ],
            ),
            "region": self._choices(
                "region",
                [
                    (region.slug, region.name, region_counts.get(region.pk, 0))
                    for region in terms["region"]
                ],
            ),
            "key": int(np.count_nonzero(self.selected("key") & index.key)),
        }


def _words_sql(words):
    query = Query(SearchDocument)
    return query.get_compiler(connection=connection).compile(
        search_query(words).resolve_expression(query)
    )


def search_matches(words):
    """The ids of the resources the words match, published or not."""
    sql, params = _words_sql(words)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT resources_search_matches({sql})", params)
        return np.frombuffer(cursor.fetchone()[0], dtype=">i8")


def search_ranks(words, among=None):
    """(ids, ranks) of the resources whose titles or summaries the words match: all of
    them, or those among the ids given. Packed in binary (see migration 0005)."""
    sql, params = _words_sql(words)
    with connection.cursor() as cursor:
        if among is None:
            cursor.execute(f"SELECT * FROM resources_search_ranks({sql})", params)
        else:
            cursor.execute(
                f"""
                SELECT coalesce(string_agg(int8send(resource_id), ''::bytea), ''::bytea),
                       coalesce(string_agg(float4send(ts_rank(vector, query)), ''::bytea),
                                ''::bytea)
                FROM resources_searchheading, (SELECT {sql} AS query) words
                WHERE resource_id = ANY(%s) AND vector @@ query
                """,
                [*params, among.tolist()],
            )
        ids, ranks = cursor.fetchone()
    return np.frombuffer(ids, dtype=">i8"), np.frombuffer(ranks, dtype=">f4")


class Results:
    """The results as the paginator wants them: a count, and slices of resources read
    from the database only for the page shown, in the order the index gave."""

    def __init__(self, filterset):
        self.filterset = filterset

    @cached_property
    def positions(self):
        return self.filterset.order()

    def count(self):
        return len(self.positions)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        ids = self.filterset.index.ids[self.positions[item]].tolist()
        if not ids:
            return []
        resources = self.filterset.queryset.filter(pk__in=ids)
        if self.filterset.search_words:
            resources = resources.with_snippets(
                self.filterset.search_words, self.filterset.language
            )
        by_id = {resource.pk: resource for resource in resources}
        return [by_id[pk] for pk in ids if pk in by_id]
