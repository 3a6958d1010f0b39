import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import Country, Region

from .models import Membership, MembershipType


class MembershipFilter(django_filters.FilterSet):
    """The public directory's filters, as plain GET parameters (?type=full&country=KE&q=…)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    type = django_filters.ChoiceFilter(
        label=_("Membership"),
        choices=MembershipType.choices,
        empty_label=_("All members"),
        widget=forms.Select,
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        field_name="countries",
        to_field_name="iso_code",
        queryset=Country.objects.filter(memberships__status=Membership.Status.ACTIVE)
        .distinct()
        .order_by("name"),
        empty_label=_("All countries"),
    )

    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        field_name="countries__region",
        to_field_name="slug",
        queryset=Region.objects.filter(
            countries__memberships__status=Membership.Status.ACTIVE
        ).distinct(),
        empty_label=_("All regions"),
        distinct=True,
    )

    class Meta:
        model = Membership
        fields = ["q", "type", "region", "country"]

    def search(self, queryset, name, value):
        """Name or acronym, ignoring case and accents."""
        words = value.split()[:8]
        for word in words:
            queryset = queryset.filter(
                Q(partner__name__unaccent__icontains=word)
                | Q(partner__acronym__unaccent__icontains=word)
            )
        return queryset
