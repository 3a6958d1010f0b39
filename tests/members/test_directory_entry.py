"""A member's focal points edit its directory entry: the description, the website and
logo of its organisation, its countries of operation; the public pages show it, and the
audit trail names only what really changed."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.models import FocalPoint
from tests.initiatives.factories import CountryFactory

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def countries():
    return {
        code: CountryFactory(iso_code=code, name_en=name)
        for code, name in (("KE", "Kenya"), ("SN", "Senegal"), ("SY", "Syria"))
    }


@pytest.fixture
def focal():
    return UserFactory()


@pytest.fixture
def member(focal, countries):
    membership = MembershipFactory(
        partner__name_en="Children First",
        partner__acronym_en="",
        partner__slug="children-first",
        partner__website="https://old.example.org/",
    )
    membership.countries.set([countries["KE"]])
    FocalPoint.objects.create(membership=membership, user=focal)
    return membership


def entry_url(member):
    return reverse("members:entry", args=[member.pk])


def data(world, **overrides):
    values = {
        "description": "Case management and child-friendly spaces in Kenya and Senegal.",
        "website": "https://children-first.example.org/",
        "countries": [str(world["KE"].pk), str(world["SN"].pk)],
    }
    values.update(overrides)
    return values


def audit_lines(membership):
    return list(
        LogEntry.objects.filter(object_id=str(membership.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def test_the_entry_form_shows_the_current_entry(client, member, focal):
    member.description = "What we do."
    member.save(update_fields=["description"])
    client.force_login(focal)
    html = client.get(entry_url(member)).content.decode()
    assert "What we do." in html
    assert 'value="https://old.example.org/"' in html
    assert 'dir="auto"' in html


def test_an_edit_changes_the_public_page_and_the_directory_and_audits_the_fields(
    client, member, focal, countries
):
    client.force_login(focal)
    logo = SimpleUploadedFile("Our Logo.png", png_bytes(), content_type="image/png")
    response = client.post(entry_url(member), {**data(countries), "logo": logo})
    assert response.status_code == 302
    member.refresh_from_db()
    member.partner.refresh_from_db()
    assert member.description.startswith("Case management")
    assert member.partner.website == "https://children-first.example.org/"
    assert member.partner.logo.name.startswith("partners/our-logo-")
    assert member.partner.logo.name.endswith(".png")
    assert {country.iso_code for country in member.countries.all()} == {"KE", "SN"}
    assert audit_lines(member) == [
        "Directory entry changed: description, website, logo, countries (countries added SN)"
    ]
    page = client.get("/en/members/children-first/").content.decode()
    assert "Case management and child-friendly spaces" in page
    assert "https://children-first.example.org/" in page
    assert member.partner.logo.url in page
    assert "Senegal" in page
    listing = client.get("/en/members/").content.decode()
    assert "Case management and child-friendly spaces" in listing


def test_saving_again_unchanged_or_with_only_whitespace_changes_writes_no_audit_line(
    client, member, focal, countries
):
    client.force_login(focal)
    client.post(entry_url(member), data(countries))
    lines = audit_lines(member)
    assert len(lines) == 1
    response = client.post(entry_url(member), data(countries))
    assert response.status_code == 302
    response = client.post(
        entry_url(member),
        data(
            countries,
            description=(
                "  Case management and  child-friendly spaces\r\nin Kenya and Senegal.  \r\n"
            ),
        ),
    )
    assert response.status_code == 302
    assert audit_lines(member) == lines
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was changed in your directory entry." in page
    member.refresh_from_db()
    assert member.description == "Case management and child-friendly spaces in Kenya and Senegal."


def test_only_the_changed_field_is_recorded(client, member, focal, countries):
    client.force_login(focal)
    client.post(entry_url(member), data(countries))
    client.post(
        entry_url(member),
        data(countries, countries=[str(countries["SY"].pk)]),
    )
    assert audit_lines(member)[-1] == (
        "Directory entry changed: countries (countries added SY; removed KE SN)"
    )
    client.post(
        entry_url(member),
        data(countries, countries=[str(countries["SY"].pk)], description="Another text."),
    )
    assert audit_lines(member)[-1] == "Directory entry changed: description"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "Upload a valid image"),
        ("logo.png", b"MZ\x90\x00 a program", "This file is a program"),
        ("logo.txt", b"just some words", "Upload a valid image"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "valid image"),
    ],
)
def test_the_logo_refuses_anything_but_a_picture_with_a_message(
    client, member, focal, countries, name, content, message
):
    client.force_login(focal)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(entry_url(member), {**data(countries), "logo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    member.partner.refresh_from_db()
    member.refresh_from_db()
    assert not member.partner.logo
    assert member.description == ""  # nothing saved
    assert audit_lines(member) == []


def test_a_picture_named_otherwise_is_stored_under_the_extension_its_content_gives(
    client, member, focal, countries
):
    client.force_login(focal)
    upload = SimpleUploadedFile("logo.gif", png_bytes(), content_type="image/gif")
    assert client.post(entry_url(member), {**data(countries), "logo": upload}).status_code == 302
    member.partner.refresh_from_db()
    assert member.partner.logo.name.endswith(".png")


def test_the_logo_can_be_removed(client, member, focal, countries):
    client.force_login(focal)
    upload = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    client.post(entry_url(member), {**data(countries), "logo": upload})
    assert "Remove the current logo" in client.get(entry_url(member)).content.decode()
    client.post(entry_url(member), {**data(countries), "remove_logo": "on"})
    member.partner.refresh_from_db()
    assert not member.partner.logo
    assert audit_lines(member)[-1] == "Directory entry changed: logo"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"website": "not a web address"}, "Enter a valid URL"),
        ({"description": "x" * 1501}, "it can have at most 1,500"),
        ({"countries": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(
    client, member, focal, countries, overrides, message
):
    client.force_login(focal)
    response = client.post(entry_url(member), data(countries, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    member.partner.refresh_from_db()
    assert member.partner.website == "https://old.example.org/"
    assert audit_lines(member) == []


def test_an_individual_membership_has_no_directory_entry_to_edit(client):
    person = UserFactory()
    membership = MembershipFactory(partner=None, person_name="Jean Martin", type="associate")
    FocalPoint.objects.create(membership=membership, user=person)
    client.force_login(person)
    assert client.get(entry_url(membership)).status_code == 404


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_entry_form_and_the_public_description_read_in_each_language(
    client, member, focal, lang
):
    member.description = "نحمي الأطفال في سوريا."
    member.save(update_fields=["description"])
    client.force_login(focal)
    form = client.get(f"/{lang}/membership/area/{member.pk}/entry/").content.decode()
    assert f'<html lang="{lang}"' in form and ('dir="rtl"' in form) == (lang == "ar")
    page = client.get(f"/{lang}/members/children-first/").content.decode()
    assert '<div class="member-description" dir="auto"><p>نحمي الأطفال في سوريا.</p></div>' in page
