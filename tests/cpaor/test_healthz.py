"""/healthz (liveness: cheap, no broker) and /readyz (readiness: one shared worker ping)."""

import pytest
from django.core.cache import cache

from cpaor import views
from cpaor.celery import app
from tests.celery_app import use_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(settings):
    previous = app.conf.broker_url
    use_broker("redis://127.0.0.1:1/0")
    yield
    use_broker(previous)


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }


@pytest.fixture
def pings(monkeypatch):
    """Every worker ping /readyz makes, answered at once by one pretend worker."""
    calls = []

    def ping(**kwargs):
        calls.append(kwargs)
        return [{"celery@test": {"ok": "pong"}}]

    monkeypatch.setattr(app.control, "ping", ping)
    cache.delete(views._worker_cache_key())
    yield calls
    cache.delete(views._worker_cache_key())


@pytest.fixture
def no_broker_calls(monkeypatch):
    """Fails the test's assertion if anything talks to the broker."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the broker was called")

    monkeypatch.setattr(app, "connection_for_write", refuse)
    monkeypatch.setattr(app.control, "ping", refuse)
    return calls


def test_readyz_says_503_and_names_what_is_down(client, cache_down, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "redis": False, "celery": False},
    }


def test_healthz_is_alive_without_redis_or_broker_and_never_calls_the_broker(
    client, cache_down, broker_down, no_broker_calls
):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True}}
    assert no_broker_calls == []


def test_healthz_says_503_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable():
        raise OSError("connection refused")

    monkeypatch.setattr(views, "_database", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": False}}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_head_and_are_never_cached(client, path, pings):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_ten_readiness_calls_in_the_cache_window_cost_one_ping_that_stops_at_one_answer(
    client, pings
):
    statuses = [client.get("/readyz").status_code for _ in range(10)]
    assert statuses == [200] * 10
    assert len(pings) == 1
    assert pings[0]["limit"] == 1
    assert pings[0]["timeout"] <= 1.0


def test_a_failed_ping_is_shared_too_so_a_dead_worker_does_not_stall_every_caller(
    client, monkeypatch, settings
):
    settings.READYZ_PING_TIMEOUT = 0.05
    calls = []

    def silent(**kwargs):
        calls.append(kwargs)
        return []

    monkeypatch.setattr(app.control, "ping", silent)
    cache.delete(views._worker_cache_key())
    try:
        bodies = [client.get("/readyz").json() for _ in range(5)]
    finally:
        cache.delete(views._worker_cache_key())
    assert [body["checks"]["celery"] for body in bodies] == [False] * 5
    assert len(calls) == 1
