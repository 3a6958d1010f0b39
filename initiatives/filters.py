import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Initiative, Region, Theme


class InitiativeFilter(django_filters.FilterSet):
    """Plain GET filters: each choice is a shareable URL such as ?theme=education&status=active."""

    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.by_name(),
        empty_label=_("All themes"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        to_field_name="slug",
        queryset=Region.objects.by_name(),
        empty_label=_("All regions"),
        method="filter_region",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Initiative.Status.choices,
        empty_label=_("Any status"),
        widget=forms.Select,
    )

    class Meta:
        model = Initiative
        fields = ["theme", "region", "status"]

    def filter_region(self, queryset, name, region):
        """Initiatives in the region itself or in one of its countries."""
        in_region = Initiative.regions.through.objects.filter(region=region)
        in_country = Initiative.countries.through.objects.filter(country__region=region)
        return queryset.filter(
            Q(pk__in=in_region.values("initiative_id"))
            | Q(pk__in=in_country.values("initiative_id"))
        )
