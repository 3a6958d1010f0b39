"""The API's tests: every answer checked against the schema the portal serves."""

import json

import pytest
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _no_limit_unless_tested(settings):
    """The limit is tested on its own (test_protocol.py); walking pages from one address
    would otherwise reach it."""
    settings.API_RATE = ""


@pytest.fixture(scope="session")
def openapi():
    """The schema from /api/schema/, read once: it needs no database."""
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return OpenAPI.from_dict(json.loads(response.content))


@pytest.fixture
def api(client, openapi):
    """GET through the test client; each answer (and, when accepted, its request) is
    validated against the schema before the test reads it."""

    def get(path, data=None, status=200, **headers):
        response = client.get(path, data, headers=headers)
        assert response.status_code == status, response.content[:500]
        request = DjangoOpenAPIRequest(response.wsgi_request)
        if status == 200:
            openapi.validate_request(request)
        openapi.validate_response(request, DjangoOpenAPIResponse(response))
        return response.json()

    return get
