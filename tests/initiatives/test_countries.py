"""Every country of ISO 3166-1, named in the portal's four languages: an organisation
anywhere can apply, and the directory and the library file it under a region."""

import tomllib

import pytest
from django.urls import reverse
from django.utils import translation
from django_countries.data import COUNTRIES

from initiatives import seed
from initiatives.models import Country, Region
from members.models import Application
from tests.members.factories import UserFactory
from tests.members.test_views import organisation_data

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_filed_under_exactly_one_region():
    filed = tomllib.loads((seed.CONTENT / "country_regions.toml").read_text())
    codes = [code for codes in filed.values() for code in codes]
    assert sorted(codes) == sorted(COUNTRIES)
    regions = tomllib.loads((seed.CONTENT / "vocabularies.toml").read_text())["regions"]
    assert set(filed) <= set(regions)


def test_the_starting_content_holds_every_country_with_four_names():
    seed.load()
    assert Country.objects.count() == len(COUNTRIES) == 249
    syria = Country.objects.get(iso_code="SY")
    assert (syria.name_en, syria.name_fr, syria.name_es, syria.name_ar) == (
        "Syria",
        "Syrie",
        "Siria",
        "سوريا",
    )
    assert syria.region.slug == "middle-east-north-africa"
    assert Country.objects.get(iso_code="BD").region.slug == "south-asia"
    # Named by the vocabulary where the library reads oddly ("Naoero").
    assert Country.objects.get(iso_code="NR").name_en == "Nauru"
    assert Country.objects.filter(name_fr="").count() == 0
    assert Country.objects.filter(name_ar="").count() == 0


def test_loading_again_keeps_an_editors_names_and_fills_a_missing_language():
    seed.load()
    Country.objects.filter(iso_code="SY").update(name_en="Syrian Arab Republic", name_ar="")
    seed.load()
    syria = Country.objects.get(iso_code="SY")
    assert syria.name_en == "Syrian Arab Republic"
    assert syria.name_ar == "سوريا"
    assert Country.objects.count() == 249
    assert Region.objects.filter(slug="north-america").exists()


def test_an_organisation_in_syria_can_apply(client):
    seed.load()
    client.force_login(UserFactory())
    url = reverse("members:application_create", kwargs={"kind": "organisation"})
    with translation.override("ar"):
        arabic_url = reverse("members:application_create", kwargs={"kind": "organisation"})
    assert "سوريا" in client.get(arabic_url).content.decode()
    syria = Country.objects.get(iso_code="SY")
    data = organisation_data(syria, org_name="Syrian Child Protection Network", save="1")
    response = client.post(url, data)
    assert response.status_code == 302
    assert Application.objects.get(org_name="Syrian Child Protection Network").hq_country == syria
