"""The progress page of an issue being sent: the figures by status, the rate and the
expected end, messages per minute as an SVG chart with its text alternative, and the
JSON its script polls; no meta refresh, no inline script or style."""

import datetime
import re

import pytest
from django.utils import timezone

from newsletters import services
from newsletters.models import Delivery, Issue

from .factories import IssueFactory, NewsletterListFactory, bulk_subscribers, newsletter_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(newsletter_editor())
    return client


def sending_issue(readers=20):
    newsletter = NewsletterListFactory()
    bulk_subscribers(newsletter, ["confirmed"] * readers, prefix=f"p{readers}")
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    return issue


def mark(issue, n, status, minutes_ago=None):
    """n pending rows of the issue get `status`, sent `minutes_ago` minutes ago."""
    ids = issue.deliveries.filter(status="pending").order_by("pk").values("pk")[:n]
    sent_at = (
        timezone.now() - datetime.timedelta(minutes=minutes_ago)
        if minutes_ago is not None
        else None
    )
    Delivery.objects.filter(pk__in=ids).update(status=status, sent_at=sent_at)


@pytest.fixture
def halfway():
    """20 readers: 6 sent over the last three minutes (2 a minute), 1 failed, 1 bounced,
    1 skipped, 11 pending."""
    issue = sending_issue(20)
    mark(issue, 2, "sent", minutes_ago=2.5)
    mark(issue, 2, "sent", minutes_ago=1.5)
    mark(issue, 2, "sent", minutes_ago=0.5)
    mark(issue, 1, "bounced", minutes_ago=0.5)
    mark(issue, 1, "failed")
    mark(issue, 1, "skipped")
    return issue


def test_the_json_gives_the_figures_the_rate_and_the_expected_end(editor_client, halfway):
    response = editor_client.get(f"/admin/newsletters/issue/{halfway.pk}/progress.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "sending" and data["polling"] is True
    counts = data["counts"]
    assert (counts["sent"], counts["failed"], counts["bounced"], counts["skipped"]) == (6, 1, 1, 1)
    assert (counts["pending"], counts["total"], counts["done"]) == (11, 20, 9)
    # 7 out in about three minutes: between 2 and 3.5 a minute.
    assert 2 <= data["rate_per_minute"] <= 3.5
    finish = datetime.datetime.fromisoformat(data["finish_at"])
    minutes_left = (finish - timezone.now()).total_seconds() / 60
    assert 11 / 3.5 - 0.5 <= minutes_left <= 11 / 2 + 0.5
    assert data["figures"]["summary"] == "Sending: 9 of 20 done (45%)."
    assert data["figures"]["failed"] == "1"
    assert "UTC" in data["figures"]["finish"]
    assert sum(n for _, n in data["per_minute"]) == 7
    assert data["chart"].startswith('<figure class="newsletter-chart">')


def test_polling_stops_once_the_issue_is_no_longer_sending(editor_client, halfway):
    Issue.objects.filter(pk=halfway.pk).update(status="paused")
    data = editor_client.get(f"/admin/newsletters/issue/{halfway.pk}/progress.json").json()
    assert data["polling"] is False
    assert data["finish_at"] is None
    page = editor_client.get(f"/admin/newsletters/issue/{halfway.pk}/progress/").content.decode()
    assert 'data-progress-polling="false"' in page


def test_the_page_draws_the_chart_with_its_text_alternative_and_a_table(editor_client, halfway):
    page = editor_client.get(f"/admin/newsletters/issue/{halfway.pk}/progress/").content.decode()
    svg = re.search(r"<svg viewBox[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Messages per minute</title>' in svg
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg).group(1)
    assert "7 messages, at most 3 in one minute" in desc
    assert len(re.findall(r'<rect class="bar"', svg)) == 30
    table = re.search(r"<details>.*?</details>", page, re.S).group(0)
    assert "<td>3</td>" in table and "<td>2</td>" in table


def test_the_page_updates_through_a_script_file_not_a_meta_refresh(editor_client, halfway):
    page = editor_client.get(f"/admin/newsletters/issue/{halfway.pk}/progress/").content.decode()
    assert "http-equiv" not in page
    assert re.search(r'<script src="/static/js/newsletter-progress[^"]*\.js" defer></script>', page)
    region = re.search(r"<div[^>]*aria-live=\"polite\"[^>]*>", page).group(0)
    assert f'data-progress-url="/admin/newsletters/issue/{halfway.pk}/progress.json"' in region
    assert 'data-progress-polling="true"' in region
    assert '<td data-figure="failed">1</td>' in page
    # Without JavaScript: a link that reloads the page.
    assert f'href="/admin/newsletters/issue/{halfway.pk}/progress/">Refresh</a>' in page
    main = page[page.index('<div id="content"') :]
    assert "style=" not in main
    assert "<script>" not in main


def test_messages_per_minute_is_one_query(django_assert_num_queries, halfway):
    with django_assert_num_queries(1):
        per_minute = services.issue_sent_per_minute(halfway.pk, minutes=5)
    assert [n for _, n in per_minute][-3:] == [2, 2, 3]


def test_a_finished_issue_shows_when_it_ended_and_its_last_minutes(editor_client):
    issue = sending_issue(4)
    mark(issue, 4, "sent", minutes_ago=90)
    Issue.objects.filter(pk=issue.pk).update(status="sent", finished_at=timezone.now())
    data = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/progress.json").json()
    assert data["polling"] is False
    assert data["figures"]["finish"].startswith("finished at ")
    assert data["per_minute"][-1][1] == 4
