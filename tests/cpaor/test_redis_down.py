"""With Redis unreachable, every public form still answers (limits fail open, logged)."""

import logging
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from common.ratelimit import hit
from cpaor import cache as resilient_cache
from initiatives.models import Contact
from members.models import Application
from newsletters.models import Subscriber
from tests.initiatives.factories import ContactFactory, CountryFactory
from tests.members.factories import UserFactory
from tests.members.test_views import create_url, organisation_data
from tests.newsletters.factories import NewsletterListFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The portal's own cache settings, pointed at a port where nothing listens."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": CLOSED}}
    settings.RATELIMIT_ENABLED = True
    monkeypatch.setattr(resilient_cache, "_down_until", {})


@pytest.fixture
def eager_tasks():
    from cpaor.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def test_subscribing_to_a_newsletter(client, redis_down, caplog):
    newsletter = NewsletterListFactory()
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/en/newsletters/",
            {
                "email": "reader@example.org",
                "lists": [str(newsletter.pk)],
                "origin": "page",
                "consent": "on",
            },
        )
    assert (response.status_code, response["Location"]) == (
        302,
        "/en/newsletters/check-your-email/",
    )
    assert Subscriber.objects.filter(email="reader@example.org").exists()
    assert "Redis at" in caplog.text and "unavailable" in caplog.text


def test_signing_up(client, redis_down):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="new@example.org").exists()


def test_logging_in_right_and_wrong(client, redis_down):
    user = UserFactory()
    wrong = client.post("/en/accounts/login/", {"login": user.email, "password": "nope"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    right = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_asking_for_a_password_reset(client, redis_down):
    user = UserFactory()
    response = client.post("/en/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302


def test_the_admin_log_in(client, redis_down):
    user = UserFactory(is_staff=True)
    wrong = client.post("/admin/login/", {"username": user.username, "password": "nope"})
    assert wrong.status_code == 200
    right = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert (right.status_code, right["Location"]) == (302, "/admin/")


def test_revealing_a_contact_address(client, redis_down):
    contact = ContactFactory(email="amina.diallo@example.org")
    url = reverse("initiatives:contact", args=[contact.initiative.slug, contact.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).email in response.content.decode()


def test_applying_for_membership(client, redis_down, eager_tasks):
    client.force_login(UserFactory())
    country = CountryFactory(name_en="Senegal", iso_code="SN")
    response = client.post(create_url(), organisation_data(country, save="1"))
    assert response.status_code == 302
    assert Application.objects.filter(org_name="Enfance Sénégal").exists()


def test_the_limit_counter_lets_the_request_through_and_logs_when_the_cache_fails(settings, caplog):
    # Django's plain Redis backend raises; the limiter itself must not.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
        }
    }
    with caplog.at_level(logging.WARNING, logger="common.ratelimit"):
        assert hit(f"test-{uuid.uuid4().hex}", "203.0.113.1", "1/h") == 0
    assert "not counted, the cache failed" in caplog.text


def test_an_unreachable_redis_is_left_alone_for_a_few_seconds(settings, monkeypatch):
    from django.core.cache import cache

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": CLOSED}}
    monkeypatch.setattr(resilient_cache, "_down_until", {})
    tries = []
    real_get_client = resilient_cache.ResilientRedisCacheClient.get_client

    def counting_get_client(self, *args, **kwargs):
        tries.append(1)
        return real_get_client(self, *args, **kwargs)

    monkeypatch.setattr(
        resilient_cache.ResilientRedisCacheClient, "get_client", counting_get_client
    )
    assert cache.get("a", "missing") == "missing"
    assert cache.add("b", 1) is True
    cache.set("c", 1)
    with pytest.raises(ValueError):
        cache.incr("d")
    assert len(tries) == 1


def test_the_limits_let_every_request_through_while_redis_is_down(redis_down):
    assert [hit("subscribe-test", "203.0.113.2", "1/h") for _ in range(3)] == [0, 0, 0]


def test_a_resource_saved_while_the_broker_is_down_is_kept_its_link_checked_later(
    django_capture_on_commit_callbacks, caplog
):
    """The link check is queued after commit: a broker that cannot take it must not turn
    the curator's saved change into a 500; the hourly re-check picks the link up."""
    from cpaor.celery import app
    from resources import services
    from tests.celery_app import use_broker
    from tests.resources.factories import ResourceFactory

    resource = ResourceFactory()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    use_broker(CLOSED)
    app.conf.task_always_eager = False
    try:
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            services.resource_update(
                actor=None,
                resource_id=resource.pk,
                links=[services.Link("fr", "https://example.org/fr.pdf")],
            )
    finally:
        use_broker(saved[0])
        app.conf.task_always_eager = saved[1]
    version = resource.versions.get()
    assert version.external_url == "https://example.org/fr.pdf"
    assert version.link_checked_at is None
    assert "waits for the hourly re-check" in caplog.text
