"""Anonymous public pages are kept whole in Redis (cpaor/pagecache.py): the next reader
gets them without a query, a curator's change shows on the next request, a browser that
has the page gets 304, and nobody signed in is ever given someone else's page."""

import gzip
import logging

import brotli
import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import Client, RequestFactory

from common.pagecache import VERSION_KEY
from cpaor import cache as resilient_cache
from cpaor import pagecache
from initiatives.models import Initiative
from resources import services
from tests.initiatives.factories import InitiativeFactory
from tests.members.factories import ApplicationFactory, UserFactory
from tests.resources.factories import ResourceFactory, resource_curator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    # Pages kept by earlier tests of this worker, from other databases, are forgotten.
    cache.delete(VERSION_KEY)


def test_the_second_anonymous_visit_is_served_whole_without_a_query(
    client, django_assert_num_queries
):
    InitiativeFactory(title_en="Family tracing", is_featured=True)
    first = client.get("/en/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/en/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Family tracing" in second.content.decode()
    assert second["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert "Set-Cookie" not in second


def test_each_language_and_query_string_is_a_page_of_its_own(client):
    ResourceFactory(title_en="Case management guide", title_fr="Guide de gestion des cas")
    client.get("/en/resources/")
    assert client.get("/en/resources/")["X-Page-Cache"] == "hit"
    french = client.get("/fr/resources/")
    assert french["X-Page-Cache"] == "miss"
    assert 'lang="fr"' in french.content.decode()
    searched = client.get("/en/resources/?q=nothing+like+this")
    assert searched["X-Page-Cache"] == "miss"
    assert "Case management guide" not in searched.content.decode()


def test_a_repeated_request_with_the_etag_gets_304(client):
    etag = client.get("/en/initiatives/")["ETag"]
    again = client.get("/en/initiatives/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Before the page was kept, too: the first answer to a browser that has it.
    cache.delete(VERSION_KEY)
    assert client.get("/en/initiatives/", headers={"If-None-Match": etag}).status_code == 304


def test_a_curators_change_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    resource = ResourceFactory(title_en="Case management guide")
    assert "Case management guide" in client.get("/en/resources/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(
            actor=resource_curator(),
            resource_id=resource.pk,
            changes={"title_en": "Case management guidelines, second edition"},
        )
    page = client.get("/en/resources/")
    assert page["X-Page-Cache"] == "miss"
    assert "Case management guidelines, second edition" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_unpublish(actor=None, resource_ids=[resource.pk])
    assert "second edition" not in client.get("/en/resources/").content.decode()


def test_an_initiative_changed_in_the_admin_shows_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(title_en="Family tracing")
    assert "Family tracing" in client.get("/en/initiatives/").content.decode()
    initiative.title_en = "Family tracing and reunification"
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Initiative].save_model(request, initiative, None, True)
    assert "Family tracing and reunification" in client.get("/en/initiatives/").content.decode()


def test_a_signed_in_page_is_never_kept_nor_given_to_someone_else(client):
    alice, bob = UserFactory(), UserFactory()
    ApplicationFactory(applicant=alice, org_name="Alice Relief Network")
    anonymous = client.get("/en/")
    assert "Sign in" in anonymous.content.decode()
    readers = {}
    for user in (alice, bob):
        reader = Client()
        reader.force_login(user)
        home = reader.get("/en/")
        assert "X-Page-Cache" not in home
        assert "Sign out" in home.content.decode()
        assert set(home["Cache-Control"].split(", ")) == {"private", "no-cache"}
        readers[user] = reader.get("/en/membership/dashboard/").content.decode()
    assert "Alice Relief Network" in readers[alice]
    assert "Alice Relief Network" not in readers[bob]
    # Nothing a signed-in reader was shown was kept for the others.
    again = client.get("/en/")
    assert again["X-Page-Cache"] == "hit" and "Sign out" not in again.content.decode()
    assert client.get("/en/membership/dashboard/").status_code == 302


def test_a_reader_with_a_message_waiting_gets_a_page_made_for_them(client):
    client.get("/en/")
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get("/en/")


@pytest.mark.parametrize(
    "encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_are_compressed_as_the_browser_accepts(client, encoding, decompress):
    plain = client.get("/en/").content
    for state in ("miss", "hit"):
        response = client.get("/en/", headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert response["X-Page-Cache"] == state
        assert response["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response["Vary"]
        assert decompress(response.content) == plain
        assert len(response.content) < len(plain) / 3


def test_with_redis_down_pages_are_still_served_uncached(client, settings, monkeypatch, caplog):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    monkeypatch.setattr(resilient_cache, "_down_until", {})
    InitiativeFactory(title_en="Family tracing", is_featured=True)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            response = client.get("/en/")
            assert response.status_code == 200
            assert response["X-Page-Cache"] == "miss"
            assert "Family tracing" in response.content.decode()
    assert "Redis at" in caplog.text


def test_pages_kept_by_the_code_before_a_deploy_are_not_served(client, monkeypatch):
    client.get("/en/")
    assert client.get("/en/")["X-Page-Cache"] == "hit"
    monkeypatch.setattr(pagecache, "build_id", lambda: "the-next-deploy")
    assert client.get("/en/")["X-Page-Cache"] == "miss"


def test_the_build_id_follows_the_static_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    ids = []
    for manifest in ('{"paths": {"css/portal.css": "css/portal.1.css"}}', '{"paths": {}}'):
        (tmp_path / "staticfiles.json").write_text(manifest)
        pagecache.build_id.cache_clear()
        ids.append(pagecache.build_id())
    pagecache.build_id.cache_clear()
    assert ids[0] != ids[1]
