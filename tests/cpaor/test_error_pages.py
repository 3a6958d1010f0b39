"""The portal's own error pages: a 404 in the reader's language (from the address), with
the site's header, a search of the library and ways back; a 500 in that language too,
rendered while the database is unreachable."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import path

from cpaor.urls import handler404, handler500  # noqa: F401 - this module is a URLconf
from cpaor.urls import urlpatterns as portal_urls


def database_view(request):
    """A page that reads the database, as most do."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


urlpatterns = [
    *i18n_patterns(path("reads-the-database/", database_view), prefix_default_language=True),
    *portal_urls,
]


# The header's own words, already translated: the page is in the reader's language.
SKIP_LINK = {
    "en": "Skip to main content",
    "fr": "Aller au contenu principal",
    "ar": "الانتقال إلى المحتوى الرئيسي",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_a_missing_page_answers_404_in_the_readers_language_with_the_header(
    client, language, direction
):
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert 'class="site-header"' in html and SKIP_LINK[language] in html
    assert f'action="/{language}/resources/"' in html and 'name="q"' in html
    assert f'href="/{language}/"' in html
    assert '<meta name="robots" content="noindex">' in html
    if language == "en":
        assert "Page not found" in html


@pytest.mark.django_db
def test_a_missing_resource_is_the_same_page(client):
    response = client.get("/fr/resources/no-such-resource/")
    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_the_500_page_renders_in_the_readers_language_while_the_database_is_down(
    monkeypatch, language, direction
):
    attempts = []

    def unreachable(self):
        attempts.append(self.alias)
        raise OperationalError("could not connect to server: Connection refused")

    # Every way to the database fails, as with the server down (pytest-django's own
    # guard is this method too: no test database is needed).
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
    client = Client(raise_request_exception=False)
    response = client.get(f"/{language}/reads-the-database/")
    monkeypatch.undo()
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert 'class="site-header"' in html and SKIP_LINK[language] in html
    assert f'href="/{language}/"' in html
    assert "Server error" not in html
    # The view tried the database once; the error page never did.
    assert attempts == ["default"]


@pytest.mark.urls(__name__)
def test_the_500_page_in_english_says_what_to_do():
    from unittest import mock

    client = Client(raise_request_exception=False)
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError):
        response = client.get("/en/reads-the-database/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Please try again in a few minutes" in html
