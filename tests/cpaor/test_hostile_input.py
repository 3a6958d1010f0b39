"""Every public and signed-in form, fed what attackers and autofilling browsers send.

Each value goes into one field of an otherwise valid submission. The answer is either a
4xx page that says what is wrong, or a success after which the value is stored as sent
(the last one, for a list where one value is expected); never a 500. Every e-mail the
portal then builds from stored values parses with Python's own e-mail package, with no
header but those it wrote.
"""

import email
import email.policy
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common import outbox
from common.models import OutboundEmail
from members.models import Application
from newsletters import links
from newsletters.models import NewsletterList, Subscriber
from tests.members.factories import CountryFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = {
    "line-break": "Bob\r\nBcc: x@evil.test",
    "nul": "a\x00b",
    "bidi-override": "\u202eexe.txt",
    "ten-thousand": "x" * 10_000,
    "emoji": "Zoë 👩\u200d👧 😀",
    "formula": '=HYPERLINK("http://evil.test","x")',
    "list": ["first", "second"],
}


@pytest.fixture(autouse=True)
def _limits_of_its_own(settings):
    """Hundreds of posts from one address: each test counts its own, so allauth's limits
    (which stay on in tests) answer for the input, not for the tests before it."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{uuid.uuid4().hex}"}
    }


ERROR_MARKERS = ('class="errorlist', 'role="alert"', "errornote", 'class="error')


def answered(response, stored=None, sent=None):
    """The response is a 4xx that says what is wrong, or `stored()` returns `sent`."""
    assert response.status_code < 500, response.status_code
    if 400 <= response.status_code < 500:
        page = response.content.decode()
        assert any(marker in page for marker in ERROR_MARKERS), page[:2000]
        return False
    if stored is not None:
        expected = sent[-1] if isinstance(sent, list) else sent
        assert stored() == expected.strip()
    return True


def emails_parse():
    """Each e-mail in the outbox builds, parses, and carries only the portal's headers."""
    for row in OutboundEmail.objects.all():
        assert row.status != OutboundEmail.Status.FAILED, row.last_error
        raw = outbox._message(row).message().as_bytes(linesep="\r\n")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert parsed["Bcc"] is None
        assert len(parsed["To"].addresses) == len(row.to)
        assert parsed["Subject"] is not None


def cases(fields):
    return [
        pytest.param(field, value, id=f"{field}-{name}")
        for field in fields
        for name, value in HOSTILE.items()
    ]


# Newsletters ----------------------------------------------------------------------------


@pytest.fixture
def newsletter():
    return NewsletterList.objects.create(slug="global-hostile", name_en="Global", language="en")


@pytest.mark.parametrize(("field", "value"), cases(["name", "email", "lists", "origin"]))
def test_subscribe(client, newsletter, django_capture_on_commit_callbacks, field, value):
    data = {
        "email": "reader@example.org",
        "name": "Reader",
        "lists": [str(newsletter.pk)],
        "consent": "on",
        "origin": "page",
        field: value,
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/en/newsletters/", data)
    stored = None
    if field == "name":

        def stored():
            return Subscriber.objects.get().name

    if answered(response, stored, value if field == "name" else None):
        assert Subscriber.objects.count() == 1
    else:
        assert not Subscriber.objects.exists()
    emails_parse()


@pytest.mark.parametrize(("field", "value"), cases(["lists", "unsubscribe"]))
def test_preferences(client, newsletter, field, value):
    subscriber = Subscriber.objects.create(email="reader@example.org", status="confirmed")
    url = reverse("newsletters:preferences", args=[links.manage_token(subscriber)])
    response = client.post(url, {"lists": [str(newsletter.pk)], field: value})
    answered(response)


# Membership -----------------------------------------------------------------------------

ORGANISATION_TEXT = [
    "org_name", "org_acronym", "website", "cp_work", "focal_name", "focal_title",
    "focal_email", "focal_phone", "alternate_name", "alternate_title", "alternate_email",
    "alternate_phone", "motivation", "membership_type", "org_type", "hq_country", "countries",
]  # fmt: skip
INDIVIDUAL_TEXT = ["person_name", "affiliation", "expertise", "person_country", "motivation"]
# What a successful post stores as sent; the rest (choices, addresses) are checked for
# their answer only.
STORED_AS_SENT = {
    "org_name", "org_acronym", "cp_work", "focal_name", "focal_title", "focal_phone",
    "alternate_name", "alternate_title", "alternate_phone", "motivation", "person_name",
    "affiliation", "expertise",
}  # fmt: skip


@pytest.fixture
def applicant(client):
    person = UserFactory()
    client.force_login(person)
    return person


def organisation_data(country, **overrides):
    return {
        "membership_type": "full",
        "org_name": "Enfance Sénégal",
        "org_acronym": "ES",
        "org_type": "national_ngo",
        "hq_country": str(country.pk),
        "countries": [str(country.pk)],
        "website": "https://enfance.example.sn",
        "cp_work": "Case management in Dakar.",
        "focal_name": "Awa Ndiaye",
        "focal_title": "Director",
        "focal_email": "awa@enfance.example.sn",
        "focal_phone": "+221 77 000 00 00",
        "motivation": "To coordinate with the working group.",
        "accepts_principles": "on",
        "accepts_cpms": "on",
        "accepts_code_of_conduct": "on",
        "consent": "on",
        **overrides,
    }


def individual_data(country, **overrides):
    return {
        "person_name": "Jean Martin",
        "affiliation": "Independent",
        "expertise": "Case management.",
        "person_country": str(country.pk),
        "motivation": "To contribute my experience.",
        "accepts_principles": "on",
        "accepts_cpms": "on",
        "accepts_code_of_conduct": "on",
        "consent": "on",
        **overrides,
    }


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [("organisation", *case.values) for case in cases(ORGANISATION_TEXT)]
    + [("individual", *case.values) for case in cases(INDIVIDUAL_TEXT)],
)
def test_application(
    client, applicant, settings, tmp_path, django_capture_on_commit_callbacks, kind, field, value
):
    """Submitted, so that the acknowledgement and the reviewers' notice are built from what
    was stored."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    from tests.members.test_services import reviewer

    reviewer(email="reviewer@cpaor.example.org")
    country = CountryFactory()
    build = organisation_data if kind == "organisation" else individual_data
    data = build(country, submit="1", **{field: value})
    url = reverse("members:application_create", kwargs={"kind": kind})
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, data)

    def stored():
        return getattr(Application.objects.get(applicant=applicant), field)

    if answered(response, stored if field in STORED_AS_SENT else None, value):
        assert Application.objects.get(applicant=applicant).events.exists()
    emails_parse()


@pytest.mark.parametrize(("field", "value"), cases(["answer"]))
def test_answer_to_a_request_for_information(client, applicant, settings, tmp_path, field, value):
    from members import services
    from tests.members.factories import ApplicationFactory
    from tests.members.test_services import reviewer

    application = ApplicationFactory(applicant=applicant)
    services.application_submit(application=application, actor=applicant)
    services.application_request_information(
        application=application, actor=reviewer(), message="Send your policy."
    )
    url = reverse("members:application_answer", args=[application.pk])
    response = client.post(url, {field: value})
    if answered(response):
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED
    emails_parse()


def test_a_supporting_document_with_a_hostile_name_is_refused_or_kept_safely(
    client, applicant, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    country = CountryFactory()
    upload = SimpleUploadedFile("a\r\nb\u202e.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = organisation_data(country, supporting_document=upload)
    response = client.post(reverse("members:application_create", kwargs={"kind": "organisation"}),
                           data)  # fmt: skip
    assert response.status_code < 500


# Accounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), cases(["email", "password1", "password2"]))
def test_signup(client, django_capture_on_commit_callbacks, field, value):
    data = {"email": "new@example.org", "password1": "a long passphrase 2026",
            "password2": "a long passphrase 2026", field: value}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/en/accounts/signup/", data)
    answered(response)
    emails_parse()


@pytest.mark.parametrize(("field", "value"), cases(["login", "password"]))
def test_login(client, field, value):
    UserFactory(email="someone@example.org")
    data = {"login": "someone@example.org", "password": "wrong", field: value}
    response = client.post("/ar/accounts/login/", data)
    answered(response)


@pytest.mark.parametrize(("field", "value"), cases(["email"]))
def test_password_reset(client, django_capture_on_commit_callbacks, field, value):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/fr/accounts/password/reset/", {field: value})
    answered(response)
    emails_parse()


# Library alerts -------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), cases(["email", "frequency", "query"]))
def test_search_alert(client, django_capture_on_commit_callbacks, field, value):
    from alerts.models import SearchAlert

    data = {"email": "reader@example.org", "frequency": "weekly", "query": "q=protection"}
    data[field] = value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/alerts/new/", data)
    if answered(response):
        assert SearchAlert.objects.count() == 1
    else:
        assert not SearchAlert.objects.exists()
    emails_parse()


@pytest.mark.parametrize(("field", "value"), cases(["email", "language"]))
def test_language_watch(client, django_capture_on_commit_callbacks, field, value):
    from alerts.models import LanguageWatch
    from tests.resources.factories import ResourceFactory, VersionFactory

    resource = ResourceFactory(status="published")
    VersionFactory(resource=resource, language="en")
    data = {"email": "reader@example.org", "language": "fr", field: value}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/alerts/resource/{resource.pk}/", data)
    if answered(response):
        assert LanguageWatch.objects.count() == 1
    else:
        assert not LanguageWatch.objects.exists()
    emails_parse()


# Searching and reading ------------------------------------------------------------------


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize(
    "parameter", ["q", "topic", "type", "language", "region", "initiative", "country", "sort"]
)
@pytest.mark.parametrize(
    "path",
    ["/en/resources/", "/ar/resources/", "/en/initiatives/", "/en/members/", "/fr/newsletters/"],
)
def test_query_strings(client, path, parameter, value):
    answered(client.get(path, {parameter: value}))


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize(
    "parameter", ["q", "topic", "type", "language", "lang", "cursor", "page_size", "year"]
)
@pytest.mark.parametrize("path", ["/api/v1/resources/", "/api/v1/newsletters/issues/"])
def test_api_query_strings(client, path, parameter, value):
    """The API answers JSON: a 4xx with a message naming what is wrong, or a 200."""
    response = client.get(path, {parameter: value})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert response.json()


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("path", ["/en/resources/", "/en/initiatives/", "/en/members/"])
def test_a_page_number_that_is_no_page_is_not_found(client, path, value):
    response = client.get(path, {"page": value})
    assert response.status_code in (200, 404)


def test_a_refused_account_form_answers_400_and_a_page_without_a_form_is_left_alone(client):
    refused = client.post("/en/accounts/login/", {"login": "x@example.org", "password": "no"})
    assert refused.status_code == 400
    assert "errorlist" in refused.content.decode()
    assert client.get("/en/accounts/login/").status_code == 200
    assert client.post("/en/accounts/logout/").status_code == 302
