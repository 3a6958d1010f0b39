"""What the portal keeps about one newsletter reader, as they may see it (GDPR art. 15):
a read, no state change. Erasing is subscribers.subscriber_erase."""

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.dispatch import Signal

from ..models import ConsentRecord, Delivery, NewsletterList, Subscriber

# Other apps that keep something about the reader (alerts) add it: each receiver returns
# a dict of plain values merged into the reader's data. Erasure needs no hook: their rows
# belong to the Subscriber and go with it.
collect_personal_data = Signal()

# The reader sees the deliveries of their last issues; older rows say nothing more.
DELIVERIES_SHOWN = 20


def subscriber_data(*, subscriber: Subscriber) -> dict[str, Any]:
    """The reader's data as plain values (the page shows them, the download is their
    JSON): address, name, language, plain text or not, status and dates, lists, consent
    records and the deliveries of the last issues sent to them. Four queries."""
    language_names = dict(settings.LANGUAGES)
    # Instances, not values: a list's name falls back to English where untranslated.
    lists = [
        newsletter.name
        for newsletter in NewsletterList.objects.filter(
            subscriptions__subscriber=subscriber
        ).order_by("order", "pk")
    ]
    consents = (
        ConsentRecord.objects.filter(subscriber=subscriber)
        .prefetch_related(Prefetch("lists", NewsletterList.objects.order_by("order", "pk")))
        .order_by("-created", "-pk")
    )
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("issue__newsletter")
        .order_by("-pk")[:DELIVERIES_SHOWN]
    )
    data = {
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "language_name": str(language_names.get(subscriber.language, subscriber.language)),
        "plain_text": subscriber.plain_text,
        "status": subscriber.status,
        "status_name": str(subscriber.get_status_display()),
        "subscribed_at": subscriber.created,
        "confirmed_at": subscriber.confirmed_at,
        "unsubscribed_at": subscriber.unsubscribed_at,
        "lists": lists,
        "consents": [
            {
                "when": record.created,
                "action": record.action,
                "action_name": str(record.get_action_display()),
                "form": record.form,
                "language": record.language,
                "text": record.text,
                "lists": [newsletter.name for newsletter in record.lists.all()],
            }
            for record in consents
        ],
        "deliveries": [
            {
                "issue": delivery.issue.subject,
                "list": delivery.issue.newsletter.name,
                "status": delivery.status,
                "status_name": str(delivery.get_status_display()),
                "sent_at": delivery.sent_at,
            }
            for delivery in deliveries
        ],
    }
    for _receiver, extra in collect_personal_data.send(sender=Subscriber, subscriber=subscriber):
        data.update(extra or {})
    return data
