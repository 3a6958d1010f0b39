"""The alerts' e-mails, all plain text (readers on slow links): the confirmation, a
search alert's digest (built with the newsletters' blocks: addresses, one-click
List-Unsubscribe naming this alert only, the VERP return path, a Message-ID stable per
digest) and the notice that a resource is in the watched language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsletters.bounces import with_return_path
from newsletters.mail import addresses, site_domain
from resources.models import language_name

from . import links, searches

# The bounce address names an issue and a reader; a digest is no issue, so it names
# issue 0 and its reader: a bounce then marks the reader, as a newsletter's would.
NO_ISSUE = 0


def digest_message_id(digest_id):
    """Stable per digest: a retry after a crash carries the same id."""
    return f"<alert-digest-{digest_id}@{site_domain()}>"


def short_link(resource_id):
    return settings.SITE_URL + reverse("resource_short_link", args=[resource_id])


def _languages(resource):
    return ", ".join(str(language_name(v.language)) for v in resource.versions.all())


def confirmation(subscriber, kind, pk, what, language):
    """(subject, text) asking the address's owner to confirm an alert; `what` says which
    (a search in words, or a resource and a language)."""
    with translation.override(language):
        context = {
            "what": what,
            "kind": kind,
            "confirm_url": links.confirm_url(subscriber, kind, pk, language),
            "days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
            "site_url": settings.SITE_URL,
        }
        subject = _("Confirm your CP AoR library alert")
        text = render_to_string("alerts/email/confirm.txt", context)
    return subject, text


def digest_email(digest, resources, connection=None):
    """The digest of one alert as a message for the newsletters' e-mail backend.
    ValueError when the address cannot go in a message at all."""
    alert = digest.alert
    subscriber = alert.subscriber
    language = subscriber.language
    with translation.override(language):
        unsubscribe = links.unsubscribe_url(subscriber, links.SEARCH, alert.pk, language)
        context = {
            "description": searches.describe(alert.query, language),
            "resources": [
                {
                    "title": resource.title,
                    "languages": _languages(resource),
                    "url": short_link(resource.pk),
                }
                for resource in resources
            ],
            "frequency": alert.get_frequency_display(),
            "search_url": settings.SITE_URL
            + reverse("resources:list")
            + (f"?{alert.query}" if alert.query else ""),
            "unsubscribe_url": unsubscribe,
            "site_url": settings.SITE_URL,
        }
        subject = ngettext(
            "New in the CP AoR library: %(count)s resource",
            "New in the CP AoR library: %(count)s resources",
            len(resources),
        ) % {"count": len(resources)}
        body = render_to_string("alerts/email/digest.txt", context)
    recipient, _header = addresses(subscriber.name, subscriber.email)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        connection=connection,
        headers={
            "Message-ID": digest_message_id(digest.pk),
            "List-Id": f"<library-alerts.{site_domain()}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Content-Language": language,
        },
    )
    # Built now: a header or an address that cannot be written fails here, as this
    # reader's row's failure, not inside the backend.
    message.message()
    return with_return_path(message, NO_ISSUE, subscriber.pk)


def watch_notice(watch, resource):
    """(subject, text, headers) telling the reader the resource is in their language."""
    subscriber = watch.subscriber
    language = subscriber.language
    with translation.override(language):
        context = {
            "title": resource.title,
            "language": language_name(watch.language),
            "url": short_link(resource.pk),
            "site_url": settings.SITE_URL,
        }
        subject = _("Now in %(language)s: %(title)s") % {
            "language": context["language"],
            "title": resource.title,
        }
        text = render_to_string("alerts/email/watch.txt", context)
    return subject, text, {"Content-Language": language}
