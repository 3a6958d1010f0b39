"""One issue, many copies: the message bytes are built once per chunk (PreparedIssue) and
each copy only swaps in its recipient, Message-ID and link token. Nothing of one reader
may reach another's copy."""

import email
import email.policy
import random
import re
import string
from email.header import decode_header, make_header

import pytest
from django.core.mail.message import sanitize_address

from newsletters import links, mail

from .factories import IssueFactory, NewsletterListFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def copies(issue, *subscribers):
    prepared = mail.PreparedIssue(mail.render_issue(issue))
    return prepared, [prepared.for_subscriber(subscriber) for subscriber in subscribers]


def assert_own_copy(message, subscriber, other, issue, language):
    other_token = links.manage_token(other)
    assert message["To"].addresses[0].addr_spec == subscriber.email
    assert message["To"].addresses[0].display_name == subscriber.name
    assert message["Message-ID"] == mail.message_id(issue.pk, subscriber.pk)
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    # One click leaves the issue's list (RFC 8058), named after the reader's token.
    assert unsubscribe == links.unsubscribe_url(subscriber, language, issue.newsletter)
    assert links.read_manage_token(unsubscribe.rstrip("/").rsplit("/", 2)[-2]) == (
        subscriber.pk,
        subscriber.token,
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert links.unsubscribe_url(subscriber, language, issue.newsletter) in part
        assert links.manage_url(subscriber, language) in part
        assert other_token not in part
    raw = message.as_bytes()
    assert other.email.encode() not in raw
    assert mail.message_id(issue.pk, other.pk).encode() not in raw
    return html


def test_two_readers_of_one_chunk_each_get_their_own_links_message_id_and_name():
    issue = IssueFactory(newsletter=NewsletterListFactory(language="en"))
    ada = SubscriberFactory(name="Ada Lovelace")
    grace = SubscriberFactory(name="Grace Hopper")
    prepared, [(to_ada, raw_ada), (to_grace, raw_grace)] = copies(issue, ada, grace)

    assert prepared.fast, "an ordinary issue is filled in, not rebuilt per reader"
    assert (to_ada, to_grace) == (ada.email, grace.email)
    html = assert_own_copy(parse(raw_ada), ada, grace, issue, "en")
    assert_own_copy(parse(raw_grace), grace, ada, issue, "en")
    assert 'lang="en" dir="ltr"' in html
    assert parse(raw_ada)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_filled_in_copy_matches_one_built_for_the_reader_alone():
    issue = IssueFactory(newsletter=NewsletterListFactory(language="fr"))
    reader = SubscriberFactory(name="Éloïse d'Artagnan")
    _, [_, (_, raw)] = copies(issue, SubscriberFactory(name="Someone Else"), reader)
    fast = parse(raw)
    built = mail.issue_message(mail.render_issue(issue), reader).message()
    alone = parse(built.as_bytes(linesep="\r\n"))
    for header in ("To", "From", "Subject", "Message-ID", "List-Id", "List-Unsubscribe"):
        assert fast[header] == alone[header], header
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == alone.get_body((kind,)).get_content()


def test_arabic_copies_stay_right_to_left_with_each_readers_own_name():
    issue = IssueFactory(
        newsletter=NewsletterListFactory(language="ar"),
        subject="نشرة حماية الطفل",
        body="<p>أخبار مجال المسؤولية عن حماية الطفل.</p>",
    )
    amal = SubscriberFactory(name="أمل", language="ar")
    karim = SubscriberFactory(name="كريم", language="ar")
    prepared, [(_, raw_amal), (_, raw_karim)] = copies(issue, amal, karim)

    assert prepared.fast
    for raw, reader, other in ((raw_amal, amal, karim), (raw_karim, karim, amal)):
        message = parse(raw)
        html = assert_own_copy(message, reader, other, issue, "ar")
        assert '<html lang="ar" dir="rtl">' in html
        assert "أخبار مجال المسؤولية" in html
        assert message["Subject"] == "نشرة حماية الطفل"
        assert message["Content-Language"] == "ar"


def test_a_body_the_mail_package_must_re_encode_is_built_per_reader_and_stays_correct():
    # A line over 998 characters goes out quoted-printable, which may split the marks:
    # then each copy is built in full, and must still be its reader's own.
    issue = IssueFactory(body="<p>" + "long words " * 200 + "</p>")
    ada = SubscriberFactory(name="Ada Lovelace")
    grace = SubscriberFactory(name="Grace Hopper")
    prepared, [(_, raw_ada), (_, raw_grace)] = copies(issue, ada, grace)

    assert not prepared.fast
    assert_own_copy(parse(raw_ada), ada, grace, issue, "en")
    assert_own_copy(parse(raw_grace), grace, ada, issue, "en")


def address_cases():
    """Names and addresses that need quoting, encoding, folding or punycode, and many
    random ones (seeded, so every run checks the same)."""
    cases = [
        ("", "a@b.org"),
        ("Reader 1", "reader1@example.org"),
        ('Jo "J" Doe', "jo@example.org"),
        ("Doe, John", "jd@example.org"),
        ("Dr. Who", "who@example.org"),
        ("A" * 60, "a@example.org"),
        ("A" * 61, "a@example.org"),
        ("x " * 45, "long@example.org"),
        ("=?utf-8?q?hi?=", "q@example.org"),
        ("Amélie", "amelie@example.org"),
        ("أحمد", "ahmad@example.org"),
        ("Bob", "bob@bücher.de"),
        ("Bob", "bob.smith+news@Example.ORG"),
        ("back\\slash (paren) <angle> semi;colon at@sign", "b@example.org"),
        ("", "o'neil@example.org"),
        ("", "a..b@example.org"),
        ("", '"quoted local"@example.org'),
        ("", "ü@example.org"),
    ]
    rng = random.Random(2026)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " éü"
    for _ in range(1000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        local = "".join(rng.choice(string.ascii_letters + ".+-_'") for _ in range(9))
        cases.append((name, f"{local}@example.org"))
    return cases


def test_addresses_are_what_djangos_sanitize_address_gives():
    checked = 0
    for name, address in address_cases():
        try:
            want = (sanitize_address(address, "utf-8"), sanitize_address((name, address), "utf-8"))
        except ValueError:
            with pytest.raises(ValueError):
                mail.addresses(name, address)
            continue
        assert mail.addresses(name, address) == want, (name, address)
        checked += 1
    assert checked > 900


BARE_LINE_FEED = re.compile(rb"(?<!\r)\n")


@pytest.mark.parametrize(
    "name",
    [
        "محمد عبد الرحمن بن عبد الله الهاشمي القرشي",
        "Jean-Baptiste Émile Dupont de la Tour d'Auvergne et de Bouillon",
    ],
)
def test_a_long_name_folded_over_two_lines_ends_them_as_smtp_requires(name):
    """Mail servers refuse a bare line feed in a message (Postfix answers 521 and hangs
    up): a long encoded name is folded, and each of its lines ends in CR LF too."""
    issue = IssueFactory()
    reader = SubscriberFactory(name=name)
    prepared, [(_, raw)] = copies(issue, reader)
    assert prepared.fast
    assert BARE_LINE_FEED.search(raw) is None
    # RFC 2047 readers join the name's encoded words (the default policy's parser
    # would put a space between them).
    to = email.message_from_bytes(raw, policy=email.policy.compat32)["To"]
    assert str(make_header(decode_header(to))) == f"{name} <{reader.email}>"


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("Bob\r\nBcc: x@evil.test", "U+000D, U+000A"),
        ("Bob\x00", "U+0000"),
        ("Bob\u2028Ann", "U+2028"),
        ("\u202eboB", "U+202E"),
    ],
)
def test_a_stored_name_that_cannot_go_in_a_header_is_refused_with_its_characters(name, codes):
    """Names stored before they were checked: building the copy says why it cannot be."""
    issue = IssueFactory()
    reader = SubscriberFactory.build(pk=7, email="bob@example.org", name=name, token="t")
    prepared = mail.PreparedIssue(mail.render_issue(issue))
    with pytest.raises(ValueError, match=re.escape(codes)):
        prepared.for_subscriber(reader)
