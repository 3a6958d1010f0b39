import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpaor.settings import parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # The test process allows async-unsafe ORM use for Playwright; a deployment never does.
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "ALLOWED_HOSTS": "portal.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.org:587?tls=1",
    "TRUSTED_PROXY_COUNT": "1",
}


def test_deploy_check_is_clean_in_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "k9#Xq2!vR7$mZ4@pL8&" * 3,
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def deploy_check_ids():
    from django.core.checks import run_checks

    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_deploy_check_warns_when_production_trusts_no_proxy(settings):
    settings.PRODUCTION = True
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert "cpaor.W001" in deploy_check_ids()
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert "cpaor.W001" not in deploy_check_ids()
    settings.PRODUCTION = False
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert "cpaor.W001" not in deploy_check_ids()


def test_deploy_check_warns_when_allauth_counts_other_proxies(settings):
    settings.PRODUCTION = True
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert "cpaor.W002" in deploy_check_ids()


def test_allauth_counts_the_same_proxies_as_the_form_limits():
    code = "import cpaor.settings as s; print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "TRUSTED_PROXY_COUNT": "2"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["2", "2"], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "PRODUCTION": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def production_start(**changes):
    """`manage.py check` with a complete production environment, changed by `changes`
    (None removes a variable): what an operator's .env gives the containers."""
    environment = {
        **os.environ,
        **PRODUCTION_ENV,
        "PRODUCTION": "1",
        "SECRET_KEY": "a-long-random-production-secret-" + "k9#Xq2!vR7$mZ4@pL8&" * 3,
    }
    for key in ("EMAIL_HOST", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(key, None)
    for key, value in changes.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_starts_with_everything_it_needs():
    result = production_start()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "EMAIL_URL"]
)
def test_production_refuses_to_start_naming_what_is_missing(missing):
    result = production_start(**{missing: None})
    assert result.returncode != 0
    assert f"{missing} must" in result.stderr
    assert "in production (PRODUCTION=1)" in result.stderr


@pytest.mark.parametrize("url", ["console://", "locmem://"])
def test_production_refuses_mail_that_goes_nowhere(url):
    result = production_start(EMAIL_URL=url)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_public_bucket_without_a_private_one_is_refused():
    result = production_start(AWS_STORAGE_BUCKET_NAME="cpaor-media")
    assert result.returncode != 0
    assert "AWS_PRIVATE_STORAGE_BUCKET_NAME must be set" in result.stderr


def test_no_model_change_lacks_a_migration():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_email_url_gives_smtp_settings():
    settings = parse_email_url("smtp://mailer:s%40cret@mail.example.org:587?tls=1")
    assert settings["EMAIL_HOST"] == "mail.example.org"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_HOST_USER"] == "mailer"
    assert settings["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert settings["EMAIL_USE_TLS"] is True
    assert settings["EMAIL_USE_SSL"] is False
