import re
import time
import uuid

import pytest
from django.core import mail as outbox
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from newsletters import links
from newsletters.models import Issue, Subscriber

from .factories import IssueFactory, NewsletterListFactory, SubscriberFactory, subscribe

pytestmark = pytest.mark.django_db

INDEX = "/en/newsletters/"


def without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def subscribe_post(client, email, *newsletters, REMOTE_ADDR="127.0.0.1", **extra):
    data = {
        "email": email,
        "lists": [str(n.pk) for n in newsletters],
        "origin": "page",
        "consent": "on",
        **extra,
    }
    return client.post(INDEX, data, REMOTE_ADDR=REMOTE_ADDR)


def test_the_newsletters_page_lists_the_active_lists_with_a_subscribe_form(client):
    NewsletterListFactory(name_en="Global Newsletter")
    NewsletterListFactory(name_en="Old list", is_active=False)
    response = client.get(INDEX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Global Newsletter" in page
    assert "Old list" not in page
    assert 'type="email"' in page and 'name="consent"' in page


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client, eager_celery, django_capture_on_commit_callbacks
):
    newsletter = NewsletterListFactory()
    subscribe(SubscriberFactory(email="known@example.org"), newsletter)
    with django_capture_on_commit_callbacks(execute=True):
        known = subscribe_post(client, "known@example.org", newsletter)
        unknown = subscribe_post(client, "new@example.org", newsletter)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/en/newsletters/check-your-email/"
    assert without_csrf(client.get(known["Location"])) == without_csrf(
        client.get(unknown["Location"])
    )
    # Each address gets a confirmation link; the known one stays as it was.
    assert sorted(m.to[0] for m in outbox.outbox) == ["known@example.org", "new@example.org"]
    assert Subscriber.objects.get(email="known@example.org").status == "confirmed"
    assert Subscriber.objects.get(email="new@example.org").status == "pending"


def test_a_bad_address_or_no_list_is_refused_with_a_message_and_nothing_saved(client):
    newsletter = NewsletterListFactory()
    response = subscribe_post(client, "not-an-address", newsletter)
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    response = subscribe_post(client, "reader@example.org")
    assert response.status_code == 400
    assert "Choose at least one newsletter." in response.content.decode()
    response = subscribe_post(client, "reader@example.org", newsletter, consent="")
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_the_footer_form_subscribes_to_the_newsletter_of_the_page_language(
    client, eager_celery, django_capture_on_commit_callbacks
):
    NewsletterListFactory(language="en")
    arabic = NewsletterListFactory(language="ar", name_en="Regional Newsletter in Arabic")
    footer = client.get("/ar/").content.decode()
    assert 'name="origin" value="footer"' in footer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ar/newsletters/",
            {"email": "reader@example.org", "origin": "footer", "consent": "on"},
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "ar"
    assert list(subscriber.consents.get().lists.all()) == [arabic]
    assert subscriber.consents.get().form == "footer"
    assert "/ar/newsletters/confirm/" in outbox.outbox[0].body


def test_a_filled_honeypot_looks_like_success_and_saves_nothing(client):
    newsletter = NewsletterListFactory()
    response = subscribe_post(client, "bot@example.org", newsletter, homepage="http://spam")
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert not outbox.outbox


def test_subscribing_is_rate_limited_per_address(client, settings):
    settings.RATELIMIT_ENABLED = True
    newsletter = NewsletterListFactory()
    # A fresh address: the counters live in the shared Redis for an hour.
    hexa = uuid.uuid4().hex
    address = f"2001:db8::{hexa[:4]}:{hexa[4:8]}"
    statuses = [
        subscribe_post(client, f"r{n}@example.org", newsletter, REMOTE_ADDR=address).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_the_confirmation_link_shows_a_button_and_the_post_confirms(client):
    newsletter = NewsletterListFactory()
    subscriber = SubscriberFactory(status="pending")
    token = links.confirm_token(subscriber, [newsletter.pk])
    url = reverse("newsletters:confirm", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"  # a mail scanner opening the link confirms nothing
    response = client.post(url)
    assert response.status_code == 200
    assert "Subscription confirmed" in response.content.decode()
    assert client.post(url).status_code == 200  # twice: harmless
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert list(subscriber.lists.all()) == [newsletter]


def test_tampered_and_expired_links_get_a_clear_4xx_page(client, monkeypatch):
    newsletter = NewsletterListFactory()
    subscriber = SubscriberFactory(status="pending")
    token = links.confirm_token(subscriber, [newsletter.pk])
    tampered = client.post(reverse("newsletters:confirm", args=[token[:-3] + "abc"]))
    assert tampered.status_code == 400
    assert "This link does not work" in tampered.content.decode()
    now = time.time()
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: now - 8 * 86400)
        old = links.confirm_token(subscriber, [newsletter.pk])
    expired = client.get(reverse("newsletters:confirm", args=[old]))
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    for name in ("preferences", "unsubscribe"):
        response = client.post(reverse(f"newsletters:{name}", args=["1.forged:token"]))
        assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


def test_the_preference_centre_changes_lists_without_a_login(client):
    a, b = NewsletterListFactory(name_en="List A"), NewsletterListFactory(name_en="List B")
    subscriber = subscribe(SubscriberFactory(), a)
    url = links.manage_url(subscriber, "en").replace("http://testserver", "")
    page = client.get(url)
    assert page.status_code == 200
    assert "List A" in page.content.decode() and "List B" in page.content.decode()
    response = client.post(url, {"lists": [str(b.pk)]})
    assert response.status_code == 302
    assert list(subscriber.lists.all()) == [b]
    response = client.post(url, {"unsubscribe": "1"})
    assert response["Location"] == "/en/newsletters/unsubscribed/"
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert not subscriber.lists.exists()


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token():
    newsletter = NewsletterListFactory()
    subscriber = subscribe(SubscriberFactory(), newsletter)
    url = links.unsubscribe_url(subscriber, "en").replace("http://testserver", "")
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert mail_provider.post(url).status_code == 200  # again: harmless


def test_the_unsubscribe_link_opened_in_a_browser_asks_first(client):
    subscriber = subscribe(SubscriberFactory(), NewsletterListFactory())
    url = links.unsubscribe_url(subscriber, "en").replace("http://testserver", "")
    response = client.get(url)
    assert response.status_code == 200
    assert "Unsubscribe from all newsletters" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


def sent_issue(newsletter, n):
    issue = IssueFactory(newsletter=newsletter, subject=f"Sent issue {n}")
    Issue.objects.filter(pk=issue.pk).update(
        status="sent", started_at=timezone.now() - timezone.timedelta(days=30 - n)
    )
    return issue


def test_the_archive_lists_sent_issues_newest_first_and_hides_the_rest(client):
    newsletter = NewsletterListFactory(slug="global")
    older, newer = sent_issue(newsletter, 1), sent_issue(newsletter, 2)
    draft = IssueFactory(newsletter=newsletter, subject="Draft issue")
    page = client.get("/en/newsletters/global/").content.decode()
    assert page.index(newer.subject) < page.index(older.subject)
    assert "Draft issue" not in page
    assert client.get(f"/en/newsletters/global/{older.pk}/").status_code == 200
    assert client.get(f"/en/newsletters/global/{draft.pk}/").status_code == 404


def test_each_list_has_an_atom_feed_of_its_sent_issues(client):
    newsletter = NewsletterListFactory(slug="global")
    sent_issue(newsletter, 1)
    IssueFactory(newsletter=newsletter, subject="Draft issue")
    response = client.get("/en/newsletters/global/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<entry>" in body and "Sent issue 1" in body and "Draft issue" not in body


@pytest.mark.parametrize("size", [2, 12])
def test_archive_pages_take_a_constant_number_of_queries(client, django_assert_num_queries, size):
    newsletter = NewsletterListFactory(slug="global")
    for n in range(size):
        NewsletterListFactory()
        issue = sent_issue(newsletter, n)
    with django_assert_num_queries(1):
        client.get(INDEX)
    with django_assert_num_queries(2):
        client.get("/en/newsletters/global/")
    with django_assert_num_queries(3):
        client.get(f"/en/newsletters/global/{issue.pk}/")
    # The feed also reads the current Site for its absolute links.
    with django_assert_num_queries(3):
        client.get("/en/newsletters/global/feed/")


def test_the_pages_work_in_arabic_right_to_left(client):
    NewsletterListFactory(slug="regional-arabic", language="ar")
    with translation.override("ar"):
        response = client.get("/ar/newsletters/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


@pytest.mark.parametrize(
    "name", ["Bob\r\nBcc: x@evil.test", "Bob\nBcc: x@evil.test", "Bob\x00", "Bob\u2028Ann"]
)
def test_a_name_on_two_lines_is_refused_with_a_message_and_nothing_saved(client, name):
    newsletter = NewsletterListFactory()
    response = subscribe_post(client, "bob@example.org", newsletter, name=name)
    assert response.status_code == 400
    assert "Write this on one line" in response.content.decode()
    assert not Subscriber.objects.exists()
