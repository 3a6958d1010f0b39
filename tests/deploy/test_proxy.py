"""The production path with real processes: Debian's caddy, run with deploy/Caddyfile
(the file docker-compose.yml mounts), in front of gunicorn with PRODUCTION=1.

What an operator and a coordinator on a slow link would notice: plain HTTP goes to
HTTPS, pages come compressed with HSTS, static files come from the proxy, an upload over
the cap is refused with 413 before gunicorn sees it, an uploaded file is sent by the proxy
only after the portal's permission check, and the per-client limits count the real
client, whatever X-Forwarded-For it sends.
"""

import gzip
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from devstack.processes import free_port, make_preexec
from devstack.workers import database_url

pytestmark = [pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy")
MAX_UPLOAD_MB = 2


def wait_for(port, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            socket.request("HEAD", "/")
            socket.getresponse()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answers on {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn (PRODUCTION=1, on 127.0.0.1 only) behind caddy, on the test database."""
    if CADDY is None:
        pytest.fail("caddy is not installed (apt-get install -y caddy; .ci/run does)")
    base = tmp_path_factory.mktemp("stack")
    files = base / "srv"
    for folder in ("static", "media", "private"):
        (files / folder).mkdir(parents=True)
    with django_db_blocker.unblock():
        db_url = database_url(connection)
    web_port, http_port, https_port = free_port(), free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "EMAIL_HOST", "EMAIL_BACKEND")
    }
    origin = f"https://localhost:{https_port}"
    env.update(
        PRODUCTION="1",
        DEBUG="0",
        # The test process signs the sessions it opens for gunicorn to read.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="localhost",
        CSRF_TRUSTED_ORIGINS=origin,
        SITE_URL=origin,
        EMAIL_URL="smtp://127.0.0.1:1",
        DATABASE_URL=db_url,
        TRUSTED_PROXY_COUNT="1",
        FILES_ACCEL_REDIRECT="1",
        RATELIMIT_ENABLED="1",
        CACHE_KEY_PREFIX=f"proxy-{uuid.uuid4().hex}",
        STATIC_ROOT=str(files / "static"),
        MEDIA_ROOT=str(files / "media"),
        PRIVATE_MEDIA_ROOT=str(files / "private"),
        RESOURCE_MAX_UPLOAD_MB=str(MAX_UPLOAD_MB - 1),
        LOG_FORMAT="plain",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
    )
    web_log = base / "gunicorn.log"
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cpaor.wsgi",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            "2",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--access-logformat",
            '"%(r)s" %(s)s %(B)s',
        ],  # fmt: skip
        cwd=REPO,
        env=env,
        stdout=web_log.open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=make_preexec(),
    )
    caddy_log = base / "caddy.log"
    caddy_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(base),
        "XDG_DATA_HOME": str(base / "data"),
        "XDG_CONFIG_HOME": str(base / "config"),
        "SITE_ADDRESS": "localhost",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "UPSTREAM": f"127.0.0.1:{web_port}",
        "MAX_UPLOAD_BYTES": str(MAX_UPLOAD_MB * 1024 * 1024),
        "FILES_ROOT": str(files),
    }
    caddy = subprocess.Popen(
        [CADDY, "run", "--config", str(REPO / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env=caddy_env,
        stdout=caddy_log.open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=make_preexec(),
    )
    try:
        wait_for(web_port, web_log)
        wait_for(http_port, caddy_log)
        root = base / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + 30
        while not root.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        context = ssl.create_default_context(cafile=str(root))
        yield {
            "http_port": http_port,
            "https_port": https_port,
            "web_port": web_port,
            "origin": origin,
            "files": files,
            "tls": context,
            "logs": (web_log, caddy_log),
        }
    finally:
        for process in (caddy, web):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(stack, method, path, *, body=None, headers=None, secure=True):
    """One request through the proxy, redirects not followed; (status, headers, body)."""
    if secure:
        conn = http.client.HTTPSConnection(
            "localhost", stack["https_port"], context=stack["tls"], timeout=30
        )
    else:
        conn = http.client.HTTPConnection("localhost", stack["http_port"], timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_plain_http_is_sent_to_https(stack):
    status, headers, _ = fetch(stack, "GET", "/en/", secure=False)
    assert status in (301, 308)
    location = urlsplit(headers["location"])
    assert (location.scheme, location.hostname, location.path) == ("https", "localhost", "/en/")


@pytest.mark.django_db(transaction=True)
def test_pages_come_over_https_compressed_with_hsts(stack):
    status, headers, body = fetch(stack, "GET", "/en/", headers={"Accept-Encoding": "gzip"})
    assert status == 200, stack["logs"][0].read_text()[-3000:]
    assert headers["content-encoding"] == "gzip"
    assert b"CP AoR" in gzip.decompress(body)
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert "server" not in headers
    # One HSTS header, not the portal's and the proxy's.
    _, raw, _ = fetch(stack, "GET", "/en/")
    assert raw["strict-transport-security"].count("max-age") == 1


def test_static_files_come_from_the_proxy_cached_for_a_year(stack):
    css = next((stack["files"] / "static" / "css").glob("*.*.css"))
    status, headers, body = fetch(
        stack, "GET", f"/static/css/{css.name}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "strict-transport-security" in headers
    assert gzip.decompress(body) == css.read_bytes()


def test_a_body_over_the_cap_is_refused_by_the_proxy(stack):
    body = b"x" * (MAX_UPLOAD_MB * 1024 * 1024 + 1)
    status, _, _ = fetch(
        stack,
        "POST",
        "/en/membership/apply/organisation/",
        body=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 413
    web_log = stack["logs"][0].read_text()
    assert "/en/membership/apply/organisation/" not in web_log


def test_the_proxy_serves_nothing_from_its_internal_file_paths(stack):
    (stack["files"] / "private" / "secret.txt").write_text("for reviewers only")
    for path in ("/_files/private/secret.txt", "/_files/media/secret.txt"):
        status, _, body = fetch(stack, "GET", path)
        assert status == 404
        assert b"for reviewers only" not in body


@pytest.mark.django_db(transaction=True)
def test_a_spoofed_forwarded_for_does_not_escape_the_form_limits(stack):
    # The subscribe form allows five posts an hour per client; the sixth is refused even
    # though every post claims to come from another address.
    status, headers, _ = fetch(stack, "GET", "/en/newsletters/")
    assert status == 200
    assert "set-cookie" not in headers  # the form needs no cookie (common/pagecache.py)
    statuses = []
    for n in range(6):
        status, _, _ = fetch(
            stack,
            "POST",
            "/en/newsletters/",
            body=f"email=reader{n}@example.org",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": stack["origin"],
                "Referer": f"{stack['origin']}/en/newsletters/",
                "X-Forwarded-For": f"203.0.113.{n + 1}",
            },
        )
        statuses.append(status)
    assert 429 not in statuses[:5], statuses
    assert statuses[5] == 429


def test_health_check_reaches_gunicorn_over_plain_http(stack):
    """What the container health check does: no TLS, the host from ALLOWED_HOSTS."""
    conn = http.client.HTTPConnection("127.0.0.1", stack["web_port"], timeout=10)
    conn.request("GET", "/healthz", headers={"Host": "localhost"})
    response = conn.getresponse()
    assert response.status == 200, response.read()


def logged(stack, line, timeout=10):
    """Whether gunicorn's access log shows line: it writes it once the answer is sent,
    which may be after the proxy has passed that answer on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if line in stack["logs"][0].read_text():
            return True
        time.sleep(0.2)
    return False


def signed_in_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_sent_by_the_proxy_after_the_portals_check(stack):
    from tests.resources.factories import ResourceFactory
    from tests.resources.files import PNG_BYTES

    published = ResourceFactory(status="published")
    draft = ResourceFactory(status="draft")
    for resource, name in ((published, "open"), (draft, "hidden")):
        path = stack["files"] / "media" / "resources" / "thumbnails" / f"{name}-x1.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PNG_BYTES)
        resource.thumbnail.name = f"resources/thumbnails/{name}-x1.png"
        resource.save(update_fields=["thumbnail"])

    status, headers, body = fetch(stack, "GET", "/media/resources/thumbnails/open-x1.png")
    assert status == 200, stack["logs"][1].read_text()[-2000:]
    assert body == PNG_BYTES
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "public, max-age=86400"
    # A published thumbnail may show in a feed reader; pages stay same-origin.
    assert headers["cross-origin-resource-policy"] == "cross-origin"
    assert "x-accel-redirect" not in headers
    # The file went out from the proxy: gunicorn's answer had an empty body.
    assert logged(stack, '"GET /media/resources/thumbnails/open-x1.png HTTP/1.1" 200 0')
    status, _, body = fetch(stack, "GET", "/media/resources/thumbnails/hidden-x1.png")
    assert status == 404
    assert body != PNG_BYTES


@pytest.mark.django_db(transaction=True)
def test_a_membership_document_goes_only_to_its_applicant_and_from_the_proxy(stack):
    from tests.members.factories import ApplicationFactory, UserFactory
    from tests.resources.files import pdf_bytes

    content = pdf_bytes()
    application = ApplicationFactory()
    name = f"membership/documents/statutes-{uuid.uuid4().hex[:8]}.pdf"
    path = stack["files"] / "private" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    application.supporting_document.name = name
    application.document_name = "Statutes 2026.pdf"
    application.save(update_fields=["supporting_document", "document_name"])
    url = f"/en/membership/applications/{application.pk}/document/"

    status, headers, _ = fetch(stack, "GET", url)
    assert status == 302 and "/accounts/login/" in headers["location"]
    status, _, body = fetch(stack, "GET", url, headers={"Cookie": signed_in_cookie(UserFactory())})
    assert status == 404 and body != content

    status, headers, body = fetch(
        stack, "GET", url, headers={"Cookie": signed_in_cookie(application.applicant)}
    )
    assert status == 200, stack["logs"][1].read_text()[-2000:]
    assert body == content
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "Statutes 2026.pdf" in headers["content-disposition"]
    assert {"private", "no-store"} <= set(headers["cache-control"].replace(" ", "").split(","))
    assert "x-accel-redirect" not in headers
    assert logged(stack, f'"GET {url} HTTP/1.1" 200 0')
