"""The queue's filters: waiting applications by default, then age and country."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Country

from ..models import Application


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the applications waiting for a reviewer: what staff need today."""

    title = _("status")
    parameter_name = "status"
    OPEN = "open"

    def lookups(self, request, model_admin):
        return [
            (self.OPEN, _("Waiting for a decision")),
            *Application.Status.choices,
            ("all", _("All")),
        ]

    def value(self):
        return super().value() or self.OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    @classmethod
    def statuses(cls, value):
        """The statuses the list shows for this value of the filter, or None for all."""
        value = value or cls.OPEN
        if value == cls.OPEN:
            return Application.OPEN_STATUSES
        if value in Application.Status.values:
            return (value,)
        return None

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.OPEN:
            return queryset.filter(status__in=Application.OPEN_STATUSES)
        if value in Application.Status.values:
            return queryset.filter(status=value)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = _("waiting for")
    parameter_name = "age"
    DAYS = {"week": 7, "month": 30, "quarter": 90}

    def lookups(self, request, model_admin):
        return [
            ("week", _("More than a week")),
            ("month", _("More than a month")),
            ("quarter", _("More than three months")),
        ]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value())
        if days:
            return queryset.filter(submitted_at__lt=timezone.now() - timedelta(days=days))
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = Application.objects.exclude(hq_country=None).values("hq_country")
        used_people = Application.objects.exclude(person_country=None).values("person_country")
        return [
            (country.iso_code, country.name)
            for country in Country.objects.filter(pk__in=used.union(used_people)).order_by("name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(hq_country__iso_code=self.value()) | Q(person_country__iso_code=self.value())
            )
        return queryset
