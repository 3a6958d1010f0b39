"""The public member directory beyond its list (members/views.py DirectoryView): a page per
member organisation, and the directory's public data as CSV and JSON, filtered as the list
is. Only what the list already shows is public: no focal point, no person."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from common import spreadsheet
from initiatives.models import Country

from .filters import MembershipFilter
from .models import Membership


def public_members():
    """Organisations in the directory with what their public entry shows, in name order."""
    return (
        Membership.objects.in_directory()
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "countries", queryset=Country.objects.select_related("region").order_by("name")
            )
        )
        .order_by("partner__name", "pk")
    )


def member_page(request, slug):
    member = get_object_or_404(public_members(), partner__slug=slug)
    regions = {}
    for country in member.countries.all():
        regions.setdefault(country.region, []).append(country)
    return render(
        request,
        "members/directory_member.html",
        {
            "member": member,
            "regions": sorted(regions.items(), key=lambda item: (item[0].order, str(item[0]))),
        },
    )


def _row(member):
    """A member's public data, as both exports write it."""
    countries = list(member.countries.all())
    return {
        "name": member.partner.name,
        "acronym": member.partner.acronym,
        "description": member.description,
        "membership": member.type,
        "membership_label": str(member.get_type_display()),
        "organisation_type": member.org_type,
        "organisation_type_label": str(member.get_org_type_display()) if member.org_type else "",
        "countries": [country.iso_code for country in countries],
        "country_names": [str(country.name) for country in countries],
        "regions": sorted({country.region.slug for country in countries}),
        "website": member.partner.website,
        "member_since": member.member_since.isoformat(),
        "url": settings.SITE_URL + reverse("directory:member", args=[member.partner.slug]),
    }


def _filtered(request):
    return MembershipFilter(request.GET, queryset=public_members()).qs


def _attachment(response, extension):
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cpaor-members-{stamp}.{extension}"'
    return response


def export_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # spreadsheet programs then read the names as UTF-8
    writer = spreadsheet.writer(response)
    columns = [
        "name",
        "acronym",
        "description",
        "membership",
        "organisation_type",
        "countries",
        "country_names",
        "regions",
        "website",
        "member_since",
        "url",
    ]
    writer.writerow(columns)
    for member in _filtered(request):
        row = _row(member)
        writer.writerow(
            [
                " ".join(value) if isinstance(value, list) else value
                for value in (
                    row["name"],
                    row["acronym"],
                    row["description"],
                    row["membership"],
                    row["organisation_type"],
                    row["countries"],
                    "; ".join(row["country_names"]),
                    row["regions"],
                    row["website"],
                    row["member_since"],
                    row["url"],
                )
            ]
        )
    return _attachment(response, "csv")


def export_json(request):
    members = [_row(member) for member in _filtered(request)]
    response = JsonResponse(
        {"language": get_language(), "count": len(members), "members": members},
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    return _attachment(response, "json")
