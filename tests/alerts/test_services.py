"""Asking for alerts, confirming and leaving them, as the services do it."""

import re

import pytest
from django.core import mail as outbox

from alerts import links, services
from alerts.models import LanguageWatch, SearchAlert
from newsletters.models import Subscriber
from newsletters.services import subscriber_data, subscriber_erase
from tests.alerts.factories import LanguageWatchFactory, SearchAlertFactory
from tests.newsletters.factories import NewsletterListFactory, SubscriberFactory, subscribe
from tests.resources.factories import ResourceFactory, TopicFactory, VersionFactory

pytestmark = pytest.mark.django_db


def _confirm_token(message):
    return re.search(r"/alerts/confirm/(\S+)/", message.body).group(1)


def test_asking_for_an_alert_sends_a_confirmation_and_subscribes_to_no_list(
    eager_celery, django_capture_on_commit_callbacks
):
    topic = TopicFactory(slug="mhpss", name_en="Mental health")
    NewsletterListFactory(slug="global")
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.search_alert_request(
            email="Coordinator@Example.ORG",
            query="topic=mhpss&type=guidance&page=3&sort=title&utm_source=x",
            frequency="monthly",
            language="fr",
            label="Topic: Mental health",
        )
    assert alert.query == "topic=mhpss&type=guidance"  # only the filters, in order
    assert alert.confirmed_at is None
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Coordinator@example.org"
    assert subscriber.language == "fr"
    assert subscriber.status == Subscriber.Status.PENDING
    assert not subscriber.lists.exists()
    (message,) = outbox.outbox
    assert message.to == ["Coordinator@example.org"]
    assert "Topic: Mental health" in message.body
    assert "/fr/alerts/confirm/" in message.body
    assert topic.name_en not in message.subject


def test_a_search_no_filter_accepts_is_refused():
    TopicFactory(slug="real")
    for junk in ("topic=nope", "type=spaceship", "year_from=soon", "q=" + "long " * 300):
        with pytest.raises(services.AlertRefused):
            services.search_alert_request(
                email="a@example.org", query=junk, frequency="weekly", language="en"
            )
    assert not SearchAlert.objects.exists()


def test_confirming_twice_is_harmless_and_starts_the_period_once(
    eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.search_alert_request(
            email="a@example.org", query="type=toolkit", frequency="weekly", language="en"
        )
    token = _confirm_token(outbox.outbox[0])
    first = services.search_alert_confirm(token=token)
    second = services.search_alert_confirm(token=token)
    assert first.confirmed_at is not None
    assert second.confirmed_at == first.confirmed_at
    assert second.last_sent_through == first.confirmed_at
    # An alert's confirmation confirms no newsletter subscription.
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_confirmation_link_is_void_once_the_reader_is_erased(
    eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.search_alert_request(
            email="a@example.org", query="", frequency="weekly", language="en"
        )
    token = _confirm_token(outbox.outbox[0])
    subscriber_erase(subscriber_id=alert.subscriber_id)
    assert not SearchAlert.objects.exists()
    with pytest.raises(links.LinkError):
        services.search_alert_confirm(token=token)


def test_a_watch_token_does_not_confirm_a_search_alert():
    watch = LanguageWatchFactory(resource=ResourceFactory(), confirmed_at=None)
    alert = SearchAlertFactory(subscriber=watch.subscriber, confirmed_at=None)
    token = links.confirm_token(watch.subscriber, links.WATCH, alert.pk)
    with pytest.raises(links.LinkError):
        services.search_alert_confirm(token=token)
    alert.refresh_from_db()
    assert alert.confirmed_at is None


def test_leaving_one_alert_leaves_the_others_and_the_newsletters():
    subscriber = subscribe(SubscriberFactory(), NewsletterListFactory())
    keep = SearchAlertFactory(subscriber=subscriber, query="type=toolkit")
    leave = SearchAlertFactory(subscriber=subscriber, query="type=guidance")
    assert services.search_alert_unsubscribe(subscriber_id=subscriber.pk, alert_id=leave.pk)
    assert not services.search_alert_unsubscribe(subscriber_id=subscriber.pk, alert_id=leave.pk)
    assert list(SearchAlert.objects.all()) == [keep]
    assert subscriber.lists.count() == 1


def test_someone_elses_alert_cannot_be_left_with_my_link():
    mine, theirs = SearchAlertFactory(), SearchAlertFactory()
    assert not services.search_alert_unsubscribe(
        subscriber_id=mine.subscriber_id, alert_id=theirs.pk
    )
    assert SearchAlert.objects.count() == 2


def test_watching_a_language_the_resource_already_has_is_refused():
    resource = ResourceFactory()
    VersionFactory(resource=resource, language="fr")
    with pytest.raises(services.AlertRefused):
        services.language_watch_request(
            email="a@example.org", resource_id=resource.pk, language="fr", page_language="fr"
        )
    assert not LanguageWatch.objects.exists()


def test_the_readers_data_lists_their_alerts_and_erasure_removes_them():
    subscriber = SubscriberFactory()
    SearchAlertFactory(subscriber=subscriber, query="type=toolkit", label="Type: Toolkit")
    LanguageWatchFactory(subscriber=subscriber, resource=ResourceFactory(title_en="Field guide"))
    data = subscriber_data(subscriber=subscriber)
    assert [a["description"] for a in data["search_alerts"]] == ["Type: Toolkit"]
    assert [w["resource"] for w in data["language_watches"]] == ["Field guide"]
    subscriber_erase(subscriber_id=subscriber.pk)
    assert not SearchAlert.objects.exists()
    assert not LanguageWatch.objects.exists()
