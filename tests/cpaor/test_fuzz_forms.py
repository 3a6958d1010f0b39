"""Random and hostile form input never breaks a form, and never half-writes anything.

Hypothesis fills the public forms (newsletter subscription, membership application,
sign-up, log-in, password reset) with text in any script, right-to-left marks, NUL bytes,
very long strings and wrong types. The answer is a page, a redirect or a 4xx; never a
500. What the database holds afterwards stays whole: no subscriber without the consent
record made with it, no application without its history.
"""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Application
from newsletters.models import NewsletterList, Subscriber, Subscription
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "", "\x00", "a\x00b", "\u200f\u202e", "x" * 10_000, "😀", "\ufeff", "on", "yes", "1",
    "-1", "99999999999999999999", "https://", "javascript:alert(1)", "a@b", "@@",
    "amina@example.org", "أمينة@مثال.عرب", "<b>bold</b>", "'; DROP TABLE x; --",
]  # fmt: skip
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=400))
HYPOTHESIS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_data(fields, extra):
    return st.fixed_dictionaries(
        {name: st.one_of(values, st.lists(values, max_size=3)) for name in fields},
        optional=dict.fromkeys(extra, values),
    )


@pytest.fixture
def lists():
    return [
        NewsletterList.objects.create(slug="global-fuzz", name_en="Global", language="en"),
        NewsletterList.objects.create(slug="arabic-fuzz", name_en="Arabic", language="ar"),
    ]


@HYPOTHESIS
@given(data=form_data(["email", "lists", "consent"], ["name", "origin", "homepage"]))
def test_the_subscribe_form_survives_any_input(client, lists, data):
    response = client.post("/en/newsletters/", data)
    assert response.status_code in (200, 302, 400), response.status_code
    for subscriber in Subscriber.objects.all():
        assert subscriber.consents.exists(), subscriber.email
    # Nothing is subscribed before the address is confirmed.
    assert not Subscription.objects.exclude(subscriber__status="confirmed").exists()


ORGANISATION_FIELDS = [
    "membership_type", "org_name", "org_acronym", "org_type", "hq_country", "countries",
    "website", "cp_work", "focal_name", "focal_title", "focal_email", "focal_phone",
    "motivation", "accepts_principles", "accepts_cpms", "accepts_code_of_conduct", "consent",
]  # fmt: skip


@pytest.fixture
def applicant(client):
    person = UserFactory()
    client.force_login(person)
    return person


@HYPOTHESIS
@given(data=form_data(ORGANISATION_FIELDS, ["submit", "save", "homepage", "alternate_name"]))
def test_the_application_form_survives_any_input(client, applicant, data):
    response = client.post("/en/membership/apply/organisation/", data)
    assert response.status_code in (200, 302, 400, 429), response.status_code
    for application in Application.objects.filter(applicant=applicant):
        assert application.events.exists(), "an application without its history"
        assert application.status in ("draft", "submitted")


@pytest.fixture
def own_limits(settings):
    """allauth's counters of this test's own: its hundreds of failed log-ins from
    127.0.0.1 must not lock out the log-ins of the tests that follow in this process."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{uuid.uuid4().hex}"}
    }


@HYPOTHESIS
@given(
    path=st.sampled_from(
        ["/en/accounts/signup/", "/ar/accounts/login/", "/fr/accounts/password/reset/"]
    ),
    data=form_data(["email", "password", "password1", "password2"], ["login", "remember"]),
)
def test_account_forms_survive_any_input(client, own_limits, path, data):
    response = client.post(path, data)
    assert response.status_code in (200, 302, 400, 429), response.status_code
