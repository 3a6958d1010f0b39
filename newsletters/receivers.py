"""What e-mail providers tell the portal after a message has left: a permanent bounce or
a spam complaint means that address gets nothing more (a provider judges a sender by how
often it keeps mailing such addresses), a temporary failure counts towards
NEWSLETTER_SOFT_BOUNCE_LIMIT. django-anymail checks the provider's signature and turns
each provider's payload into one `tracking` event; each goes through the same service as
bounce messages (services.bounce_record)."""

import logging

from anymail.signals import EventType, tracking
from django.dispatch import receiver

from .bounces import message_id_ids
from .models import BounceReport, Delivery, Subscriber
from .services import bounce_record, normalize_email

logger = logging.getLogger(__name__)

KINDS = {
    EventType.BOUNCED: BounceReport.Kind.HARD,
    EventType.REJECTED: BounceReport.Kind.HARD,
    EventType.DEFERRED: BounceReport.Kind.SOFT,
    EventType.COMPLAINED: BounceReport.Kind.COMPLAINT,
}


def _delivery_id(event, subscriber_id):
    """The delivery the event is about, by our Message-ID when the provider returns it."""
    ids = message_id_ids(event.message_id or "")
    if ids is None or ids[1] != subscriber_id:
        return None
    return (
        Delivery.objects.filter(issue_id=ids[0], subscriber_id=subscriber_id)
        .values_list("pk", flat=True)
        .first()
    )


def _detail(event, esp_name):
    words = [f"{esp_name}: {event.event_type}"]
    words += [str(value) for value in (event.description, event.mta_response) if value]
    if event.event_id:
        # Kept so that the provider repeating this event does not count it twice.
        words.append(f"(event {event.event_id})")
    return " ".join(words)


@receiver(tracking, dispatch_uid="newsletters.provider_bounces")
def provider_event(sender, event, esp_name, **kwargs):
    kind = KINDS.get(event.event_type)
    if kind is None or not event.recipient:
        return
    email = normalize_email(event.recipient)
    subscriber = Subscriber.objects.filter(email__iexact=email).only("pk").first()
    if subscriber is None:
        return
    report = bounce_record(
        kind=kind,
        source=BounceReport.Source.WEBHOOK,
        email=email,
        subscriber_id=subscriber.pk,
        delivery_id=_delivery_id(event, subscriber.pk),
        detail=_detail(event, esp_name),
    )
    if report is not None:
        logger.info(
            "%s reports %s",
            esp_name,
            event.event_type,
            extra={"subscriber_id": subscriber.pk},
        )
