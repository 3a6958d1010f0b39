"""An editor watches an issue go out in a real browser under the portal's strict CSP: the
figures in the progress page's live region change without a reload while rows are sent,
polling stops once the issue is sent; without JavaScript the Refresh link does it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from newsletters import services
from newsletters.models import Delivery, Issue
from tests.initiatives.factories import UserFactory
from tests.newsletters.factories import IssueFactory, NewsletterListFactory, bulk_subscribers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, path):
    # A superuser: the editors' group, made by migrations, is gone once an earlier
    # transactional test emptied the tables (tests/newsletters checks the group).
    editor = UserFactory(is_staff=True, is_superuser=True)
    page.goto(f"/admin/login/?next={path}")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


@pytest.fixture
def sending():
    newsletter = NewsletterListFactory()
    bulk_subscribers(newsletter, ["confirmed"] * 20, prefix="watch")
    issue = IssueFactory(newsletter=newsletter, subject="December news")
    services.issue_send_now(issue_id=issue.pk)
    return issue


def send(issue, n):
    """n more of the issue's rows go out now, as a worker would mark them."""
    ids = issue.deliveries.filter(status="pending").order_by("pk").values("pk")[:n]
    Delivery.objects.filter(pk__in=ids).update(
        status="sent", sent_at=timezone.now(), last_attempt_at=timezone.now(), attempts=1
    )


def test_the_live_region_follows_the_send_without_a_reload(page, sending, monkeypatch):
    monkeypatch.setattr("newsletters.admin.progress.POLL_SECONDS", 1)
    reports, polls = [], []
    page.on("console", lambda m: reports.append(m.text) if "Content Security" in m.text else None)
    page.on("request", lambda r: polls.append(r.url) if "progress.json" in r.url else None)
    path = f"/admin/newsletters/issue/{sending.pk}/progress/"
    log_in(page, path)
    region = page.locator("[aria-live=polite]")
    expect(region.locator('[data-figure="sent"]')).to_have_text("0")
    page.evaluate("window.stillTheSamePage = true")

    send(sending, 8)
    expect(region.locator('[data-figure="sent"]')).to_have_text("8")
    expect(region.locator('[data-figure="summary"]')).to_have_text("Sending: 8 of 20 done (40%).")
    expect(region.locator('[data-figure="rate"]')).to_contain_text("messages per minute")
    assert page.locator("progress#send-progress").evaluate("bar => bar.value") == 8
    # The chart was drawn again by the server: this minute's bar now says 8.
    expect(page.locator("[data-progress-chart] desc")).to_contain_text("8 messages")

    send(sending, 12)
    Issue.objects.filter(pk=sending.pk).update(status="sent", finished_at=timezone.now())
    expect(region.locator('[data-figure="summary"]')).to_have_text("Sent: 20 of 20 done (100%).")
    expect(region).to_have_attribute("data-progress-polling", "false")
    assert page.evaluate("window.stillTheSamePage") is True
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen, "the page kept polling a sent issue"
    assert reports == []


def test_without_javascript_the_refresh_link_shows_the_new_figures(browser, live_server, sending):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        path = f"/admin/newsletters/issue/{sending.pk}/progress/"
        log_in(page, path)
        figures = page.locator("[aria-live=polite]")
        expect(figures.locator('[data-figure="summary"]')).to_have_text(
            "Sending: 0 of 20 done (0%)."
        )
        assert page.locator("svg[role=img] title").first.text_content() == "Messages per minute"
        send(sending, 5)
        page.get_by_role("link", name="Refresh").click()
        expect(figures.locator('[data-figure="summary"]')).to_have_text(
            "Sending: 5 of 20 done (25%)."
        )
        expect(figures.locator('[data-figure="sent"]')).to_have_text("5")
        # The figures per minute, readable without the drawing.
        page.get_by_text("The figures as a table").click()
        expect(page.locator("details table")).to_be_visible()
    finally:
        context.close()


def test_the_follow_up_pages_fit_a_phone_in_arabic_and_pass_axe(phone_page, sending):
    from tests.browser.test_accessibility import AXE, serious

    send(sending, 3)
    Delivery.objects.filter(pk=sending.deliveries.filter(status="pending").first().pk).update(
        status="failed", attempts=2, last_error="(550, b'5.1.1 <x@partner-ye.org>: unavailable')"
    )
    log_in(phone_page, f"/admin/newsletters/issue/{sending.pk}/progress/")
    phone_page.context.add_cookies(
        [{"name": "django_language", "value": "ar", "url": phone_page.url.split("/admin/")[0]}]
    )
    found = {}
    for page_name in ("progress/", "recipients/", "recipients/?status=failed"):
        phone_page.goto(f"/admin/newsletters/issue/{sending.pk}/{page_name}")
        assert phone_page.locator("html").get_attribute("dir") == "rtl"
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{page_name} scrolls sideways ({width}px)"
        problems = serious(AXE.run(phone_page))
        if problems:
            found[page_name] = problems
    assert found == {}
