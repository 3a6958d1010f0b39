"""Shared test set-up: real Postgres (DATABASE_URL), real Redis (REDIS_URL)."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property-based tests on the same examples every time (a failure there is
# reproducible, never a coin toss); elsewhere they explore new ones on each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # The live server answers each request in a new thread; persistent connections left
    # by those threads would keep the test database busy at teardown.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hashing passwords at full strength costs most of the time of the account tests; what
    # they check (which hashes happen, who may log in) does not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"
    # Limits are tested on their own (tests/cpaor/test_ratelimit.py); elsewhere many tests
    # post from the same address into the same cache.
    settings.RATELIMIT_ENABLED = False
    # Whole pages kept in Redis would outlive each test's database; the page cache is
    # tested on its own (tests/cpaor/test_page_cache.py), which turns it back on.
    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Each xdist worker gets its own cache namespace in the shared Redis.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{worker}"}
    }


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a previous request must not leave its language
    active in the thread (modeltranslation writes plain field names to that language)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
