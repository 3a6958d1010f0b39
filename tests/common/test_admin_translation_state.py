"""The content admins' shared pieces (common/admin.py CurationAdminMixin), seen on the
initiative admin: which languages lack a text, the tab kept after "Save and continue",
the list's Languages column and filter, and a history without whitespace-only changes."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative
from tests.initiatives.factories import InitiativeFactory, content_editor

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/initiatives/initiative/"


def change_url(initiative):
    return f"{CHANGELIST}{initiative.pk}/change/"


def initiative_form(initiative, **overrides):
    """What the change form posts back for an initiative without inline rows."""
    data = {
        "slug": initiative.slug,
        "status": initiative.status,
        "order": initiative.order,
        "is_published": "on",
        "hero_alt_en": "",
    }
    for name in ("title", "summary", "body"):
        for code in ("en", "fr", "es", "ar"):
            data[f"{name}_{code}"] = getattr(initiative, f"{name}_{code}") or ""
    for prefix in ("objectives", "milestones", "contacts"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_the_change_form_says_which_languages_lack_a_text(client):
    initiative = InitiativeFactory(
        title_fr="Initiative fr", summary_fr="Résumé", body_fr="<p>x</p>"
    )
    client.force_login(content_editor())
    page = client.get(change_url(initiative)).content.decode()
    assert "Missing in: Spanish, Arabic" in page
    # The tabs' marks read the fields from here (static/js/admin-translation-state.js).
    assert 'data-missing="title_es summary_es body_es title_ar summary_ar body_ar"' in page
    assert "title_fr" not in page.split('data-missing="')[1].split('"')[0]


def test_a_record_filled_in_every_language_says_so(client):
    texts = {
        f"{name}_{code}": "x"
        for name in ("title", "summary", "body")
        for code in ["fr", "es", "ar"]
    }
    initiative = InitiativeFactory(**texts)
    client.force_login(content_editor())
    page = client.get(change_url(initiative)).content.decode()
    assert "Filled in every language." in page and "Missing in" not in page


def test_save_and_continue_comes_back_on_the_language_tab_chosen(client):
    initiative = InitiativeFactory()
    client.force_login(content_editor())
    response = client.post(
        change_url(initiative),
        initiative_form(initiative, title_ar="مبادرة", _continue="1", _language_tab="ar"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{change_url(initiative)}#lang-ar")
    # A value that is no language is not carried.
    response = client.post(
        change_url(initiative),
        initiative_form(initiative, _continue="1", _language_tab='"><script>'),
    )
    assert "#" not in response["Location"]


def test_a_whitespace_only_resave_logs_no_field_change(client):
    initiative = InitiativeFactory(body_en="<p>First line</p>\n<p>Second line</p>")
    client.force_login(content_editor())
    # A textarea sends \r\n line endings, and editors leave trailing spaces.
    resave = initiative_form(
        initiative,
        body_en="<p>First line</p>\r\n<p>Second line</p>  ",
        title_en=initiative.title_en + " ",
    )
    assert client.post(change_url(initiative), resave).status_code == 302
    entry = LogEntry.objects.filter(object_id=str(initiative.pk), action_flag=CHANGE).get()
    assert entry.get_change_message() == "No fields changed."

    client.post(change_url(initiative), initiative_form(initiative, title_fr="Une initiative"))
    latest = LogEntry.objects.filter(object_id=str(initiative.pk)).order_by("-pk").first()
    assert latest.get_change_message() == "Changed Title [fr]."


def test_the_list_shows_each_initiatives_languages_and_slug_and_filters_missing_ones(client):
    complete = InitiativeFactory(
        title_en="Complete one",
        **{
            f"{name}_{code}": "x"
            for name in ("title", "summary", "body")
            for code in ["fr", "es", "ar"]
        },
    )
    lacking = InitiativeFactory(
        title_en="Lacking Arabic",
        title_fr="x",
        summary_fr="x",
        body_fr="x",
        title_es="x",
        summary_es="x",
        body_es="x",
    )
    client.force_login(content_editor())
    page = client.get(CHANGELIST).content.decode()
    assert complete.slug in page and lacking.slug in page
    assert "missing: ar" in page
    filtered = client.get(CHANGELIST, {"missing_language": "ar"})
    assert list(filtered.context["cl"].queryset) == [lacking]
    assert client.get(CHANGELIST, {"missing_language": "xx"}).status_code == 200


def test_the_list_reads_languages_without_a_query_per_row(client, django_assert_num_queries):
    client.force_login(content_editor())
    InitiativeFactory.create_batch(2)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    InitiativeFactory.create_batch(6)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(CHANGELIST)
    assert Initiative.objects.count() == 8
