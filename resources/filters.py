"""The library's filters and the counts shown next to each choice.

Choices within a facet widen the results (type=report&type=toolkit is either); facets
narrow each other. A choice's count is how many resources it would show given every
other active filter, the way library catalogues count. Each facet costs one or two
queries (the counts, and the terms' names), so a page costs the same number of queries
however large the library grows.
"""

import django_filters
from django import forms
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Region

from .models import Language, Resource, ResourceVersion, Topic, current_language

SORTS = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("title", _("Title")),
]
FACETS = ("type", "language", "year", "topic", "initiative", "region", "key")
# A facet's name and the form fields it owns.
FACET_FIELDS = {"year": ("year_from", "year_to")}


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search the library"), method="no_op")
    type = django_filters.MultipleChoiceFilter(
        label=_("Type"), choices=Resource.Type.choices, method="filter_type"
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"), choices=Language.choices, method="filter_language"
    )
    year_from = YearFilter(label=_("From"), method="filter_year_from")
    year_to = YearFilter(label=_("To"), method="filter_year_to")
    topic = django_filters.ModelMultipleChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        method="filter_topic",
    )
    initiative = django_filters.ModelMultipleChoiceFilter(
        label=_("Initiative"),
        queryset=Initiative.objects.published(),
        to_field_name="slug",
        method="filter_initiative",
    )
    region = django_filters.ModelMultipleChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
    )
    key = django_filters.BooleanFilter(
        label=_("Key resources only"), widget=forms.CheckboxInput, method="filter_key"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, empty_label=None, method="no_op"
    )

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

    def narrow(self, queryset, exclude=None):
        """queryset narrowed by every facet but `exclude`; the search words as a filter."""
        skipped = {"q", "sort", *FACET_FIELDS.get(exclude, (exclude,))}
        for name, value in self.values.items():
            if name in skipped or not value:
                continue
            queryset = getattr(self, f"filter_{name}")(queryset, name, value)
        return queryset

    def filter_queryset(self, queryset):
        queryset = self.narrow(queryset)
        if self.search_words:
            queryset = queryset.search(self.search_words, self.language)
        return queryset.ordered(self.sort_order, self.language)

    def no_op(self, queryset, name, value):
        return queryset

    def filter_type(self, queryset, name, value):
        return queryset.filter(type__in=value)

    def filter_language(self, queryset, name, value):
        versions = ResourceVersion.objects.filter(language__in=value)
        return queryset.filter(pk__in=versions.values("resource_id"))

    def filter_year_from(self, queryset, name, value):
        return queryset.filter(publication_date__year__gte=value)

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(publication_date__year__lte=value)

    def filter_topic(self, queryset, name, value):
        through = Resource.topics.through.objects.filter(topic__in=value)
        return queryset.filter(pk__in=through.values("resource_id"))

    def filter_initiative(self, queryset, name, value):
        through = Resource.initiatives.through.objects.filter(initiative__in=value)
        return queryset.filter(pk__in=through.values("resource_id"))

    def filter_region(self, queryset, name, value):
        """Resources about the regions themselves or about one of their countries."""
        in_region = Resource.regions.through.objects.filter(region__in=value)
        in_country = Resource.countries.through.objects.filter(country__region__in=value)
        return queryset.filter(
            Q(pk__in=in_region.values("resource_id")) | Q(pk__in=in_country.values("resource_id"))
        )

    def filter_key(self, queryset, name, value):
        return queryset.filter(is_key=True)

    # Facet counts.

    def _others(self, facet):
        queryset = self.narrow(self.queryset, exclude=facet)
        if self.search_words:
            queryset = queryset.matching(self.search_words)
        return queryset.order_by()

    def _choices(self, name, options):
        """[{value, label, count, checked}] for a facet, hiding choices that find nothing."""
        selected = {str(value) for value in self.data.getlist(name)} if self.data else set()
        return [
            {"value": value, "label": label, "count": count, "checked": value in selected}
            for value, label, count in options
            if count or value in selected
        ]

    def _region_counts(self):
        """{region id: resources}: a resource is in a region named on it or through one of
        its countries. The matches are read once (a materialised CTE); the (resource,
        region) pairs of both links, made distinct by UNION, are counted in one pass
        instead of a correlated subquery per region."""
        matched_sql, params = self._others("region").values("pk").query.sql_with_params()
        regions = Resource.regions.through._meta.db_table
        countries = Resource.countries.through._meta.db_table
        country = Resource.countries.field.related_model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH matched (id) AS MATERIALIZED ({matched_sql})
                SELECT region_id, count(*) FROM (
                    SELECT link.resource_id, link.region_id
                    FROM {regions} link JOIN matched ON matched.id = link.resource_id
                    UNION
                    SELECT link.resource_id, country.region_id
                    FROM {countries} link
                    JOIN matched ON matched.id = link.resource_id
                    JOIN {country} country ON country.id = link.country_id
                ) pairs
                GROUP BY region_id
                """,
                params,
            )
            return dict(cursor.fetchall())

    def facets(self):
        """Every facet's choices with their counts; one query per facet."""
        types = dict(
            self._others("type")
            .values_list("type")
            .annotate(n=Count("pk"))
            .values_list("type", "n")
        )
        languages = dict(
            ResourceVersion.objects.filter(resource__in=self._others("language").values("pk"))
            .order_by()
            .values_list("language")
            .annotate(n=Count("resource_id", distinct=True))
            .values_list("language", "n")
        )
        years = list(
            self._others("year")
            .exclude(publication_date=None)
            .annotate(year=ExtractYear("publication_date"))
            .values_list("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
            .values_list("year", "n")
        )

        def grouped_count(through, field, facet):
            """{term id: resources}: one pass over the link table, reading the matches
            once, rather than one subquery per term each re-running the search."""
            return dict(
                through.objects.filter(resource_id__in=self._others(facet).values("pk"))
                .order_by()
                .values_list(field)
                .annotate(n=Count("pk"))
                .values_list(field, "n")
            )

        topic_counts = grouped_count(Resource.topics.through, "topic_id", "topic")
        topics = [
            (topic, topic_counts.get(topic.pk, 0))
            for topic in Topic.objects.order_by("order", "name")
        ]
        initiative_counts = grouped_count(
            Resource.initiatives.through, "initiative_id", "initiative"
        )
        initiatives = [
            (initiative, initiative_counts.get(initiative.pk, 0))
            for initiative in Initiative.objects.published().order_by("order", "pk")
        ]
        region_counts = self._region_counts()
        regions = [
            (region, region_counts.get(region.pk, 0))
            for region in Region.objects.order_by("order", "name")
        ]
        key_count = self._others("key").filter(is_key=True).count()
        return {
            "type": self._choices(
                "type",
                [(value, label, types.get(value, 0)) for value, label in Resource.Type.choices],
            ),
            "language": self._choices(
                "language",
                [(value, label, languages.get(value, 0)) for value, label in Language.choices],
            ),
            "year": [{"value": year, "count": count} for year, count in years],
            "topic": self._choices("topic", [(t.slug, t.name, n) for t, n in topics]),
            "initiative": self._choices(
                "initiative", [(i.slug, i.title, n) for i, n in initiatives]
            ),
            "region": self._choices("region", [(r.slug, r.name, n) for r, n in regions]),
            "key": key_count,
        }
