"""A reader asks for an alert, confirms it from the e-mail, leaves it.

The reader is a newsletters Subscriber found (or made, pending) by address; nothing here
adds a newsletter list or changes their newsletter status. Asking is the same whoever
asks and however often: a confirmation e-mail, and nothing sent before it is confirmed.
Confirming or leaving twice changes nothing the second time."""

import hmac

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from common import audit, outbox
from newsletters.models import Subscriber
from newsletters.services import normalize_email
from resources.models import Resource, ResourceVersion, language_name

from .. import links, mail, searches
from ..models import Frequency, LanguageWatch, SearchAlert


class AlertRefused(ValueError):
    """The request cannot become an alert (a search no filter accepts, a language the
    resource already has); the message says why, for the reader."""


def _subscriber_for(email, language):
    email = normalize_email(email)
    subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
        email__iexact=email, defaults={"email": email, "language": language}
    )
    return subscriber


def _send_confirmation(subscriber, kind, pk, what, language):
    subject, text = mail.confirmation(subscriber, kind, pk, what, language)
    outbox.email_queue(
        to=subscriber.email,
        subject=subject,
        body=text,
        headers={"Content-Language": language},
        context={"subscriber_id": subscriber.pk, "kind": f"alert_{kind}_confirmation"},
    )


def search_alert_request(
    *, email: str, query: str, frequency: str, language: str, label: str = ""
) -> SearchAlert:
    """Ask the address's owner to confirm an alert for the library search `query` (any
    parameters: only the library's filters are kept, and checked). AlertRefused when a
    filter refuses its value. An alert not yet confirmed takes the new frequency; a
    confirmed one keeps its own (a link to the address decides, not the form)."""
    try:
        query = searches.normalise(query, language)
    except searches.InvalidSearch as error:
        raise AlertRefused(str(error)) from error
    frequency = Frequency(frequency)
    with transaction.atomic():
        subscriber = _subscriber_for(email, language)
        alert, created = SearchAlert.objects.select_for_update().get_or_create(
            subscriber=subscriber,
            query=query,
            defaults={"frequency": frequency, "language": language, "label": label[:500]},
        )
        if not created and alert.confirmed_at is None:
            alert.frequency, alert.language, alert.label = frequency, language, label[:500]
            alert.save(update_fields=["frequency", "language", "label"])
        _send_confirmation(subscriber, links.SEARCH, alert.pk, label, language)
    return alert


def language_watch_request(
    *, email: str, resource_id: int, language: str, page_language: str
) -> LanguageWatch:
    """Ask the address's owner to confirm that they want to hear when the published
    resource is in `language`. AlertRefused when it already is (or is not published)."""
    resource = Resource.objects.published().filter(pk=resource_id).first()
    if resource is None:
        raise AlertRefused("This resource is not in the library.")
    if ResourceVersion.objects.filter(resource=resource, language=language).exists():
        raise AlertRefused("This resource is already in that language.")
    with transaction.atomic():
        subscriber = _subscriber_for(email, page_language)
        watch, _ = LanguageWatch.objects.get_or_create(
            subscriber=subscriber, resource=resource, language=language
        )
        what = f"{resource.title} ({language_name(language)})"
        _send_confirmation(subscriber, links.WATCH, watch.pk, what, page_language)
    return watch


def _locked_from_confirm_token(token, kind, model):
    subscriber_id, secret, token_kind, pk = links.read_confirm_token(token)
    if token_kind != kind:
        raise links.LinkError()
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or not hmac.compare_digest(subscriber.token, secret):
        raise links.LinkError()
    row = model.objects.select_for_update().filter(pk=pk, subscriber=subscriber).first()
    if row is None:  # left or erased since the e-mail was sent
        raise links.LinkError()
    return row


@transaction.atomic
def search_alert_confirm(*, token: str) -> SearchAlert:
    """Confirm the alert the link names; from now on its digests count new resources.
    LinkError when the link is forged, expired or the alert is gone."""
    alert = _locked_from_confirm_token(token, links.SEARCH, SearchAlert)
    if alert.confirmed_at is None:
        alert.confirmed_at = alert.last_sent_through = timezone.now()
        alert.save(update_fields=["confirmed_at", "last_sent_through"])
    return alert


@transaction.atomic
def language_watch_confirm(*, token: str) -> LanguageWatch:
    watch = _locked_from_confirm_token(token, links.WATCH, LanguageWatch)
    if watch.confirmed_at is None:
        watch.confirmed_at = timezone.now()
        watch.save(update_fields=["confirmed_at"])
    return watch


def _forget(model, subscriber_id, pk, actor, what):
    row = model.objects.select_for_update().filter(pk=pk, subscriber_id=subscriber_id).first()
    if row is None:
        return False
    audit.record(actor=actor, obj=row, message=f"{what} on the reader's request")
    row.delete()
    return True


@transaction.atomic
def search_alert_unsubscribe(
    *, subscriber_id: int, alert_id: int, actor: AbstractBaseUser | None = None
) -> bool:
    """Stop this alert (and forget it); the reader's other alerts and newsletters stay.
    Returns whether there was one to stop."""
    return _forget(SearchAlert, subscriber_id, alert_id, actor, "Search alert stopped")


@transaction.atomic
def language_watch_cancel(
    *, subscriber_id: int, watch_id: int, actor: AbstractBaseUser | None = None
) -> bool:
    return _forget(LanguageWatch, subscriber_id, watch_id, actor, "Language watch cancelled")
