"""The member directory beyond its list: a page per member, the region filter, and the
public data as CSV and JSON, filtered as the list is."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.initiatives.factories import CountryFactory, RegionFactory
from tests.members.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mena = RegionFactory(name_en="Middle East and North Africa", slug="middle-east-north-africa")
    esa = RegionFactory(name_en="Eastern and Southern Africa", slug="eastern-southern-africa")
    return {
        "SY": CountryFactory(
            iso_code="SY", name_en="Syria", name_fr="Syrie", name_ar="سوريا", region=mena
        ),
        "JO": CountryFactory(iso_code="JO", name_en="Jordan", name_fr="Jordanie", region=mena),
        "KE": CountryFactory(iso_code="KE", name_en="Kenya", name_fr="Kenya", region=esa),
    }


def member(name, countries, **kwargs):
    membership = MembershipFactory(partner__name_en=name, **kwargs)
    membership.countries.set(countries)
    return membership


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_each_member_has_a_page_with_its_countries_by_region(client, world):
    network = member(
        "Syrian Child Protection Network", [world["SY"], world["JO"], world["KE"]], type="full"
    )
    html = client.get(f"/en/members/{network.partner.slug}/").content.decode()
    assert "Syrian Child Protection Network" in html
    assert "Middle East and North Africa:</strong> Jordan, Syria" in html
    assert "Eastern and Southern Africa:</strong> Kenya" in html
    assert "https://partner.example.org/" in html
    listing = client.get("/en/members/").content.decode()
    assert f'href="/en/members/{network.partner.slug}/"' in listing
    arabic = client.get(f"/ar/members/{network.partner.slug}/").content.decode()
    assert 'dir="rtl"' in arabic and "سوريا" in arabic


def test_a_lapsed_member_or_an_unknown_name_has_no_page(client, world):
    lapsed = member("Lapsed Org", [world["KE"]], status="lapsed")
    assert client.get(f"/en/members/{lapsed.partner.slug}/").status_code == 404
    assert client.get("/en/members/no-such-member/").status_code == 404


def test_the_directory_filters_by_region_without_listing_a_member_twice(client, world):
    member("Levant Alliance", [world["SY"], world["JO"]])
    member("Nairobi Children", [world["KE"]])

    def names(query):
        members = client.get(f"/en/members/?{query}").context["members"]
        return [str(membership.partner.name) for membership in members]

    assert names("region=middle-east-north-africa") == ["Levant Alliance"]
    assert names("region=eastern-southern-africa") == ["Nairobi Children"]
    assert names("region=nowhere") == ["Levant Alliance", "Nairobi Children"]


def test_the_csv_export_holds_the_filtered_public_data_and_no_formula(client, world):
    member(
        '=HYPERLINK("https://evil.example")',
        [world["SY"]],
        type="full",
        description="@SUM(1+1) Case management in Idlib.",
    )
    member("Nairobi Children", [world["KE"]], type="associate")
    response = client.get("/en/members/export.csv?type=full")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["name"].startswith("'=HYPERLINK")
    assert rows[0]["description"] == "'@SUM(1+1) Case management in Idlib."
    assert rows[0]["countries"] == "SY"
    assert rows[0]["regions"] == "middle-east-north-africa"
    assert rows[0]["membership"] == "full"
    assert "focal" not in response.content.decode().lower()


def test_the_json_export_names_countries_in_the_readers_language(client, world):
    alliance = member("Levant Alliance", [world["SY"], world["JO"]], type="full")
    response = client.get("/fr/members/export.json")
    data = json.loads(response.content)
    assert data["count"] == 1 and data["language"] == "fr"
    entry = data["members"][0]
    assert entry["countries"] == ["JO", "SY"]
    assert entry["country_names"] == ["Jordanie", "Syrie"]
    assert entry["url"] == f"{settings.SITE_URL}/fr/members/{alliance.partner.slug}/"
    assert set(entry) == {
        "name",
        "acronym",
        "description",
        "membership",
        "membership_label",
        "organisation_type",
        "organisation_type_label",
        "countries",
        "country_names",
        "regions",
        "website",
        "member_since",
        "url",
    }


def test_member_page_and_exports_cost_the_same_queries_at_two_sizes(client, world):
    first = member("First Org", [world["SY"]])
    sizes = []
    for extra in (0, 20):
        for n in range(extra):
            member(f"Member {len(sizes)}-{n}", [world["SY"], world["JO"], world["KE"]])
        sizes.append(
            [
                queries(client, f"/en/members/{first.partner.slug}/")[0],
                queries(client, "/en/members/export.csv")[0],
                queries(client, "/en/members/export.json")[0],
            ]
        )
    assert sizes[0] == sizes[1]
