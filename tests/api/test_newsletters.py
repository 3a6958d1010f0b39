"""The newsletter archive through the API: what the archive pages show, nothing more."""

import datetime

import pytest
from django.utils import timezone

from newsletters.models import Issue
from tests.newsletters.factories import IssueFactory, NewsletterListFactory

pytestmark = pytest.mark.django_db

ISSUES = "/api/v1/newsletters/issues/"


def sent(newsletter, days_ago, **kwargs):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return IssueFactory(
        newsletter=newsletter,
        status=Issue.Status.SENT,
        started_at=when,
        finished_at=when,
        **kwargs,
    )


def test_lists_come_with_their_archive_addresses(api):
    NewsletterListFactory(name_en="Global Newsletter", name_fr="Lettre mondiale", slug="global")

    data = api("/api/v1/newsletters/", {"lang": "fr"})

    assert data == [
        {
            "slug": "global",
            "name": "Lettre mondiale",
            "description": "",
            "language": "en",
            "accepts_subscribers": True,
            "archive_url": "http://testserver/fr/newsletters/global/",
        }
    ]


def test_the_archive_holds_sent_issues_only_newest_first(api):
    english = NewsletterListFactory(slug="global")
    french = NewsletterListFactory(slug="regional-fr", language="fr")
    older = sent(english, 30, body="**Bold** news <script>alert(1)</script>")
    newer = sent(french, 1)
    IssueFactory(newsletter=english, subject="Draft never shown")
    IssueFactory(newsletter=english, status=Issue.Status.SCHEDULED)

    data = api(ISSUES)

    assert [issue["id"] for issue in data["results"]] == [newer.pk, older.pk]
    last = data["results"][1]
    assert last["list"] == "global" and last["language"] == "en"
    assert "<strong>Bold</strong>" in last["body_html"]
    assert "<script>" not in last["body_html"]
    assert last["archive_url"] == f"http://testserver/en/newsletters/global/{older.pk}/"
    assert [i["id"] for i in api(ISSUES, {"list": "regional-fr"})["results"]] == [newer.pk]
    assert [i["id"] for i in api(ISSUES, {"language": "en"})["results"]] == [older.pk]
    assert api(f"{ISSUES}{older.pk}/")["subject"] == older.subject


def test_an_unsent_issue_is_not_found_and_bad_filters_are_refused(api, client):
    draft = IssueFactory()

    api(f"{ISSUES}{draft.pk}/", status=404)
    assert client.get(ISSUES, {"list": "no-such-list"}).status_code == 400
    assert client.get(ISSUES, {"language": "xx"}).status_code == 400
    assert client.get(ISSUES, {"cursor": "%%%"}).status_code == 400
