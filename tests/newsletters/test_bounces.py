"""Bounces and complaints: each copy leaves from a signed bounce address of its own, the
reports that come back to it (written here by hand in the formats of Postfix, Exim,
Gmail, Outlook / Office 365, Yahoo, an abuse report and a "mailbox full" warning) mark
the reader they are about and nobody else, and a forged address changes nothing."""

import email
import email.policy
from pathlib import Path

import pytest
from django.core import mail as django_mail

from common import audit
from newsletters import bounces, mail, services
from newsletters.models import BounceReport, ConsentRecord, Delivery, Subscriber

from .factories import IssueFactory, NewsletterListFactory, SubscriberFactory, subscribe

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "bounces"
MAILBOX = "bounces@bounces.example.org"
HARD = ["postfix", "exim", "gmail", "outlook", "yahoo"]


@pytest.fixture(autouse=True)
def bounce_address(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = MAILBOX
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 5


def sent_issue(*readers):
    """An issue whose copies went to each reader (their deliveries sent)."""
    newsletter = NewsletterListFactory()
    issue = IssueFactory(newsletter=newsletter, status="sent")
    for reader in readers:
        subscribe(reader, newsletter)
        Delivery.objects.create(
            issue=issue,
            subscriber=reader,
            status=Delivery.Status.SENT,
            message_id=mail.message_id(issue.pk, reader.pk),
        )
    return issue


def report(name, issue, reader, return_path=None):
    """A fixture filled in for this reader's copy of the issue, lines ending in CR LF."""
    text = (FIXTURES / f"{name}.eml").read_text()
    values = {
        "RETURN_PATH": return_path or bounces.return_path(issue.pk, reader.pk),
        "READER": reader.email,
        "MESSAGE_ID": mail.message_id(issue.pk, reader.pk),
        "MAILBOX": MAILBOX,
        "SUBJECT": issue.subject,
    }
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def delivery(issue, reader):
    return Delivery.objects.get(issue=issue, subscriber=reader)


@pytest.fixture
def readers():
    amina = SubscriberFactory(email="amina@partner.example.org")
    bystander = SubscriberFactory(email="omar@partner.example.org")
    return amina, bystander


def assert_untouched(reader, issue):
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert (reader.soft_bounces, reader.bounced_at) == (0, None)
    assert delivery(issue, reader).status == Delivery.Status.SENT
    assert reader.subscriptions.exists()


# -- The bounce address of each copy ------------------------------------------------------


def test_each_copy_leaves_from_its_own_signed_bounce_address_with_the_from_header_kept(
    settings, readers
):
    amina, omar = readers
    issue = sent_issue()
    prepared = mail.PreparedIssue(mail.render_issue(issue))
    for reader in (amina, omar):
        copy = prepared.copy_for(reader)
        assert copy.from_email == bounces.return_path(issue.pk, reader.pk)
        assert copy.from_email.startswith(f"bounces+{issue.pk}-{reader.pk}-")
        assert copy.from_email.endswith("@bounces.example.org")
        sent = email.message_from_bytes(copy.message().as_bytes(), policy=email.policy.default)
        assert sent["From"] == settings.DEFAULT_FROM_EMAIL
        assert bounces.read_return_path(copy.from_email) == (issue.pk, reader.pk)


def test_without_a_bounce_address_copies_leave_from_the_sender_as_before(settings, readers):
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""
    issue = sent_issue()
    copy = mail.PreparedIssue(mail.render_issue(issue)).copy_for(readers[0])
    assert copy.from_email == settings.DEFAULT_FROM_EMAIL
    assert "From" not in copy.extra_headers


def test_a_bare_local_part_takes_the_sites_domain(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces"
    settings.SITE_URL = "https://portal.example.org"
    assert bounces.return_path(3, 4).endswith("@portal.example.org")
    assert bounces.read_return_path(bounces.return_path(3, 4)) == (3, 4)
    assert bounces.is_mailbox("Bounces@Portal.example.org")


def test_an_address_with_a_made_up_or_borrowed_signature_is_not_ours():
    real = bounces.return_path(3, 4)
    signature = real.split("-")[-1].split("@")[0]
    assert bounces.read_return_path(real.upper()) == (3, 4)  # servers may change case
    assert bounces.read_return_path(real.replace(signature, "0" * 12)) is None
    # Someone's own signature does not sign another reader's copy.
    assert bounces.read_return_path(real.replace("+3-4-", "+3-5-")) is None
    assert bounces.read_return_path(real.replace("bounces.example.org", "evil.example")) is None


def test_anymails_backend_gets_the_envelope_sender_and_the_from_header(settings, readers):
    pytest.importorskip("anymail")
    settings.NEWSLETTER_EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    newsletter = NewsletterListFactory()
    subscribe(readers[0], newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    [sent] = django_mail.outbox
    params = sent.anymail_test_params
    assert params["envelope_sender"] == bounces.return_path(issue.pk, readers[0].pk)
    assert str(params["from"]) == settings.DEFAULT_FROM_EMAIL


# -- Bounce messages ----------------------------------------------------------------------


@pytest.mark.parametrize("name", HARD)
def test_a_permanent_failure_marks_that_reader_bounced_and_nobody_else(name, readers):
    amina, omar = readers
    issue = sent_issue(amina, omar)
    later = IssueFactory(newsletter=issue.newsletter)
    waiting = Delivery.objects.create(issue=later, subscriber=amina)

    [recorded] = services.bounce_receive(
        raw=report(name, issue, amina), recipients=[bounces.return_path(issue.pk, amina.pk)]
    )

    amina.refresh_from_db()
    assert amina.status == Subscriber.Status.BOUNCED
    assert amina.bounced_at is not None
    bounced = delivery(issue, amina)
    assert (bounced.status, bounced.bounced_at) == (Delivery.Status.BOUNCED, amina.bounced_at)
    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.SKIPPED  # no more issues
    assert (recorded.kind, recorded.source) == ("hard", "receiver")
    assert (recorded.subscriber, recorded.delivery, recorded.email) == (
        amina,
        bounced,
        amina.email,
    )
    assert recorded.detail
    assert_untouched(omar, issue)


def test_a_full_mailbox_counts_one_soft_bounce_and_nothing_more(readers):
    amina, omar = readers
    issue = sent_issue(amina, omar)
    raw = report("soft_mailbox_full", issue, amina)
    [recorded] = services.bounce_receive(
        raw=raw, recipients=[bounces.return_path(issue.pk, amina.pk)]
    )
    assert recorded.kind == "soft"
    assert "4.2.2" in recorded.detail
    amina.refresh_from_db()
    assert (amina.status, amina.soft_bounces) == (Subscriber.Status.CONFIRMED, 1)
    assert delivery(issue, amina).status == Delivery.Status.SENT
    assert_untouched(omar, issue)


def test_soft_bounces_on_as_many_issues_as_the_limit_make_the_reader_bounced(settings, readers):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3
    amina, _ = readers
    for number in range(1, 4):
        issue = sent_issue(amina)
        services.bounce_receive(
            raw=report("soft_mailbox_full", issue, amina),
            recipients=[bounces.return_path(issue.pk, amina.pk)],
        )
        amina.refresh_from_db()
        assert amina.soft_bounces == number
        expected = Subscriber.Status.BOUNCED if number == 3 else Subscriber.Status.CONFIRMED
        assert amina.status == expected


def test_the_same_report_twice_counts_once(readers):
    amina, _ = readers
    issue = sent_issue(amina)
    recipients = [bounces.return_path(issue.pk, amina.pk)]
    for name in ["soft_mailbox_full", "soft_mailbox_full", "postfix", "postfix"]:
        services.bounce_receive(raw=report(name, issue, amina), recipients=recipients)
    assert sorted(amina.bounce_reports.values_list("kind", flat=True)) == ["hard", "soft"]
    amina.refresh_from_db()
    assert amina.soft_bounces == 1


def test_an_abuse_report_to_the_feedback_address_unsubscribes_the_reader_it_quotes(readers):
    amina, omar = readers
    issue = sent_issue(amina, omar)
    [recorded] = services.bounce_receive(
        raw=report("arf_complaint", issue, amina), recipients=[MAILBOX]
    )
    assert (recorded.kind, recorded.delivery) == ("complaint", delivery(issue, amina))
    amina.refresh_from_db()
    assert amina.status == Subscriber.Status.BOUNCED
    assert not amina.subscriptions.exists()
    record = amina.consents.get(action=ConsentRecord.Action.UNSUBSCRIBED)
    assert "spam" in record.text
    assert_untouched(omar, issue)


def test_a_forged_bounce_address_changes_nothing(readers):
    amina, omar = readers
    issue = sent_issue(amina, omar)
    real = bounces.return_path(issue.pk, amina.pk)
    forged = real.replace(real.split("-")[-1].split("@")[0], "0123456789ab")
    # A reader who knows their own bounce address tries it on their neighbour.
    borrowed = bounces.return_path(issue.pk, omar.pk).replace(f"-{omar.pk}-", f"-{amina.pk}-")
    for address in (forged, borrowed):
        for name in ["postfix", "arf_complaint"]:
            raw = report(name, issue, amina, return_path=address)
            assert services.bounce_receive(raw=raw, recipients=[address]) == []
    assert not BounceReport.objects.exists()
    # The same, sent to the feedback address: kept for staff, acted on for nobody.
    services.bounce_receive(raw=report("postfix", issue, amina, forged), recipients=[MAILBOX])
    assert all(r.detail.startswith("Not acted on") for r in BounceReport.objects.all())
    assert_untouched(amina, issue)
    assert_untouched(omar, issue)


def test_an_unsigned_report_is_kept_for_staff_and_acts_on_nobody(readers):
    """A bounce that names an address but no signed bounce address of ours could come
    from anyone: staff see it next to the reader, the reader keeps their issues."""
    amina, _ = readers
    issue = sent_issue(amina)
    raw = report("yahoo", issue, amina, return_path="newsletter@portal.example.org")
    [recorded] = services.bounce_receive(raw=raw, recipients=[MAILBOX])
    assert recorded.subscriber == amina
    assert recorded.detail.startswith("Not acted on")
    assert_untouched(amina, issue)


def test_an_automatic_reply_is_no_bounce(readers):
    amina, _ = readers
    issue = sent_issue(amina)
    raw = (
        b"From: amina@partner.example.org\r\nTo: " + MAILBOX.encode() + b"\r\n"
        b"Subject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\n"
        b"I am away until Monday.\r\n"
    )
    recipients = [bounces.return_path(issue.pk, amina.pk)]
    assert services.bounce_receive(raw=raw, recipients=recipients) == []
    assert_untouched(amina, issue)


# -- Every source through one service -------------------------------------------------------


def test_the_engines_own_refusal_is_recorded_as_a_hard_bounce(serve, readers):
    from .smtp import Server

    amina, omar = readers
    newsletter = NewsletterListFactory()
    subscribe(amina, newsletter)
    subscribe(omar, newsletter)
    issue = IssueFactory(newsletter=newsletter)
    serve(Server(refuse={amina.email: "550 5.1.1 No such user here"}))
    services.issue_send_now(issue_id=issue.pk)
    services.issue_send_chunk(issue_id=issue.pk, worker="w1")
    recorded = BounceReport.objects.get()
    assert (recorded.kind, recorded.subscriber, recorded.delivery) == (
        "hard",
        amina,
        delivery(issue, amina),
    )
    assert "No such user here" in recorded.detail
    amina.refresh_from_db()
    assert (amina.status, amina.bounced_at is not None) == (Subscriber.Status.BOUNCED, True)
    # It never left: the row keeps the server's refusal.
    assert delivery(issue, amina).status == Delivery.Status.FAILED
    assert delivery(issue, omar).status == Delivery.Status.SENT


def test_staff_recording_a_bounce_leaves_an_audit_line(readers):
    from .factories import newsletter_editor

    editor = newsletter_editor()
    amina, _ = readers
    services.bounce_record(
        kind="hard", source="admin", subscriber_id=amina.pk, detail="Phoned us", actor=editor
    )
    [line] = audit.trail_for(amina)
    assert line.user == editor
    assert "Permanent failure" in line.get_change_message()


def test_erasing_a_reader_removes_their_address_from_every_report(readers):
    amina, omar = readers
    issue = sent_issue(amina, omar)
    services.bounce_receive(
        raw=report("postfix", issue, amina), recipients=[bounces.return_path(issue.pk, amina.pk)]
    )
    # A report naming the address before it was anyone's.
    loose = BounceReport.objects.create(
        kind="hard", source="webhook", email=amina.email.upper(), detail=f"{amina.email} failed"
    )
    services.bounce_record(kind="soft", source="webhook", subscriber_id=omar.pk, detail="full")
    assert services.subscriber_erase(subscriber_id=amina.pk)
    loose.refresh_from_db()
    assert (loose.email, loose.detail) == ("", "")
    assert not BounceReport.objects.filter(email__iexact=amina.email).exists()
    assert BounceReport.objects.filter(subscriber=omar).count() == 1


# -- Admin ----------------------------------------------------------------------------------


def make_reports(count):
    issue = sent_issue()
    for number in range(count):
        reader = SubscriberFactory()
        Delivery.objects.create(issue=issue, subscriber=reader, status="bounced")
        services.bounce_record(
            kind=["hard", "soft", "complaint"][number % 3],
            source="receiver",
            delivery_id=delivery(issue, reader).pk,
            detail="550 5.1.1",
        )


@pytest.mark.parametrize("count", [3, 30])
def test_staff_read_bounce_reports_in_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries, count
):
    make_reports(count)
    url = "/admin/newsletters/bouncereport/"
    # Session, user, count, total count, the page, the date hierarchy: none per row.
    with django_assert_max_num_queries(8):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'class="field-email"') == count
    assert b"Add bounce report" not in response.content


def test_staff_filter_bounce_reports_by_kind_and_find_an_address(admin_client):
    make_reports(6)
    reader = BounceReport.objects.filter(kind="complaint").first().email
    url = "/admin/newsletters/bouncereport/"
    response = admin_client.get(url, {"kind__exact": "complaint"})
    assert response.content.count(b'class="field-email"') == 2
    response = admin_client.get(url, {"q": reader})
    assert response.content.count(b'class="field-email"') == 1
    report_id = BounceReport.objects.first().pk
    assert admin_client.get(f"{url}{report_id}/change/").status_code == 200
    assert admin_client.post(f"{url}{report_id}/delete/").status_code == 403
