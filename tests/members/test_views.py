import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import seed, services
from members.models import Application, Membership
from tests.initiatives.factories import CountryFactory

from .factories import (
    ApplicationFactory,
    IndividualApplicationFactory,
    MembershipFactory,
    UserFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def country():
    return CountryFactory(name_en="Senegal", iso_code="SN")


def organisation_data(country, **overrides):
    data = {
        "membership_type": "full",
        "org_name": "Enfance Sénégal",
        "org_acronym": "ES",
        "org_type": "national-ngo",
        "hq_country": str(country.pk),
        "countries": [str(country.pk)],
        "website": "https://enfance.example.sn",
        "cp_work": "Case management in Dakar and Ziguinchor.",
        "focal_name": "Awa Ndiaye",
        "focal_title": "Director",
        "focal_email": "awa@enfance.example.sn",
        "focal_phone": "+221 77 000 00 00",
        "alternate_name": "",
        "alternate_title": "",
        "alternate_email": "",
        "alternate_phone": "",
        "motivation": "To coordinate with the national child protection working group.",
        "accepts_principles": "on",
        "accepts_cpms": "on",
        "accepts_code_of_conduct": "on",
        "consent": "on",
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_url(kind="organisation"):
    return reverse("members:application_create", kwargs={"kind": kind})


# How to get involved ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_how_to_get_involved_shows_the_editable_tiers_in_each_language(client, lang):
    seed.load()
    html = client.get(f"/{lang}/membership/").content.decode()
    expected = {
        "en": "Full members",
        "fr": "Membres à part entière",
        "es": "Miembros de pleno derecho",
        "ar": "الأعضاء الكاملون",
    }[lang]
    assert expected in html
    assert "CPMS" in html or "SMPE" in html or "NMPNAH" in html or "المعايير" in html


def test_an_editor_change_to_a_tier_shows_on_the_page(client):
    seed.load()
    from members.models import MembershipTier

    MembershipTier.objects.filter(type="associate").update(summary_en="Experts are welcome.")
    assert "Experts are welcome." in client.get("/en/membership/").content.decode()
    seed.load()  # loading the starting content again keeps the editor's text
    assert "Experts are welcome." in client.get("/en/membership/").content.decode()


# The application form ------------------------------------------------------------------


def test_applying_needs_an_account(client):
    response = client.get(create_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_draft_is_saved_with_only_some_fields(client, applicant):
    response = client.post(create_url(), {"membership_type": "full", "org_name": "Half done"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.status == Application.Status.DRAFT
    assert application.applicant == applicant
    assert application.org_name == "Half done"
    page = client.get(application.get_absolute_url()).content.decode()
    assert "This is a draft" in page
    assert "focal point e-mail" in page  # what is still missing


def test_a_complete_application_is_submitted_with_commitments_and_consent_recorded(
    client, applicant, country, django_capture_on_commit_callbacks
):
    data = organisation_data(country, submit="1")
    data["supporting_document"] = SimpleUploadedFile("profile.pdf", PDF, "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert application.status == Application.Status.SUBMITTED
    assert application.commitments_accepted_at is not None
    assert application.consent_given_at is not None
    assert application.consent_text.startswith("I agree that the CP AoR keeps")
    assert application.document_name == "profile.pdf"
    assert list(application.countries.all()) == [country]
    assert application.contact_email == "awa@enfance.example.sn"
    # The focal point's address is not verified on the account: kept, never written to.
    assert [message.to for message in mail.outbox] == [[applicant.email]]


def test_submitting_without_required_fields_saves_nothing_and_says_what_is_missing(
    client, applicant, country
):
    data = organisation_data(country, submit="1", focal_email="", consent=None)
    response = client.post(create_url(), data)
    assert response.status_code == 400  # re-shown with its errors, nothing saved
    assert not Application.objects.exists()
    html = response.content.decode()
    assert "The application was not saved" in html
    assert html.count('class="errorlist') >= 2


BAD_ORGANISATION_INPUT = [
    ("membership_type", "gold"),
    ("org_name", "x" * 201),
    ("org_acronym", "x" * 41),
    ("org_type", "pirate"),
    ("hq_country", "999999"),
    ("hq_country", "not-a-number"),
    ("countries", ["999999"]),
    ("website", "javascript:alert(1)"),
    ("website", "not a website"),
    ("cp_work", "x" * 5001),
    ("focal_name", "x" * 151),
    ("focal_title", "x" * 151),
    ("focal_email", "not-an-email"),
    ("focal_phone", "call me maybe"),
    ("alternate_name", "x" * 151),
    ("alternate_title", "x" * 151),
    ("alternate_email", "@@"),
    ("alternate_phone", "12"),
    ("motivation", "x" * 5001),
    ("accepts_principles", None),
    ("accepts_cpms", None),
    ("accepts_code_of_conduct", None),
    ("consent", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_ORGANISATION_INPUT)
def test_bad_input_on_each_organisation_field_is_refused_with_a_message(
    client, applicant, country, field, value
):
    data = organisation_data(country, submit="1")
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post(create_url(), data)
    assert response.status_code == 400  # re-shown with its errors, nothing saved
    assert not Application.objects.exists()
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert f'id="id_{field}_error"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a program", "PDF or Word"),
        ("notes.pdf", b"just some text, not a pdf", "PDF or Word"),
        ("sheet.docx", b"PK\x03\x04 broken zip", "PDF or Word"),
        ("big.pdf", PDF + b"0" * (1024 * 1024 + 10), "at most"),
    ],
)
def test_a_supporting_document_is_checked_by_content_and_size(
    client, applicant, country, settings, name, content, message
):
    settings.MEMBERS_MAX_DOCUMENT_MB = 1
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile(name, content, "application/pdf")
    response = client.post(create_url(), data)
    assert response.status_code == 400  # re-shown with its errors, nothing saved
    assert message in " ".join(response.context["form"].errors["supporting_document"])
    assert not Application.objects.exists()


def test_a_word_document_is_accepted(client, applicant, country):
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile("statutes.docx", docx_bytes())
    assert client.post(create_url(), data).status_code == 302
    assert Application.objects.get().supporting_document.name.endswith(".docx")


BAD_INDIVIDUAL_INPUT = [
    ("person_name", "x" * 151),
    ("person_name", ""),
    ("affiliation", "x" * 201),
    ("expertise", "x" * 5001),
    ("expertise", ""),
    ("person_country", "12345678"),
    ("motivation", ""),
]


@pytest.mark.parametrize(("field", "value"), BAD_INDIVIDUAL_INPUT)
def test_bad_input_on_each_individual_field_is_refused_with_a_message(
    client, applicant, country, field, value
):
    data = {
        "person_name": "Jean Martin",
        "affiliation": "University",
        "expertise": "Case management",
        "person_country": str(country.pk),
        "motivation": "To help.",
        "accepts_principles": "on",
        "accepts_cpms": "on",
        "accepts_code_of_conduct": "on",
        "consent": "on",
        "submit": "1",
        field: value,
    }
    response = client.post(create_url("individual"), data)
    assert response.status_code == 400  # re-shown with its errors, nothing saved
    assert field in response.context["form"].errors
    assert not Application.objects.exists()


def test_an_individual_applies_as_an_associate(client, applicant, country):
    data = {
        "person_name": "Jean Martin",
        "expertise": "Case management",
        "person_country": str(country.pk),
        "motivation": "To help.",
        "accepts_principles": "on",
        "accepts_cpms": "on",
        "accepts_code_of_conduct": "on",
        "consent": "on",
        "submit": "1",
    }
    assert client.post(create_url("individual"), data).status_code == 302
    application = Application.objects.get()
    assert (application.membership_type, application.applicant_kind) == ("associate", "individual")
    assert application.contact_email == applicant.email
    assert application.status == Application.Status.SUBMITTED


def test_an_unknown_kind_of_applicant_is_not_found(client, applicant):
    assert client.get(create_url("robot")).status_code == 404


def test_a_homepage_field_filled_by_autofill_never_loses_the_application(
    client, applicant, country
):
    """The form is behind a verified sign-in: it has no honeypot, and a "homepage" value
    (which browsers' autofill supply) changes nothing about saving or validating."""
    response = client.post(create_url(), organisation_data(country, homepage="https://me.example"))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.status == Application.Status.DRAFT
    assert application.org_name == "Enfance Sénégal"
    url = reverse("members:application_edit", kwargs={"pk": application.pk})
    assert "homepage" not in client.get(url).context["form"].fields
    refused = client.post(
        url, organisation_data(country, homepage="https://me.example", focal_email="nope")
    )
    assert refused.status_code == 400  # re-shown with its errors, nothing saved
    assert "focal_email" in refused.context["form"].errors
    submitted = client.post(url, organisation_data(country, homepage="x", submit="1"))
    assert submitted.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


MULTI_LINE_NAMES = [
    ("org_name", "Enfance\r\nBcc: everyone@example.org"),
    ("org_acronym", "E\nS"),
    ("focal_name", "Awa\tNdiaye"),
    ("focal_title", "Director\u2028of everything"),
    ("alternate_name", "Mou\x0bssa"),
    ("alternate_title", "\u202eesrever"),
]


@pytest.mark.parametrize(("field", "value"), MULTI_LINE_NAMES)
def test_a_name_or_title_that_is_not_one_line_is_refused_with_a_message(
    client, applicant, country, field, value
):
    for button in ("save", "submit"):
        response = client.post(
            create_url(), organisation_data(country, **{button: "1"}, **{field: value})
        )
        assert response.status_code == 400  # re-shown with its errors, nothing saved
        assert field in response.context["form"].errors
        assert "Write this on one line" in response.content.decode()
        assert not Application.objects.exists()


def test_an_individual_name_on_two_lines_is_refused_and_a_draft_keeps_its_name(
    client, applicant, country
):
    data = {"person_name": "Jean\r\nMartin", "affiliation": "Uni", "save": "1"}
    response = client.post(create_url("individual"), data)
    assert response.status_code == 400
    assert "Write this on one line" in response.content.decode()
    assert not Application.objects.exists()
    draft = IndividualApplicationFactory(applicant=applicant)
    url = reverse("members:application_edit", kwargs={"pk": draft.pk})
    edited = client.post(url, {**data, "person_name": "Jean\nMartin"})
    assert edited.status_code == 400
    assert "person_name" in edited.context["form"].errors
    draft.refresh_from_db()
    assert draft.person_name == "Jean Martin"


def test_applications_are_limited_per_address(client, applicant, settings, fresh_limits):
    settings.RATELIMIT_ENABLED = True
    codes = [
        client.post(
            create_url(), {"membership_type": "full"}, REMOTE_ADDR="203.0.113.9"
        ).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [302] * 20
    assert codes[20] == 429


def test_the_language_of_the_form_is_the_language_of_the_emails(client, applicant, country):
    client.post("/fr/membership/apply/organisation/", organisation_data(country, save="1"))
    assert Application.objects.get().language == "fr"


# Drafts, dashboard, withdraw, answer ----------------------------------------------------


def test_a_draft_can_be_edited_then_submitted(client, applicant, country):
    application = ApplicationFactory(applicant=applicant, org_name="Old name")
    url = reverse("members:application_edit", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, organisation_data(country, submit="1", org_name="New name"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.org_name, application.status) == ("New name", "submitted")


def test_a_submitted_application_can_no_longer_be_edited(client, applicant, country):
    application = ApplicationFactory(applicant=applicant, status="submitted")
    url = reverse("members:application_edit", kwargs={"pk": application.pk})
    response = client.post(url, organisation_data(country, save="1", org_name="Changed"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.org_name != "Changed"


def test_withdraw_asks_first_then_withdraws(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="submitted")
    url = reverse("members:application_withdraw", kwargs={"pk": application.pk})
    assert "Yes, withdraw it" in client.get(url).content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    assert client.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    # A second click is harmless.
    assert client.post(url).status_code == 302


def test_the_applicant_answers_a_request_for_information(client, applicant):
    application = ApplicationFactory(applicant=applicant)
    services.application_submit(application=application, actor=applicant)
    services.application_request_information(
        application=application, actor=reviewer(), message="Which provinces?"
    )
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Which provinces?" in page
    url = reverse("members:application_answer", kwargs={"pk": application.pk})
    empty = client.post(url, {"answer": "  "})
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()
    assert client.post(url, {"answer": "Dakar and Thiès."}).status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.events.last().note == "Dakar and Thiès."


def test_the_dashboard_lists_each_application_with_status_and_history(
    client, applicant, django_assert_max_num_queries
):
    def load():
        with django_assert_max_num_queries(8) as context:
            response = client.get(reverse("members:dashboard"))
        return response, len(context.captured_queries)

    ApplicationFactory(applicant=applicant, org_name="First draft")
    response, few = load()
    assert "First draft" in response.content.decode()
    for number in range(5):
        application = ApplicationFactory(applicant=applicant, org_name=f"Org {number}")
        services.application_submit(application=application, actor=applicant)
    response, many = load()
    html = response.content.decode()
    assert "Org 4" in html and "Submitted" in html
    assert few == many


# Two accounts: neither sees the other's application --------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("members:application", "get"),
        ("members:application_edit", "get"),
        ("members:application_edit", "post"),
        ("members:application_withdraw", "get"),
        ("members:application_withdraw", "post"),
        ("members:application_answer", "post"),
        ("members:application_document", "get"),
    ],
)
def test_an_applicant_cannot_reach_another_applicant_application(client, name, method):
    owner = UserFactory()
    application = ApplicationFactory(
        applicant=owner,
        status="information-requested",
        supporting_document=SimpleUploadedFile("secret.pdf", PDF),
    )
    intruder = UserFactory()
    client.force_login(intruder)
    url = reverse(name, kwargs={"pk": application.pk})
    response = getattr(client, method)(url, {"answer": "mine now", "org_name": "Hijacked"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "information-requested"
    assert application.org_name != "Hijacked"
    assert not application.events.exists()
    dashboard = client.get(reverse("members:dashboard")).content.decode()
    assert application.org_name not in dashboard


def test_the_document_goes_to_its_applicant_and_reviewers_as_an_attachment(client):
    application = ApplicationFactory(supporting_document=SimpleUploadedFile("profile.pdf", PDF))
    application.document_name = "Our profile.pdf"
    application.save()
    url = reverse("members:application_document", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    for user in (application.applicant, reviewer()):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Our profile.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF
    other_staff = UserFactory(is_staff=True)
    client.force_login(other_staff)
    assert client.get(url).status_code == 404


def test_the_document_is_not_under_the_public_media_folder(settings):
    application = ApplicationFactory(supporting_document=SimpleUploadedFile("profile.pdf", PDF))
    path = application.supporting_document.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        application.supporting_document.url  # noqa: B018 - no public URL at all


# The directory and the members' area ------------------------------------------------------


def test_the_directory_lists_active_organisations_without_personal_data(client, country):
    application = ApplicationFactory(org_name="Enfance Sénégal")
    services.application_submit(application=application, actor=application.applicant)
    services.application_approve(application=application, actor=reviewer())
    application.countries.set([country])
    Membership.objects.get().countries.set([country])
    MembershipFactory(partner__name_en="Lapsed Org", status="lapsed")
    individual = IndividualApplicationFactory(person_name="Private Person")
    services.application_submit(application=individual, actor=individual.applicant)
    services.application_approve(application=individual, actor=reviewer())
    html = client.get("/en/members/").content.decode()
    assert "Enfance Sénégal" in html
    assert "Senegal" in html
    assert "https://cfa.example.net/" in html
    assert "Lapsed Org" not in html
    assert "Private Person" not in html
    assert application.focal_email not in html
    assert application.focal_name not in html
    assert application.focal_phone not in html


def test_the_directory_filters_by_type_and_country_and_searches_without_accents(client):
    kenya = CountryFactory(name_en="Kenya", iso_code="KE")
    jordan = CountryFactory(name_en="Jordan", iso_code="JO")
    full = MembershipFactory(partner__name_en="Save Children Kenya", type="full")
    full.countries.set([kenya])
    associate = MembershipFactory(partner__name_en="Réseau Jordanie", type="associate")
    associate.countries.set([jordan])

    def names(query):
        members = client.get(f"/en/members/?{query}").context["members"]
        return sorted(str(member.partner.name) for member in members)

    assert names("type=full") == ["Save Children Kenya"]
    assert names("type=associate") == ["Réseau Jordanie"]
    assert names("country=JO") == ["Réseau Jordanie"]
    assert names("q=reseau") == ["Réseau Jordanie"]
    assert names("q=KENYA") == ["Save Children Kenya"]
    assert names("type=bogus&country=ZZ") == ["Réseau Jordanie", "Save Children Kenya"]


def test_the_directory_costs_the_same_queries_for_few_and_many_members(
    client, django_assert_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get("/en/members/").status_code == 200
        return len(context.captured_queries)

    kenya = CountryFactory()
    for _ in range(2):
        MembershipFactory().countries.set([kenya])
    few = count()
    for _ in range(25):
        MembershipFactory().countries.set([kenya, CountryFactory()])
    many = count()
    assert few == many
    with django_assert_num_queries(few):
        client.get("/en/members/")


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_directory_answers_in_each_language(client, lang):
    MembershipFactory(partner__name_en="Visible Org")
    response = client.get(f"/{lang}/members/")
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in response.content.decode()
    assert "Visible Org" in response.content.decode()


def test_the_members_area_shows_the_member_their_membership(client, applicant):
    application = ApplicationFactory(applicant=applicant, org_name="Our Org")
    services.application_submit(application=application, actor=applicant)
    services.application_approve(application=application, actor=reviewer())
    html = client.get(reverse("members:area")).content.decode()
    assert "Our Org" in html and "Full member" in html and "Active" in html


def test_the_members_area_of_a_non_member_says_so(client, applicant):
    html = client.get(reverse("members:area")).content.decode()
    assert "You are not a member yet" in html


def test_application_page_and_members_area_cost_the_same_queries_at_two_sizes(client, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small = ApplicationFactory(applicant=applicant, org_name="Small")
    services.application_submit(application=small, actor=applicant)
    services.application_approve(application=small, actor=reviewer())
    large = ApplicationFactory(applicant=applicant, org_name="Large")
    large.countries.set([CountryFactory() for _ in range(6)])
    services.application_submit(application=large, actor=applicant)
    staff = reviewer()
    for number in range(4):
        services.application_request_information(
            application=large, actor=staff, message=f"Question {number}"
        )
        services.application_answer(application=large, actor=applicant, answer=f"Answer {number}")
    services.application_approve(application=large, actor=staff)
    assert count(small.get_absolute_url()) == count(large.get_absolute_url())
    area_one = count(reverse("members:area"))
    MembershipFactory(user=applicant).countries.set([CountryFactory() for _ in range(3)])
    assert count(reverse("members:area")) == area_one


def test_the_stored_document_name_comes_from_its_content_not_its_name(client, applicant, country):
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile("../../Our Profile (final).docx", PDF)
    assert client.post(create_url(), data).status_code == 302
    application = Application.objects.get()
    stored = application.supporting_document.name
    assert stored.startswith("membership/documents/our-profile-final-")
    assert stored.endswith(".pdf")
    assert application.document_name == "Our Profile (final).docx"


# A draft with its supporting document ------------------------------------------------------


def test_a_draft_with_a_document_opens_again_with_its_name_and_the_checked_link(
    client, applicant, country
):
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile("Our profile.pdf", PDF, "application/pdf")
    assert client.post(create_url(), data).status_code == 302
    application = Application.objects.get()
    edit = reverse("members:application_edit", kwargs={"pk": application.pk})
    document = reverse("members:application_document", kwargs={"pk": application.pk})
    page = client.get(edit)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<a href="{document}">Our profile.pdf</a>' in html
    # Re-shown with another field's error, the form still shows the stored document.
    refused = client.post(edit, organisation_data(country, save="1", focal_email="not-an-email"))
    assert refused.status_code == 400  # re-shown with its errors, nothing saved
    assert "focal_email" in refused.context["form"].errors
    assert f'<a href="{document}">Our profile.pdf</a>' in refused.content.decode()
    # Saving without choosing a file again keeps the document.
    assert client.post(edit, organisation_data(country, save="1")).status_code == 302
    application.refresh_from_db()
    assert application.document_name == "Our profile.pdf"
    assert b"".join(client.get(document).streaming_content) == PDF


def test_a_cleared_or_replaced_document_leaves_no_file_behind(
    client, applicant, country, django_capture_on_commit_callbacks
):
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile("first.pdf", PDF, "application/pdf")
    client.post(create_url(), data)
    application = Application.objects.get()
    first = application.supporting_document
    storage, first_name = first.storage, first.name
    edit = reverse("members:application_edit", kwargs={"pk": application.pk})
    replaced = organisation_data(country, save="1")
    replaced["supporting_document"] = SimpleUploadedFile("second.docx", docx_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, replaced).status_code == 302
    application.refresh_from_db()
    assert application.document_name == "second.docx"
    assert not storage.exists(first_name)
    second_name = application.supporting_document.name
    cleared = organisation_data(country, save="1", **{"supporting_document-clear": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, cleared).status_code == 302
    application.refresh_from_db()
    assert not application.supporting_document
    assert application.document_name == ""
    assert not storage.exists(second_name)


def test_a_document_name_with_control_characters_is_kept_on_one_visible_line(
    client, applicant, country
):
    data = organisation_data(country, save="1")
    data["supporting_document"] = SimpleUploadedFile(
        "\u202eprofile\tfinal\u2028.pdf", PDF, "application/pdf"
    )
    assert client.post(create_url(), data).status_code == 302
    application = Application.objects.get()
    assert application.document_name == "profilefinal.pdf"
    response = client.get(reverse("members:application_document", kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert "profilefinal.pdf" in response["Content-Disposition"]


def test_an_answer_to_an_application_nobody_asked_about_is_refused_with_a_message(
    client, applicant
):
    application = ApplicationFactory(applicant=applicant)
    services.application_submit(application=application, actor=applicant)
    services.application_start_review(application=application, actor=reviewer())
    url = reverse("members:application_answer", kwargs={"pk": application.pk})
    response = client.post(url, {"answer": "Unasked."}, follow=True)
    assert response.status_code == 200
    assert "Cannot answer an application that is &quot;Under review&quot;." in (
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.status == "under-review"
    assert not application.events.filter(note="Unasked.").exists()


def test_a_decided_application_offers_no_withdrawal(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="declined")
    page = client.get(application.get_absolute_url()).content.decode()
    url = reverse("members:application_withdraw", kwargs={"pk": application.pk})
    assert url not in page
    response = client.post(url, follow=True)
    assert "Cannot withdraw an application that is &quot;Declined&quot;." in (
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.status == "declined"
