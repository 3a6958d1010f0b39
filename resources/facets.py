"""The library's facets, declared once, and the triggers that follow what they read.

FACETS lists what the list page narrows by and counts. Each facet says what it reads (a
column of every published resource, or links from resources to values), how a person
chooses (its filters), what the chosen values let through (a mask over the facet index's
positions) and its choices with their counts. The facet index (index.py) and the filters
(filters.py) read only FACETS; so do the triggers that move the library's generation
(trigger_sql): they watch exactly the rows and columns the facets and the index's order
read, so an edit that changes nothing the library shows (an initiative's body, a
download count) rebuilds nothing.

Each facet names the template that draws it on the list page, which shows FACETS in
their order. Adding a facet is one entry in FACETS, then a migration that installs trigger_sql()'s
triggers as they are then (migration 0008 shows how); tests/resources/
test_search_registry.py fails, saying so, until the installed triggers match.
"""

from dataclasses import dataclass

import django_filters
import numpy as np
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Region

from .models import Resource, ResourceVersion, Topic
from .search import Language


@dataclass(frozen=True)
class Watch:
    """Rows the index reads: their inserts and deletes, and changes to these fields
    (a translated field with all its languages)."""

    model: type
    fields: tuple[str, ...]

    def columns(self):
        columns = []
        for name in self.fields:
            for field_name in [name] + [f"{name}_{code}" for code, _label in settings.LANGUAGES]:
                try:
                    columns.append(self.model._meta.get_field(field_name).column)
                except FieldDoesNotExist:
                    continue
        return columns


def position_sql(field, values, missing):
    """(SQL, params): the position from 0 of the column field's value among values, the
    integer code the facet index keeps; `missing` for a value not among them."""
    return f"COALESCE(array_position(%s::text[], {field}::text) - 1, %s)", [values, missing]


def chosen(options, selected):
    """[{value, label, count, checked}] of a facet, hiding choices that find nothing."""
    return [
        {"value": value, "label": label, "count": count, "checked": value in selected}
        for value, label, count in options
        if count or value in selected
    ]


class Column:
    """A facet read from one column of the resource: the index keeps an array of one
    value per position."""

    field: str

    def sql(self):
        """(SQL, params): the facet's value of a resource as an integer code."""
        return self.field, []

    def watches(self):
        return [Watch(Resource, (self.field,))]


class Choice(Column):
    """One value of a fixed list per resource (its type)."""

    template = "resources/includes/facet.html"

    def __init__(self, name, label, field, choices):
        self.name, self.label, self.field, self.choices = name, label, field, choices
        self.values = [value for value, _label in choices]

    def filters(self):
        return {
            self.name: django_filters.MultipleChoiceFilter(label=self.label, choices=self.choices)
        }

    def sql(self):
        return position_sql(self.field, self.values, missing=len(self.values))

    def array(self, codes):
        return codes.astype(np.int8)

    def mask(self, index, values, filterset):
        if values.get(self.name):
            return np.isin(
                index.columns[self.name], [self.values.index(v) for v in values[self.name]]
            )
        return None

    def counts(self, index, selected, filterset):
        counts = np.bincount(
            index.columns[self.name][selected], minlength=len(self.values) + 1
        ).tolist()
        options = [(value, label, counts[code]) for code, (value, label) in enumerate(self.choices)]
        return chosen(options, filterset.checked(self.name))


class Year(Column):
    """The year of a date, chosen as a range; 0 in the index when undated."""

    template = "resources/includes/facet_year.html"

    def __init__(self, name, label, field):
        self.name, self.label, self.field = name, label, field

    def sql(self):
        return f"COALESCE(EXTRACT(YEAR FROM {self.field})::int, 0)", []

    def filters(self):
        return {
            f"{self.name}_from": YearFilter(label=_("From")),
            f"{self.name}_to": YearFilter(label=_("To")),
        }

    def array(self, codes):
        return codes.astype(np.int16)

    def mask(self, index, values, filterset):
        start, stop = values.get(f"{self.name}_from"), values.get(f"{self.name}_to")
        if start is None and stop is None:
            return None
        years = index.columns[self.name]
        mask = years > 0
        if start is not None:
            mask &= years >= start
        if stop is not None:
            mask &= years <= stop
        return mask

    def counts(self, index, selected, filterset):
        counts = np.bincount(index.columns[self.name][selected])
        years = (np.flatnonzero(counts[1:]) + 1)[::-1]  # newest first; 0 is undated
        return [
            {"value": year, "count": count}
            for year, count in zip(years.tolist(), counts[years].tolist(), strict=True)
        ]


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class Flag(Column):
    """A yes or no (a key resource); chosen, only the yeses; counted, the yeses."""

    template = "resources/includes/facet_flag.html"

    def __init__(self, name, label, field, choice_label):
        self.name, self.label, self.field = name, label, field
        self.choice_label = choice_label

    def filters(self):
        return {
            self.name: django_filters.BooleanFilter(
                label=self.choice_label, widget=forms.CheckboxInput
            )
        }

    def sql(self):
        return f"{self.field}::int", []

    def array(self, codes):
        return codes.astype(bool)

    def mask(self, index, values, filterset):
        return index.columns[self.name] if values.get(self.name) else None

    def counts(self, index, selected, filterset):
        return int(np.count_nonzero(selected & index.columns[self.name]))


class Linked:
    """A facet of many values per resource: the index keeps a bitmap per value."""

    template = "resources/includes/facet.html"

    def mask(self, index, values, filterset):
        keys = self.keys(values, filterset)
        return None if keys is None else index.links[self.name].having(keys)

    def counts(self, index, selected, filterset):
        counts = index.links[self.name].counts(selected)
        options = [(value, label, counts.get(key, 0)) for value, label, key in self.options(index)]
        return chosen(options, filterset.checked(self.name))


class LinkedChoice(Linked):
    """Values of a fixed list, from rows that point to the resource (its versions'
    languages)."""

    def __init__(self, name, label, model, field, choices):
        self.name, self.label, self.model, self.field = name, label, model, field
        self.choices = choices
        self.values = [value for value, _label in choices]

    def watches(self):
        return [Watch(self.model, ("resource", self.field))]

    def filters(self):
        return {
            self.name: django_filters.MultipleChoiceFilter(label=self.label, choices=self.choices)
        }

    def pairs(self):
        code = RawSQL(*position_sql(self.field, self.values, missing=-1))
        return [self.model.objects.order_by().values_list("resource_id", code)]

    def keys(self, values, filterset):
        chosen_values = values.get(self.name)
        return [self.values.index(v) for v in chosen_values] if chosen_values else None

    def options(self, index):
        return [(value, label, code) for code, (value, label) in enumerate(self.choices)]


class Terms(Linked):
    """Terms editors keep (topics, initiatives, regions), chosen by slug, linked to a
    resource by its many-to-many fields: "countries__region" reads each of its
    countries' region."""

    def __init__(
        self, name, label, model, links, title="name", order=("order", "name"), where=None
    ):
        self.name, self.label, self.model, self.links = name, label, model, links
        self.title, self.order, self.where = title, order, where or {}

    def terms(self):
        return self.model.objects.filter(**self.where)

    def watches(self):
        fields = {self.title, "slug", *self.where, *(f for f in self.order if f != "pk")}
        watches = [Watch(self.model, tuple(sorted(fields)))]
        for link in self.links:
            m2m, *rest = link.split("__")
            field = Resource._meta.get_field(m2m)
            through = field.remote_field.through
            watches.append(Watch(through, (field.m2m_field_name(), field.m2m_reverse_field_name())))
            if rest:
                watches.append(Watch(field.related_model, tuple(rest)))
        return watches

    def filters(self):
        filter_ = django_filters.ModelMultipleChoiceFilter(
            label=self.label, queryset=self.terms(), to_field_name="slug"
        )
        return {self.name: filter_}

    def pairs(self):
        pairs = []
        for link in self.links:
            m2m, *rest = link.split("__")
            field = Resource._meta.get_field(m2m)
            target = "__".join([field.m2m_reverse_field_name(), *rest]) + "_id"
            through = field.remote_field.through.objects.order_by()
            pairs.append(through.values_list(f"{field.m2m_field_name()}_id", target))
        return pairs

    def keys(self, values, filterset):
        # An empty choice is a QuerySet.none(): asking whether it is empty costs a query.
        if filterset.checked(self.name) and values.get(self.name):
            return [term.pk for term in values[self.name]]
        return None

    def ordered_terms(self, index):
        """The facet's terms in its order, read once per generation of the index."""
        return index.terms(self.name, lambda: self.terms().order_by(*self.order))

    def options(self, index):
        return [
            (term.slug, getattr(term, self.title), term.pk) for term in self.ordered_terms(index)
        ]

    def filed(self, index, positions):
        """For each of positions, the terms it is filed under, in the facet's order: from
        the index, without a query (a result's topics on the list page)."""
        terms = self.ordered_terms(index)
        return [
            [term for term in terms if term.pk in keys]
            for keys in index.links[self.name].of(positions)
        ]


TOPICS = Terms("topic", _("Topic"), Topic, ["topics"])
FACETS = (
    Choice("type", _("Type"), "type", Resource.Type.choices),
    LinkedChoice("language", _("Language"), ResourceVersion, "language", Language.choices),
    Year("year", _("Year of publication"), "publication_date"),
    TOPICS,
    Terms(
        "initiative",
        _("Initiative"),
        Initiative,
        ["initiatives"],
        title="title",
        order=("order", "pk"),
        where={"is_published": True},
    ),
    Terms("region", _("Region"), Region, ["regions", "countries__region"]),
    Flag("key", _("Key resources"), "is_key", _("Key resources only")),
)
COLUMNS = [facet for facet in FACETS if isinstance(facet, Column)]
LINKED = [facet for facet in FACETS if isinstance(facet, Linked)]
# What the index reads besides the facets: which resources are published, their order
# (newest first, or by title in each language).
INDEX_WATCHES = [Watch(Resource, ("status", "publication_date", "title"))]
