"""The alerts' pages through the test client: asking, confirming, stopping one alert."""

import re

import pytest
from django.core import mail as outbox
from django.test import Client

from alerts import links
from alerts.models import LanguageWatch, SearchAlert
from newsletters.links import manage_token
from newsletters.models import Subscriber
from tests.alerts.factories import LanguageWatchFactory, SearchAlertFactory
from tests.newsletters.factories import SubscriberFactory
from tests.resources.factories import ResourceFactory, TopicFactory, VersionFactory

pytestmark = pytest.mark.django_db

NEW = "/en/alerts/new/"


def test_the_library_links_to_an_alert_for_its_search(client):
    page = client.get("/en/resources/?type=toolkit&page=1").content.decode()
    assert 'href="/en/alerts/new/?type=toolkit&amp;page=1"' in page
    assert "E-mail me new resources like these" in page


def test_the_form_says_the_search_in_words_and_carries_only_its_filters(client):
    TopicFactory(slug="mhpss", name_en="Mental health")
    response = client.get(NEW + "?topic=mhpss&type=toolkit&sort=title&page=4&x=1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Type: Toolkit; Topic: Mental health" in page
    assert 'name="query" value="topic=mhpss&amp;type=toolkit"' in page


def test_a_search_the_library_cannot_make_is_refused_with_a_message(client):
    response = client.get(NEW + "?topic=no-such-topic")
    assert response.status_code == 400
    assert "This is not a library search we can follow" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "frequency": "weekly"}, "Enter a valid email address."),
        ({"email": "a@example.org", "frequency": "daily"}, "Select a valid choice."),
        (
            {"email": "a@example.org", "frequency": "weekly", "query": "type=spaceship"},
            "This is not a library search we can follow",
        ),
    ],
)
def test_bad_input_answers_400_with_the_reason_and_saves_nothing(client, data, message):
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SearchAlert.objects.exists()
    assert not Subscriber.objects.exists()


def test_a_filled_honeypot_looks_like_success_and_saves_nothing(client):
    response = client.post(
        NEW, {"email": "bot@example.org", "frequency": "weekly", "homepage": "http://spam"}
    )
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert outbox.outbox == []


def test_ask_then_confirm_from_the_email_twice(
    client, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/fr/alerts/new/",
            {"email": "coord@example.org", "frequency": "monthly", "query": "type=toolkit"},
        )
    assert response.status_code == 302
    assert response["Location"] == "/fr/alerts/check-your-email/"
    assert client.get(response["Location"]).status_code == 200
    (message,) = outbox.outbox
    path = re.search(r"http://testserver(/fr/alerts/confirm/\S+/)", message.body).group(1)
    alert = SearchAlert.objects.get()
    assert alert.frequency == "monthly" and alert.language == "fr"

    # A mail scanner's GET confirms nothing.
    assert client.get(path).status_code == 200
    alert.refresh_from_db()
    assert alert.confirmed_at is None
    for _ in range(2):
        response = client.post(path)
        assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.confirmed_at is not None
    assert "/fr/alerts/unsubscribe/" in response.content.decode()


def test_a_broken_confirmation_link_says_so(client):
    response = client.get("/en/alerts/confirm/not-a-token/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_one_click_leaves_that_alert_only_without_cookies_or_csrf():
    subscriber = SubscriberFactory()
    keep = SearchAlertFactory(subscriber=subscriber, query="type=toolkit")
    leave = SearchAlertFactory(subscriber=subscriber, query="type=guidance")
    path = f"/en/alerts/unsubscribe/{manage_token(subscriber)}/search/{leave.pk}/"
    provider = Client(enforce_csrf_checks=True)
    assert provider.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert provider.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert list(SearchAlert.objects.all()) == [keep]


def test_the_unsubscribe_page_shows_a_button_and_a_forged_link_does_nothing(client):
    alert = SearchAlertFactory(label="Type: Toolkit")
    path = f"/en/alerts/unsubscribe/{manage_token(alert.subscriber)}/search/{alert.pk}/"
    page = client.get(path).content.decode()
    assert "Type: Toolkit" in page and "<button" in page
    forged = f"/en/alerts/unsubscribe/{alert.subscriber.pk}.forged/search/{alert.pk}/"
    assert client.post(forged).status_code == 400
    assert SearchAlert.objects.exists()


def test_the_resource_page_offers_to_watch_the_readers_language(client):
    resource = ResourceFactory(slug="guide")
    VersionFactory(resource=resource, language="en")
    page = client.get("/fr/resources/guide/").content.decode()
    assert f'href="/fr/alerts/resource/{resource.pk}/?language=fr"' in page
    VersionFactory(resource=resource, language="fr")
    page = client.get("/fr/resources/guide/").content.decode()
    assert "?language=fr" not in page


def test_watching_a_language_asks_for_confirmation(
    client, eager_celery, django_capture_on_commit_callbacks
):
    resource = ResourceFactory()
    VersionFactory(resource=resource, language="en")
    path = f"/es/alerts/resource/{resource.pk}/"
    page = client.get(path + "?language=es").content.decode()
    assert re.search(r'value="es"[^>]*checked', page)
    assert 'value="en"' not in page  # a language it has is not offered
    refused = client.post(path, {"email": "a@example.org", "language": "en"})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"email": "a@example.org", "language": "es"})
    assert response.status_code == 302
    watch = LanguageWatch.objects.get()
    token = re.search(r"/es/alerts/confirm/(\S+)/", outbox.outbox[0].body).group(1)
    assert links.read_confirm_token(token)[2:] == (links.WATCH, watch.pk)
    client.post(f"/es/alerts/confirm/{token}/")
    watch.refresh_from_db()
    assert watch.confirmed_at is not None


def test_the_pages_read_right_to_left_in_arabic(client):
    watch = LanguageWatchFactory(resource=ResourceFactory())
    token = manage_token(watch.subscriber)
    for path in (
        "/ar/alerts/new/",
        f"/ar/alerts/resource/{watch.resource.pk}/",
        "/ar/alerts/check-your-email/",
        f"/ar/alerts/unsubscribe/{token}/watch/{watch.pk}/",
    ):
        page = client.get(path).content.decode()
        assert re.search(r'<html[^>]*lang="ar"[^>]*dir="rtl"', page), path


@pytest.mark.parametrize("topics", [1, 4])
def test_the_form_costs_the_same_queries_however_many_topics(
    client, django_assert_num_queries, topics
):
    slugs = [TopicFactory().slug for _ in range(topics)]
    client.get(NEW)  # the library's index, built once per process
    query = "&".join(f"topic={slug}" for slug in slugs)
    with django_assert_num_queries(QUERIES):
        assert client.get(f"{NEW}?{query}").status_code == 200


QUERIES = 2  # the library's generation, the chosen topics


def test_the_readers_data_page_and_download_list_their_alerts(client):
    alert = SearchAlertFactory(label="Type: Toolkit")
    token = manage_token(alert.subscriber)
    page = client.get(f"/en/newsletters/preferences/{token}/data/").content.decode()
    assert "Your library alerts" in page and "Type: Toolkit" in page
    download = client.get(f"/en/newsletters/preferences/{token}/data.json").json()
    assert download["search_alerts"][0]["description"] == "Type: Toolkit"
