"""The recipients of an issue: every reader with their status, attempts, the server's last
answer and when; filtered by status, searched by address or name, paginated, in the
same few queries whatever the issue's size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters import services
from newsletters.models import Delivery

from .factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    bulk_subscribers,
    newsletter_editor,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(newsletter_editor())
    return client


def url(issue, query=""):
    return f"/admin/newsletters/issue/{issue.pk}/recipients/{query}"


@pytest.fixture
def yemen_issue():
    """An issue sent to partners: one got it, one failed, one bounced, one waits."""
    newsletter = NewsletterListFactory()
    names = {
        "amal@partner-ye.org": "Amal Saleh",
        "omar@partner-ye.org": "Omar Haddad",
        "lina@ngo.example": "Lina",
        "sam@ngo.example": "",
    }
    for email, name in names.items():
        subscribe(SubscriberFactory(email=email, name=name), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    rows = issue.deliveries
    at = timezone.now() - datetime.timedelta(minutes=3)
    rows.filter(subscriber__email="amal@partner-ye.org").update(
        status="sent", attempts=1, last_attempt_at=at, sent_at=at
    )
    rows.filter(subscriber__email="omar@partner-ye.org").update(
        status="failed",
        attempts=2,
        last_attempt_at=at,
        last_error="(550, b'5.1.1 <omar@partner-ye.org>: mailbox unavailable')",
    )
    rows.filter(subscriber__email="lina@ngo.example").update(
        status="bounced", attempts=1, sent_at=at, bounced_at=at
    )
    return issue


def emails_listed(response):
    return [row.subscriber.email for row in response.context["rows"]]


def test_every_reader_is_listed_with_status_attempts_answer_and_times(editor_client, yemen_issue):
    response = editor_client.get(url(yemen_issue))
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(emails_listed(response)) == [
        "amal@partner-ye.org",
        "lina@ngo.example",
        "omar@partner-ye.org",
        "sam@ngo.example",
    ]
    assert "Omar Haddad" in html
    assert "5.1.1 &lt;omar@partner-ye.org&gt;: mailbox unavailable" in html
    for label in ("All (4)", "Sent (1)", "Failed (1)", "Bounced (1)", "Pending (1)"):
        assert label in html
    at = timezone.now() - datetime.timedelta(minutes=3)
    assert at.strftime("%Y-%m-%d %H:") in html


def test_filtering_by_status_and_searching_by_address_or_name(editor_client, yemen_issue):
    failed = editor_client.get(url(yemen_issue, "?status=failed"))
    assert emails_listed(failed) == ["omar@partner-ye.org"]
    assert 'aria-current="page">Failed (1)' in failed.content.decode()
    partners = editor_client.get(url(yemen_issue, "?q=partner-ye"))
    assert sorted(emails_listed(partners)) == ["amal@partner-ye.org", "omar@partner-ye.org"]
    by_name = editor_client.get(url(yemen_issue, "?q=saleh"))
    assert emails_listed(by_name) == ["amal@partner-ye.org"]
    exact = editor_client.get(url(yemen_issue, "?q=LINA@ngo.example"))
    assert emails_listed(exact) == ["lina@ngo.example"]
    both = editor_client.get(url(yemen_issue, "?status=sent&q=partner-ye"))
    assert emails_listed(both) == ["amal@partner-ye.org"]
    nobody = editor_client.get(url(yemen_issue, "?q=nobody"))
    assert emails_listed(nobody) == []
    assert "No reader matches." in nobody.content.decode()


def test_an_unknown_status_is_a_clear_400(editor_client, yemen_issue):
    response = editor_client.get(url(yemen_issue, "?status=lost"))
    assert response.status_code == 400
    assert "Select a valid choice. lost is not one of the available choices." in (
        response.content.decode()
    )


def test_the_issue_and_its_progress_page_link_to_the_recipients(editor_client, yemen_issue):
    change = editor_client.get(f"/admin/newsletters/issue/{yemen_issue.pk}/change/")
    progress = editor_client.get(f"/admin/newsletters/issue/{yemen_issue.pk}/progress/")
    assert url(yemen_issue) in change.content.decode()
    assert url(yemen_issue) in progress.content.decode()
    assert url(yemen_issue, "?status=failed") in progress.content.decode()


def sending_issue(readers):
    newsletter = NewsletterListFactory()
    bulk_subscribers(newsletter, ["confirmed"] * readers, prefix=f"bulk{readers}")
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    issue.deliveries.filter(pk__in=issue.deliveries.order_by("pk")[:3].values("pk")).update(
        status="failed", last_error="550 no"
    )
    return issue


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_ten_readers_and_for_a_thousand(editor_client):
    small, large = sending_issue(10), sending_issue(1000)
    for query in ("", "?status=failed", "?q=bulk", "?page=2"):
        assert queries(editor_client, url(small, query)) == queries(
            editor_client, url(large, query)
        ), query


def test_a_hundred_readers_a_page(editor_client):
    issue = sending_issue(250)
    first = editor_client.get(url(issue))
    assert len(first.context["rows"]) == 100
    assert "?page=2" in first.content.decode()
    last = editor_client.get(url(issue, "?page=3"))
    assert len(last.context["rows"]) == 50
    assert "page 3 of 3" in last.content.decode()
    seen = set()
    for page in (1, 2, 3):
        seen |= {row.pk for row in editor_client.get(url(issue, f"?page={page}")).context["rows"]}
    assert seen == set(Delivery.objects.filter(issue=issue).values_list("pk", flat=True))
    # A page number past the end shows the last page, not an error.
    assert editor_client.get(url(issue, "?page=99")).context["page"].number == 3
