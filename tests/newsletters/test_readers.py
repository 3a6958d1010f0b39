"""What a reader can do from the links in every issue (issue #15, "Readers"): leave the
list an issue came from with one click and keep the others, choose their language and
plain text in the preference centre, see the data kept about them and erase it."""

import email
import email.policy
import json
import re
from email.header import decode_header, make_header

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters import links, mail, services
from newsletters.models import ConsentRecord, Delivery, Subscriber

from .factories import IssueFactory, NewsletterListFactory, SubscriberFactory, subscribe

pytestmark = pytest.mark.django_db

ARABIC_NAME = "النشرة الإقليمية للعالم العربي حول حماية الطفل"


def local(url):
    return url.replace("http://testserver", "")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def one_click(url):
    """What a mail provider does (RFC 8058): a POST, no cookie, no CSRF token."""
    provider = Client(enforce_csrf_checks=True)
    return provider.post(
        local(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def reader():
    global_list = NewsletterListFactory(name_en="Global Newsletter", slug="global", language="en")
    french = NewsletterListFactory(name_en="Regional French", slug="regional-french", language="fr")
    subscriber = subscribe(SubscriberFactory(name="Ada"), global_list, french)
    return subscriber, global_list, french


# One click leaves one list ------------------------------------------------------------


def test_one_click_from_an_issue_leaves_that_list_and_keeps_the_others(reader):
    subscriber, global_list, french = reader
    issue = IssueFactory(newsletter=global_list)
    _, raw = mail.PreparedIssue(mail.render_issue(issue)).for_subscriber(subscriber)
    url = parse(raw)["List-Unsubscribe"].strip().strip("<>")
    assert url == links.unsubscribe_url(subscriber, "en", global_list)
    assert url.endswith("/global/")

    response = one_click(url)

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert list(subscriber.lists.all()) == [french]
    record = subscriber.consents.get()
    assert record.action == ConsentRecord.Action.UNSUBSCRIBED
    assert list(record.lists.all()) == [global_list]
    # A provider retrying changes nothing more.
    assert one_click(url).status_code == 200
    assert list(subscriber.lists.all()) == [french]
    assert subscriber.consents.count() == 1


def test_leaving_the_last_list_by_one_click_unsubscribes(reader):
    subscriber, global_list, french = reader
    one_click(links.unsubscribe_url(subscriber, "en", global_list))
    one_click(links.unsubscribe_url(subscriber, "en", french))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.lists.exists()


def test_leaving_one_list_stops_its_pending_copies_only(reader):
    subscriber, global_list, french = reader
    pending_global = Delivery.objects.create(
        issue=IssueFactory(newsletter=global_list), subscriber=subscriber
    )
    pending_french = Delivery.objects.create(
        issue=IssueFactory(newsletter=french), subscriber=subscriber
    )
    services.subscriber_leave_list(subscriber_id=subscriber.pk, list_id=global_list.pk)
    pending_global.refresh_from_db()
    pending_french.refresh_from_db()
    assert pending_global.status == Delivery.Status.SKIPPED
    assert pending_french.status == Delivery.Status.PENDING


def test_the_list_link_opened_in_a_browser_offers_this_list_first_then_all(client, reader):
    subscriber, global_list, french = reader
    url = local(links.unsubscribe_url(subscriber, "en", global_list))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    buttons = html[html.index("<form") : html.index("</form>")]
    # The first submit button is the one Enter presses: leave this list.
    assert buttons.index("Leave Global Newsletter") < buttons.index("Leave all lists")
    assert links.manage_url(subscriber, "en").replace("http://testserver", "") in html
    subscriber.refresh_from_db()
    assert subscriber.lists.count() == 2  # opening the page changes nothing

    response = client.post(url, {"leave": "all"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_the_leave_this_list_button_says_what_the_reader_still_receives(client, reader):
    subscriber, global_list, french = reader
    url = local(links.unsubscribe_url(subscriber, "en", global_list))
    response = client.post(url, {"leave": str(global_list.pk)})
    html = response.content.decode()
    assert "You left the newsletter" in html
    assert "Regional French" in html
    assert list(subscriber.lists.all()) == [french]


def test_an_old_link_without_a_list_shows_both_choices_and_keeps_its_meaning(client, reader):
    subscriber, global_list, french = reader
    url = local(links.unsubscribe_url(subscriber, "en"))
    html = client.get(url).content.decode()
    assert "Unsubscribe from all newsletters" in html
    assert "Leave Global Newsletter" in html and "Leave Regional French" in html
    # A person choosing one list on the old page leaves only that one ...
    client.post(url, {"leave": str(french.pk)})
    assert list(subscriber.lists.all()) == [global_list]
    # ... while a provider's one-click POST on the old link leaves every list, as before.
    assert one_click(links.unsubscribe_url(subscriber, "en")).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_bad_unsubscribe_links_and_choices_get_a_clear_4xx_page(client, reader):
    subscriber, global_list, _ = reader
    token = links.manage_token(subscriber)
    forged = client.post(f"/en/newsletters/unsubscribe/{token[:-2]}xx/global/")
    assert forged.status_code == 400
    assert "This link does not work" in forged.content.decode()
    unknown = client.post(f"/en/newsletters/unsubscribe/{token}/no-such-list/")
    assert unknown.status_code == 400
    nonsense = client.post(f"/en/newsletters/unsubscribe/{token}/global/", {"leave": "9999x"})
    assert nonsense.status_code == 400
    assert "Choose a newsletter from this page" in nonsense.content.decode()
    assert subscriber.lists.count() == 2


# List-Id ------------------------------------------------------------------------------


def test_list_id_keeps_an_ascii_identifier_when_the_name_is_arabic():
    newsletter = NewsletterListFactory(name_en=ARABIC_NAME, slug="regional-arabic", language="ar")
    issue = IssueFactory(newsletter=newsletter)
    reader = subscribe(SubscriberFactory(), newsletter)
    _, raw = mail.PreparedIssue(mail.render_issue(issue)).for_subscriber(reader)
    headers = raw.split(b"\r\n\r\n", 1)[0]
    unfolded = headers.replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    [line] = [line for line in unfolded.split(b"\r\n") if line.startswith(b"List-Id:")]
    line.decode("ascii")  # every byte of the header is ASCII
    assert line.endswith(b" <regional-arabic.testserver>")
    name = line[len(b"List-Id:") : -len(b" <regional-arabic.testserver>")].strip()
    assert str(make_header(decode_header(name.decode()))) == ARABIC_NAME
    # A copy built by the email package alone says the same.
    built = mail.issue_message(mail.render_issue(issue), reader).message()
    assert parse(built.as_bytes(linesep="\r\n"))["List-Id"] == parse(raw)["List-Id"]


# Plain text ---------------------------------------------------------------------------


def content_types(raw):
    return {part.get_content_type() for part in parse(raw).walk()}


def test_a_plain_text_reader_gets_no_html_part_and_the_others_still_do(reader):
    subscriber, global_list, _ = reader
    plain = subscribe(SubscriberFactory(plain_text=True), global_list)
    issue = IssueFactory(newsletter=global_list)
    prepared = mail.PreparedIssue(mail.render_issue(issue))
    _, html_copy = prepared.for_subscriber(subscriber)
    _, text_copy = prepared.for_subscriber(plain)
    assert "text/html" in content_types(html_copy)
    assert "text/html" not in content_types(text_copy)
    text = parse(text_copy).get_body(("plain",)).get_content()
    assert links.unsubscribe_url(plain, "en", global_list) in text
    assert plain.email.encode() in text_copy and subscriber.email.encode() not in text_copy
    assert prepared.text_only[1], "the text-only copy is filled in too, not rebuilt"
    # What any backend reads (an e-mail provider's API): no HTML alternative either.
    assert prepared.copy_for(plain).alternatives == []
    assert prepared.copy_for(subscriber).alternatives


# Preference centre --------------------------------------------------------------------


def test_the_preference_centre_saves_language_plain_text_and_lists(client, reader):
    subscriber, global_list, french = reader
    url = local(links.manage_url(subscriber, "ar"))
    page = client.get(url).content.decode()
    assert 'dir="rtl"' in page
    assert 'lang="fr"' in page and "Français" in page
    response = client.post(url, {"lists": [str(french.pk)], "language": "fr", "plain_text": "on"})
    assert response.status_code == 302 and response["Location"] == url
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.plain_text) == ("fr", True)
    assert list(subscriber.lists.all()) == [french]
    page = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="language"[^>]*value="fr"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="plain_text"[^>]*checked', page)
    # Saving the same choice again changes nothing.
    assert not services.subscriber_set_preferences(
        subscriber_id=subscriber.pk, list_ids=[french.pk], language="fr", plain_text=True
    )


def test_the_preference_centre_refuses_an_unknown_language(client, reader):
    subscriber, _, french = reader
    url = local(links.manage_url(subscriber, "en"))
    response = client.post(url, {"lists": [str(french.pk)], "language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.language == "en" and subscriber.lists.count() == 2


# Their data ---------------------------------------------------------------------------


def deliver(subscriber, newsletter, subject):
    issue = IssueFactory(newsletter=newsletter, subject=subject)
    return Delivery.objects.create(
        issue=issue, subscriber=subscriber, status="sent", sent_at=timezone.now()
    )


def test_the_data_page_shows_the_readers_own_data_only(client, reader):
    subscriber, global_list, french = reader
    services.subscriber_set_lists(subscriber_id=subscriber.pk, list_ids=[global_list.pk])
    deliver(subscriber, global_list, "Mine: June issue")
    other = subscribe(SubscriberFactory(email="someone-else@example.org"), french)
    deliver(other, french, "Theirs: May issue")
    services.subscriber_set_lists(subscriber_id=other.pk, list_ids=[global_list.pk])

    html = client.get(local(links.manage_url(subscriber, "en")) + "data/").content.decode()
    assert subscriber.email in html and "Ada" in html
    assert "Mine: June issue" in html and "Lists changed" in html
    assert "someone-else@example.org" not in html and "Theirs: May issue" not in html

    download = client.get(local(links.manage_url(subscriber, "en")) + "data.json")
    assert download["Content-Type"] == "application/json"
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["email"] == subscriber.email
    assert data["lists"] == ["Global Newsletter"]
    assert [d["issue"] for d in data["deliveries"]] == ["Mine: June issue"]
    assert [c["action"] for c in data["consents"]] == ["changed"]


def test_the_data_page_reads_a_fixed_number_of_queries(client, reader):
    subscriber, global_list, french = reader
    url = local(links.manage_url(subscriber, "en")) + "data/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    deliver(subscriber, global_list, "One")
    services.subscriber_set_lists(subscriber_id=subscriber.pk, list_ids=[global_list.pk])
    few = count()
    for n in range(8):
        deliver(subscriber, french, f"More {n}")
        services.subscriber_set_lists(
            subscriber_id=subscriber.pk, list_ids=[french.pk] if n % 2 else [global_list.pk]
        )
    assert count() == few <= 8


def test_erasing_asks_first_then_forgets_the_reader_and_voids_their_links(client, reader):
    subscriber, global_list, _ = reader
    deliver(subscriber, global_list, "June")
    manage = local(links.manage_url(subscriber, "en"))
    unsubscribe = local(links.unsubscribe_url(subscriber, "en", global_list))
    page = client.get(manage + "erase/")
    assert page.status_code == 200 and "This cannot be undone" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()

    response = client.post(manage + "erase/")
    assert response.status_code == 302 and response["Location"] == "/en/newsletters/erased/"
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ConsentRecord.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not Delivery.objects.filter(subscriber_id=subscriber.pk).exists()
    for url in (manage, manage + "data/", manage + "data.json", unsubscribe, manage + "erase/"):
        assert client.get(url).status_code == 400, url
    assert client.post(manage + "erase/").status_code == 400  # a retry: a clear answer
