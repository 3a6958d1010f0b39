"""The e-mails the newsletters send: an issue (rendered once per chunk, then addressed to
each subscriber) and the confirmation of a subscription."""

import re
from dataclasses import dataclass, replace
from email.header import Header
from email.message import Message
from email.utils import formataddr
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.mail.backends import PLAIN_ADDRESS
from common.validators import unsafe_characters

from . import links
from .markdown import body_html, html_to_text, sized_images
from .models import Subscriber

# Stand-ins for the per-subscriber link tokens: the issue is rendered once with these,
# then each copy swaps in its subscriber's token (a plain str.replace, no template work).
TOKEN_MARK = "NEWSLETTERTOKENMARK"


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(issue_id, subscriber_id):
    """Stable per (issue, subscriber): a resend after a crash carries the same id, so
    receiving servers and readers can recognise the duplicate."""
    return f"<issue-{issue_id}.{subscriber_id}@{site_domain()}>"


def absolute_links(body):
    """Links editors wrote as /en/... and uploaded images (/media/...) work in a mail
    program only with the site's address."""
    return re.sub(r'(href|src)="/(?!/)', rf'\1="{settings.SITE_URL}/', body)


# The e-mail's column (640 px) less its padding: the widest an image in the body shows.
EMAIL_IMAGE_WIDTH = 592
# Mail programs ignore style sheets: the body's images and tables get their look inline
# (the body is sanitised HTML, so each of these tags is written exactly so).
EMAIL_STYLES = {
    "<img ": '<img style="max-width:100%;height:auto;border:0;" ',
    "<table>": '<table style="border-collapse:collapse;margin:0 0 16px;">',
    "<th ": '<th style="border:1px solid #d5dbe1;padding:4px 8px;text-align:start;" ',
    "<td>": '<td style="border:1px solid #d5dbe1;padding:4px 8px;">',
    "<pre>": '<pre style="white-space:pre-wrap;font-size:14px;">',
}
EMAIL_STYLED = re.compile("|".join(re.escape(tag) for tag in EMAIL_STYLES))


def email_styles(body):
    return EMAIL_STYLED.sub(lambda match: EMAIL_STYLES[match.group(0)], body)


@dataclass
class RenderedIssue:
    issue_id: int
    subject: str
    text: str
    html: str
    list_id: str
    unsubscribe_url: str
    language: str


def _featured(issue):
    resources = [
        {"title": resource.title, "url": links.absolute(resource.get_absolute_url())}
        for resource in issue.featured_resources.all().order_by("pk")
    ]
    initiatives = [
        {"title": initiative.title, "url": links.absolute(initiative.get_absolute_url())}
        for initiative in issue.featured_initiatives.all().order_by("pk")
    ]
    return resources, initiatives


def render_issue(issue):
    """The issue as it goes to every subscriber of its list, with TOKEN_MARK for links."""
    newsletter = issue.newsletter
    language = newsletter.language
    with translation.override(language):
        resources, initiatives = _featured(issue)
        preferences = links.absolute(reverse("newsletters:preferences", args=[TOKEN_MARK]))
        unsubscribe = links.absolute(reverse("newsletters:unsubscribe", args=[TOKEN_MARK]))
        # The Markdown source becomes HTML here, at send time: what was saved is sent.
        body = absolute_links(sized_images(body_html(issue.body), EMAIL_IMAGE_WIDTH))
        context = {
            "issue": issue,
            "body": email_styles(body),
            "body_text": html_to_text(body),
            "newsletter": newsletter,
            "newsletter_name": newsletter.name,
            "language": language,
            "rtl": translation.get_language_bidi(),
            "resources": resources,
            "initiatives": initiatives,
            "web_url": links.absolute(issue.get_absolute_url()),
            "site_url": settings.SITE_URL,
            "preferences_url": preferences,
            "unsubscribe_url": unsubscribe,
        }
        html = render_to_string("newsletters/email/issue.html", context)
        text = render_to_string("newsletters/email/issue.txt", context)
        name = newsletter.name
    return RenderedIssue(
        issue_id=issue.pk,
        subject=issue.subject,
        text=text,
        html=html,
        list_id=f"{name} <{newsletter.slug}.{site_domain()}>",
        unsubscribe_url=unsubscribe,
        language=language,
    )


class BuiltMessage(Message):
    """A message already made into bytes, line ends CR LF; as_bytes() and as_string()
    give them back (with the line ends asked for) instead of building them again."""

    def __init__(self, raw):
        super().__init__()
        self.raw = raw

    def as_bytes(self, unixfrom=False, linesep="\n", policy=None):
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n", policy=None):
        return self.as_bytes(linesep=linesep).decode("utf-8", errors="surrogateescape")

    def __bytes__(self):
        return self.as_bytes()

    def __str__(self):
        return self.as_string()


class IssueCopy(EmailMultiAlternatives):
    """One subscriber's copy of an issue. Its fields (subject, bodies, headers) are
    what backends that read them use (an e-mail provider's API, locmem); once
    PreparedIssue.copy_for() has set `mime`, message() gives those bytes, which SMTP and
    console backends send or show, instead of building them again."""

    mime = None

    def message(self):
        if self.mime is None:
            return super().message()
        return BuiltMessage(self.mime)


def _list_parts(rendered):
    """(name, ASCII identifier) of the issue's list, from render_issue's "name <id>"."""
    name, _, label = rendered.list_id.rpartition(" <")
    return name, label.rstrip(">")


def list_id_header(rendered):
    """List-Id (RFC 2919): the identifier stays plain ASCII whatever the list's name; a
    name in another script is RFC 2047-encoded (Django would otherwise encode the whole
    value, identifier included, and filters would no longer find the list)."""
    name, label = _list_parts(rendered)
    if not name:
        return f"<{label}>"
    if name.isascii():
        return formataddr((name, label))
    # Encoded words joined on one line: Django refuses line breaks in a header's value.
    return f"{Header(name, 'utf-8').encode(linesep='')} <{label}>"


def for_list(rendered):
    """The rendered issue whose unsubscribe links (header, text and HTML) name its list,
    so that one click leaves that list only (RFC 8058). Done once per chunk by
    PreparedIssue; a rendered issue already done is given back as it is."""
    _, label = _list_parts(rendered)
    slug = label.removesuffix(f".{site_domain()}")
    if not slug or rendered.unsubscribe_url.endswith(f"/{slug}/"):
        return rendered
    general = rendered.unsubscribe_url
    specific = f"{general.rstrip('/')}/{slug}/"
    return replace(
        rendered,
        text=rendered.text.replace(general, specific),
        html=rendered.html.replace(general, specific),
        unsubscribe_url=specific,
    )


def issue_message(
    rendered, subscriber, connection=None, subject_prefix="", token=None, plain_text=None
):
    """One subscriber's copy of a rendered issue; without HTML part for readers who
    chose plain text (plain_text: None follows subscriber.plain_text)."""
    rendered = for_list(rendered)
    token = token or links.manage_token(subscriber)
    if plain_text is None:
        plain_text = subscriber.plain_text
    recipient = (
        formataddr((subscriber.name, subscriber.email)) if subscriber.name else (subscriber.email)
    )
    message = IssueCopy(
        subject=subject_prefix + rendered.subject,
        body=rendered.text.replace(TOKEN_MARK, token),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        connection=connection,
        headers={
            "Message-ID": message_id(rendered.issue_id, subscriber.pk),
            "List-Id": list_id_header(rendered),
            "List-Unsubscribe": f"<{rendered.unsubscribe_url.replace(TOKEN_MARK, token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Content-Language": rendered.language,
        },
    )
    if not plain_text:
        message.attach_alternative(rendered.html.replace(TOKEN_MARK, token), "text/html")
    return message


def confirmation_email(subscriber, newsletters, language):
    """(subject, text, html) asking the address's owner to confirm."""
    with translation.override(language):
        context = {
            "confirm_url": links.confirm_url(
                subscriber, [newsletter.pk for newsletter in newsletters], language
            ),
            "newsletters": [newsletter.name for newsletter in newsletters],
            "days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
            "rtl": translation.get_language_bidi(),
            "language": language,
            "site_url": settings.SITE_URL,
        }
        subject = _("Confirm your subscription to the CP AoR newsletters")
        text = render_to_string("newsletters/email/confirm.txt", context)
        html = render_to_string("newsletters/email/confirm.html", context)
    return subject, text, html


# For an address whose every part is plain ASCII that needs no quoting or encoding
# (PLAIN_ADDRESS), and a display name that is printable ASCII short enough never to be
# folded, addresses() gives what Django's sanitize_address() gives, a hundred times faster.
PLAIN_NAME = re.compile(r"[ -~]{0,60}")


def addresses(name, email):
    """(envelope recipient, To header) of a subscriber."""
    if PLAIN_ADDRESS.fullmatch(email) and PLAIN_NAME.fullmatch(name) and "=?" not in name:
        return email, formataddr((name, email))
    return sanitize_address(email, "utf-8"), sanitize_address((name, email), "utf-8")


SUBSCRIBER_MARK = "NEWSLETTERSUBSCRIBERMARK"
RECIPIENT_MARK = "newsletter-recipient@mark.invalid"


class PreparedIssue:
    """A rendered issue turned into message bytes once per chunk; each copy then only
    swaps in its recipient, Message-ID and link token (the email package needs ~10 ms
    to build a message, a bytes replace microseconds)."""

    def __init__(self, rendered):
        self.rendered = rendered = for_list(rendered)
        self.raw, self.fast = self._build(rendered, plain_text=False)

    @cached_property
    def text_only(self):
        """(bytes, fast) of the copy without HTML part, for readers who chose plain
        text: built at the first such reader of the chunk, then filled in likewise."""
        return self._build(self.rendered, plain_text=True)

    @staticmethod
    def _build(rendered, plain_text):
        stand_in = Subscriber(pk=0, email=RECIPIENT_MARK, token="")
        message = issue_message(rendered, stand_in, plain_text=plain_text)
        message.to = [RECIPIENT_MARK]
        message.extra_headers["Message-ID"] = message_id(rendered.issue_id, SUBSCRIBER_MARK)
        # issue_message put the stand-in's signed token where TOKEN_MARK was; sign the
        # mark itself instead so the bytes hold TOKEN_MARK literally.
        message.body = rendered.text
        message.alternatives = []
        if not plain_text:
            message.attach_alternative(rendered.html, "text/html")
        message.extra_headers["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        raw = message.message().as_bytes(linesep="\r\n")
        expected = rendered.text.count(TOKEN_MARK) + 1
        if not plain_text:
            expected += rendered.html.count(TOKEN_MARK)
        # A body encoded as quoted-printable or base64 could split or hide the marks:
        # then every copy is built by the email package instead.
        fast = (
            raw.count(TOKEN_MARK.encode()) == expected
            and raw.count(SUBSCRIBER_MARK.encode()) == 1
            and raw.count(RECIPIENT_MARK.encode()) == 1
        )
        return raw, fast

    def copy_for(self, subscriber):
        """One subscriber's copy as an e-mail message for any backend (IssueCopy, its
        bytes already made). ValueError (or UnicodeError) as for_subscriber()."""
        token = links.manage_token(subscriber)
        _, raw = self._bytes_for(subscriber, token)
        message = issue_message(self.rendered, subscriber, token=token)
        message.mime = raw
        # Its envelope sender names this copy, so a bounce says whose it is (bounces.py).
        from .bounces import with_return_path

        return with_return_path(message, self.rendered.issue_id, subscriber.pk)

    def for_subscriber(self, subscriber):
        """(envelope recipient, message bytes) of one subscriber's copy. ValueError (or
        UnicodeError) when the name or the address cannot go in a message at all."""
        return self._bytes_for(subscriber, links.manage_token(subscriber))

    def _bytes_for(self, subscriber, token):
        unsafe = unsafe_characters(subscriber.name)
        if unsafe:
            # Stored before names were checked: a line break would end the header, a
            # NUL or a direction override has no place in one.
            codes = ", ".join(f"U+{ord(char):04X}" for char in unsafe)
            raise ValueError(f"The subscriber's name holds {codes}, which cannot go in a header.")
        recipient, header = addresses(subscriber.name, subscriber.email)
        raw, fast = self.text_only if subscriber.plain_text else (self.raw, self.fast)
        if not fast:
            message = issue_message(self.rendered, subscriber, token=token)
            return recipient, message.message().as_bytes(linesep="\r\n")
        # A long encoded name is folded over lines ending in a bare \n: the bytes around
        # it end lines in \r\n, as SMTP requires (and servers refuse bare line feeds).
        header = header.replace("\n", "\r\n")
        return recipient, (
            raw.replace(RECIPIENT_MARK.encode(), header.encode())
            .replace(SUBSCRIBER_MARK.encode(), str(subscriber.pk).encode())
            .replace(TOKEN_MARK.encode(), token.encode())
        )
