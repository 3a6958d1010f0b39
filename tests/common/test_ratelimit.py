"""Per-client limits on public forms and the honeypot shared by them."""

import uuid

import pytest
from django import forms
from django.http import HttpResponse
from django.test import RequestFactory

from common.forms import HoneypotFormMixin
from common.ratelimit import client_address, parse_rate, ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.RATELIMIT_ENABLED = True
    group = f"test-{uuid.uuid4().hex}"  # a fresh counter in the shared cache

    @ratelimit(group, rate="3/h")
    def view(request):
        return HttpResponse("done")

    return view


def post(view, address="203.0.113.7", **meta):
    request = RequestFactory().post("/en/form/", REMOTE_ADDR=address, **meta)
    request.LANGUAGE_CODE = "en"
    return view(request)


def test_rate_strings():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("10/15m") == (10, 900)
    assert parse_rate("1/d") == (1, 86400)


def test_fourth_post_in_the_hour_is_refused_with_a_page_saying_when_to_retry(limited):
    assert [post(limited).status_code for _ in range(3)] == [200, 200, 200]
    refused = post(limited)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 3600
    text = refused.content.decode()
    assert "Too many attempts" in text
    assert "try again in" in text


def test_each_client_has_its_own_counter(limited):
    for _ in range(3):
        post(limited, address="198.51.100.1")
    assert post(limited, address="198.51.100.1").status_code == 429
    assert post(limited, address="198.51.100.2").status_code == 200


def test_reading_the_page_is_never_limited(limited):
    for _ in range(5):
        request = RequestFactory().get("/en/form/", REMOTE_ADDR="203.0.113.9")
        assert limited(request).status_code == 200


def test_limits_can_be_switched_off(limited, settings):
    settings.RATELIMIT_ENABLED = False
    assert {post(limited).status_code for _ in range(6)} == {200}


def test_forwarded_for_counts_only_what_the_trusted_proxy_saw(settings):
    factory = RequestFactory()
    # The client forged the first entry; the one proxy appended the real address.
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.50"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"


class ContactForm(HoneypotFormMixin, forms.Form):
    name = forms.CharField()


def test_honeypot_filled_in_marks_the_form_as_spam_without_an_error():
    form = ContactForm({"name": "Amina", "homepage": "http://spam.example"})
    assert form.is_valid()
    assert form.is_spam
    assert [field.name for field in form.visible_fields()] == ["name"]


def test_honeypot_left_empty_is_a_person():
    form = ContactForm({"name": "Amina", "homepage": ""})
    assert form.is_valid()
    assert not form.is_spam


def test_the_limit_page_without_a_known_wait_still_tells_the_reader_what_to_do(client):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/en/accounts/login/")
    text = render_to_string("429.html", {}, request=request)
    assert "Please wait a few minutes, then try again." in text


def test_allauth_log_in_limits_tell_apart_two_clients_behind_one_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{uuid.uuid4().hex}"}
    }
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip"}

    def log_in(n, forwarded_for):
        response = client.post(
            "/en/accounts/login/",
            {"login": f"nobody{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
        assert response.status_code == 400
        return "Too many failed login attempts" in response.content.decode()

    # The first client forges an address on the left each time; only the proxy's counts.
    assert [log_in(n, f"192.0.2.{n}, 198.51.100.1") for n in range(10)] == [False] * 10
    assert log_in(10, "192.0.2.99, 198.51.100.1")
    assert not log_in(11, "198.51.100.2")


def test_a_short_forwarded_for_header_is_the_proxy_address_for_allauth_too(client, settings):
    """allauth's own reading raised ImproperlyConfigured (a 500) when X-Forwarded-For had
    fewer entries than the trusted proxies; the portal's reading falls back to REMOTE_ADDR."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = client.post(
        "/en/accounts/login/",
        {"login": "nobody@example.org", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 400
