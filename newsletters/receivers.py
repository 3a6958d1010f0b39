"""What e-mail providers tell the portal after a message has left: a permanent bounce or
a spam complaint means that address gets nothing more (a provider judges a sender by how
often it keeps mailing such addresses). django-anymail checks the provider's signature
and turns each provider's payload into one `tracking` event; temporary refusals
(`deferred`) change nothing, the send loop retries those itself."""

import logging

from anymail.signals import EventType, tracking
from django.dispatch import receiver

from .models import Subscriber
from .services import normalize_email, subscriber_mark_bounced

logger = logging.getLogger(__name__)

STOP_SENDING = {EventType.BOUNCED, EventType.COMPLAINED}


@receiver(tracking, dispatch_uid="newsletters.provider_bounces")
def provider_event(sender, event, esp_name, **kwargs):
    if event.event_type not in STOP_SENDING or not event.recipient:
        return
    email = normalize_email(event.recipient)
    subscriber = Subscriber.objects.filter(email__iexact=email).only("pk").first()
    if subscriber is None:
        return
    if subscriber_mark_bounced(subscriber_id=subscriber.pk):
        logger.info(
            "%s reports %s: subscriber marked bounced",
            esp_name,
            event.event_type,
            extra={"subscriber_id": subscriber.pk},
        )
