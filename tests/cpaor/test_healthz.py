import pytest


@pytest.fixture
def broker_down(settings):
    from cpaor.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url = previous


@pytest.mark.django_db
def test_healthz_says_503_and_names_what_is_down(client, settings, broker_down):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] is True
    assert body["checks"]["redis"] is False
    assert body["checks"]["celery"] is False


@pytest.mark.django_db
def test_healthz_is_never_cached(client, broker_down):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
