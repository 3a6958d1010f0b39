"""How the API answers whatever the address: read-only, open to other sites for GET,
limited per client, without cookies, and described by its schema and docs page."""

import secrets

import pytest
import yaml
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/resources/"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_but_reading_is_allowed(client, method):
    resource = ResourceFactory()
    for path in [LIST, f"{LIST}{resource.pk}/", "/api/v1/newsletters/issues/"]:
        response = getattr(client, method)(path, {"title": "changed"})
        assert response.status_code == 405, path
    resource.refresh_from_db()
    assert resource.title != "changed"


def test_head_answers_like_get_without_a_body(client):
    ResourceFactory()
    response = client.head(LIST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


def test_other_sites_may_read_from_a_browser_without_credentials(client):
    ResourceFactory()
    response = client.get(LIST, headers={"origin": "https://partner.example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response

    preflight = client.options(
        LIST,
        headers={
            "origin": "https://partner.example.org",
            "access-control-request-method": "GET",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    allowed = {method.strip() for method in preflight["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


def test_the_portals_pages_stay_closed_to_other_sites(client):
    response = client.get("/en/resources/", headers={"origin": "https://partner.example.org"})
    assert "Access-Control-Allow-Origin" not in response


def test_answers_set_no_cookie(client):
    resource = ResourceFactory()
    for path in [LIST, f"{LIST}{resource.pk}/?lang=fr", "/api/schema/", "/api/docs/"]:
        response = client.get(path, headers={"accept-language": "ar"})
        assert response.status_code == 200, path
        assert not response.cookies, path
        # Shared caches may keep an answer per language, never per visitor.
        assert "Accept-Language" in response["Vary"], path
        assert "Cookie" not in response["Vary"], path


def test_a_client_over_the_limit_is_told_when_to_come_back(client, settings, openapi):
    settings.API_RATE = "3/min"
    address = f"2001:db8::{secrets.token_hex(2)}"
    for _attempt in range(3):
        assert client.get(LIST, REMOTE_ADDR=address).status_code == 200
    limited = client.get(LIST, REMOTE_ADDR=address)
    assert limited.status_code == 429
    openapi.validate_response(
        DjangoOpenAPIRequest(limited.wsgi_request), DjangoOpenAPIResponse(limited)
    )
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "detail" in limited.json()
    # Another client is not held back by the first.
    assert client.get(LIST, REMOTE_ADDR=f"2001:db8::1:{secrets.token_hex(2)}").status_code == 200


def test_the_schema_comes_as_yaml_or_json_and_names_every_endpoint(client):
    as_yaml = yaml.safe_load(client.get("/api/schema/").content)
    as_json = client.get("/api/schema.json").json()
    assert as_yaml == as_json
    assert as_json["openapi"].startswith("3.")
    assert set(as_json["paths"]) == {
        "/api/v1/resources/",
        "/api/v1/resources/{id}/",
        "/api/v1/initiatives/",
        "/api/v1/initiatives/{slug}/",
        "/api/v1/newsletters/",
        "/api/v1/newsletters/issues/",
        "/api/v1/newsletters/issues/{id}/",
    }


def test_the_docs_page_lists_the_endpoints_and_their_parameters_from_the_portal_alone(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "GET /api/v1/resources/" in html
    assert "<code>page_size</code>" in html
    assert "<script" not in html
    arabic = client.get("/api/docs/", headers={"accept-language": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "https://" not in html.replace("https://example", "")
