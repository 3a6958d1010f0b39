"""Security headers on every response, the request id, and the JSON log lines."""

import json
import logging

import pytest

from cpaor.logging import ContextFilter, JSONFormatter, request_id_var

pytestmark = pytest.mark.django_db

PAGES = ["/en/", "/ar/initiatives/", "/fr/resources/?q=x", "/healthz", "/admin/login/"]


def directives(header):
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in (200, 503)
    policy = directives(response["Content-Security-Policy"])
    # Nothing is allowed unless named: scripts, styles, images, fonts from the portal.
    assert policy["default-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_not_found_pages_carry_them_too(client):
    response = client.get("/en/initiatives/no-such-initiative/")
    assert response.status_code == 404
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_each_request_gets_an_id_and_a_proxy_id_is_kept(client):
    first = client.get("/en/")["X-Request-ID"]
    second = client.get("/en/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/en/", HTTP_X_REQUEST_ID="lb-0123456789")["X-Request-ID"] == "lb-0123456789"
    # Something that is not an id (spaces, markup, too long) is replaced, not echoed.
    kept = client.get("/en/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert "<" not in kept and len(kept) == 32


def test_json_log_lines_carry_the_request_id_and_extra_fields():
    record = logging.LogRecord("cpaor.test", logging.WARNING, __file__, 1, "sent %s", (3,), None)
    record.issue_id = 42
    token = request_id_var.set("req-12345678")
    try:
        ContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "sent 3"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "req-12345678"
    assert line["issue_id"] == 42
    assert line["time"].endswith("+00:00")


def test_a_log_record_outside_a_request_has_an_empty_request_id():
    record = logging.LogRecord("cpaor.test", logging.INFO, __file__, 1, "idle", (), None)
    ContextFilter().filter(record)
    assert record.request_id == ""
    assert "request_id" not in json.loads(JSONFormatter().format(record))
