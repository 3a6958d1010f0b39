"""An applicant who ticks "Send me the CP AoR newsletter" is subscribed when their
membership is approved: confirmed at once (their account's address was verified before
they could apply), to the list in their language, with a consent record quoting the box
and the application. Without the tick, nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from members import services
from members.forms import NEWSLETTER_CONSENT_TEXT
from members.models import Application
from newsletters.models import ConsentRecord, Subscriber
from tests.newsletters.factories import NewsletterListFactory, SubscriberFactory, subscribe

from .factories import ApplicationFactory, UserFactory, reviewer
from .test_views import create_url, organisation_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists():
    return {
        "en": NewsletterListFactory(slug="global", language="en", order=1),
        "fr": NewsletterListFactory(slug="regional-french", language="fr", order=3),
        "ar": NewsletterListFactory(slug="regional-arabic", language="ar", order=2),
    }


def applied(client, country, *, language="en", newsletter=True):
    """An applicant fills the form in `language`, submits it, and it is approved."""
    user = UserFactory()
    client.force_login(user)
    data = organisation_data(country, submit="1", focal_email=user.email)
    if newsletter:
        data["newsletter"] = "on"
    with translation.override(language):
        url = create_url()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(applicant=user)
    return user, application


@pytest.fixture
def country():
    from tests.initiatives.factories import CountryFactory

    return CountryFactory(name_en="Senegal", iso_code="SN")


def test_the_ticked_box_subscribes_the_member_on_approval_without_a_second_email(
    client, country, lists, django_capture_on_commit_callbacks
):
    user, application = applied(client, country, language="fr")
    assert application.wants_newsletter
    with translation.override("fr"):
        shown = str(NEWSLETTER_CONSENT_TEXT)
    assert application.newsletter_consent_text == shown
    assert not Subscriber.objects.exists()  # nothing before the decision

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=reviewer())

    subscriber = Subscriber.objects.get()
    assert subscriber.email == user.email
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.language == "fr"
    assert list(subscriber.lists.all()) == [lists["fr"]]
    [record] = subscriber.consents.all()
    assert record.action == ConsentRecord.Action.CONFIRMED
    assert record.text.startswith(shown)
    assert f"Membership application #{application.pk}" in record.text
    assert list(record.lists.all()) == [lists["fr"]]
    # The approval notice only: no "confirm your subscription" e-mail.
    assert all("Confirm your subscription" not in m.subject for m in mail.outbox)
    assert all("confirmez" not in m.subject.lower() for m in mail.outbox)


def test_approving_twice_or_an_address_already_subscribed_adds_nothing(
    client, country, lists, django_capture_on_commit_callbacks
):
    user, application = applied(client, country, language="en")
    subscribe(SubscriberFactory(email=user.email), lists["en"])
    staff = reviewer()
    services.application_approve(application=application, actor=staff)
    services.application_approve(application=application, actor=staff)
    subscriber = Subscriber.objects.get()
    assert list(subscriber.lists.all()) == [lists["en"]]  # English: the Global list
    assert not subscriber.consents.exists()


def test_without_the_tick_approval_subscribes_nobody(client, country, lists):
    _, application = applied(client, country, newsletter=False)
    assert not application.wants_newsletter
    approved = services.application_approve(application=application, actor=reviewer())
    assert approved.status == Application.Status.APPROVED
    assert not Subscriber.objects.exists()


def test_an_unverified_focal_point_address_is_not_subscribed_the_account_address_is(lists):
    application = ApplicationFactory(
        focal_email="typed@elsewhere.example", wants_newsletter=True, newsletter_consent_text="x"
    )
    services.application_submit(application=application, actor=application.applicant)
    services.application_approve(application=application, actor=reviewer())
    subscriber = Subscriber.objects.get()
    assert subscriber.email == application.applicant.email
    assert subscriber.name == ""  # the focal point's name is not the account's


def test_unticking_the_box_in_a_draft_forgets_the_wish(client, country, lists):
    user, application = applied(client, country)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DRAFT)
    data = organisation_data(country, save="1", focal_email=user.email)
    response = client.post(reverse("members:application_edit", args=[application.pk]), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert not application.wants_newsletter
    assert application.newsletter_consent_text == ""


def test_the_apply_form_offers_the_newsletter_box_unticked(client):
    client.force_login(UserFactory())
    html = client.get(create_url()).content.decode()
    assert 'type="checkbox" name="newsletter"' in html
    assert "Send me the CP AoR newsletter" in html
    assert not re.search(r'<input[^>]*name="newsletter"[^>]*checked', html)
