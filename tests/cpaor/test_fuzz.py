"""Random and hostile query strings never break a public page.

Hypothesis sends the filter and search parameters the pages know, and others, with
values in Arabic and French, right-to-left marks, NUL bytes, huge numbers and very
long strings. Every answer must be a page (200), a redirect or a clear 4xx; never a 500.
"""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpaor.seed import load as load_site_content
from initiatives.seed import load as load_initiatives
from resources.seed import load as load_resources

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q", "sort", "page", "theme", "region", "status", "type", "language", "topic",
    "initiative", "year_min", "year_max", "key", "country", "lang", "format",
]  # fmt: skip

NASTY = [
    "", "\x00", "a\x00b", "\u200f\u202e", "'; DROP TABLE resources_resource; --", "%",
    "-1", "0", "99999999999999999999999", "1e309", "NaN", "../../etc/passwd",
    "<script>alert(1)</script>", "الحماية", "protección", "x" * 5000, "😀", "\ufeff",
    "true", "on", "2023", "-2023",
]  # fmt: skip

values = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
queries = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=20)), values),
    max_size=6,
)

PAGES = [
    "/{lang}/",
    "/{lang}/initiatives/",
    "/{lang}/initiatives/government-leadership-engagement/",
    "/{lang}/resources/",
    "/{lang}/membership/",
    "/{lang}/members/",
    "/{lang}/newsletters/",
]


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    """The starting content, loaded once for the module and rolled back after it (each
    test's own transaction nests inside as a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_site_content()
        load_initiatives()
        load_resources()
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("template", PAGES)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lang=st.sampled_from(["en", "fr", "es", "ar"]), query=queries)
def test_public_pages_never_answer_500(client, content, template, lang, query):
    url = template.format(lang=lang)
    response = client.get(f"{url}?{urlencode(query)}")
    assert response.status_code < 500, (url, query)
    assert response.status_code in (200, 301, 302, 400, 404), (url, query)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.text(min_size=1, max_size=200))
def test_unknown_paths_are_404_not_500(client, content, path):
    response = client.get("/en/resources/" + path.replace("?", "").replace("#", ""))
    assert response.status_code in (200, 301, 302, 400, 404), path
