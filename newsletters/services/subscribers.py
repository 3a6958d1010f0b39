"""Actions on subscribers: subscribe (or be subscribed, confirmed, on a membership's
approval), confirm, change lists and preferences, leave one list or all, mark bounced,
erase. Each takes ids and values and is its own transaction; staff actions (bounced,
erased) write their audit line in it."""

import hmac
import logging
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from common import audit, outbox

from .. import links, mail
from ..models import ConsentRecord, Delivery, NewsletterList, Subscriber, Subscription

logger = logging.getLogger(__name__)


def normalize_email(email: str) -> str:
    """Trim, and lower-case the domain (the part before @ may be case-sensitive)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def _send_confirmation(subscriber, newsletters, language):
    subject, text, html = mail.confirmation_email(subscriber, newsletters, language)
    outbox.email_queue(
        to=subscriber.email,
        subject=subject,
        body=text,
        html=html,
        context={"subscriber_id": subscriber.pk, "kind": "newsletter_confirmation"},
    )


def subscriber_subscribe(
    *,
    email: str,
    list_ids: Iterable[int],
    language: str,
    form: ConsentRecord.Form,
    consent_text: str,
    name: str = "",
) -> Subscriber | None:
    """Ask the address's owner to confirm their wish to receive list_ids; `form` is where
    they asked (the page, the footer).

    Known or not, confirmed or not, the same happens: a consent record and a
    confirmation e-mail. Nothing is sent to the address until it confirms, so asking
    twice, or for someone else, is harmless.
    """
    email = normalize_email(email)
    newsletters = list(NewsletterList.objects.active().filter(pk__in=list_ids).by_order())
    if not newsletters:
        return None
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email__iexact=email,
            defaults={"email": email, "name": name.strip(), "language": language},
        )
        record = ConsentRecord.objects.create(
            subscriber=subscriber,
            action=ConsentRecord.Action.REQUESTED,
            form=ConsentRecord.Form(form),
            language=language,
            text=consent_text,
        )
        record.lists.set(newsletters)
        _send_confirmation(subscriber, newsletters, language)
    return subscriber


def _locked_subscriber(subscriber_id, secret):
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or not hmac.compare_digest(subscriber.token, secret):
        raise links.LinkError()
    return subscriber


def subscriber_from_manage_token(token: str) -> Subscriber:
    """The subscriber a preferences or unsubscribe link is for (LinkError if none)."""
    subscriber_id, secret = links.read_manage_token(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not hmac.compare_digest(subscriber.token, secret):
        raise links.LinkError()
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token: str) -> tuple[Subscriber, list[NewsletterList]]:
    """Confirm the address and add the lists named in the link; clicking twice changes
    nothing the second time. Returns (subscriber, lists)."""
    subscriber_id, secret, list_ids = links.read_confirm_token(token)
    subscriber = _locked_subscriber(subscriber_id, secret)
    newsletters = list(NewsletterList.objects.active().filter(pk__in=list_ids).by_order())
    have = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    new = [newsletter for newsletter in newsletters if newsletter.pk not in have]
    if subscriber.status == Subscriber.Status.CONFIRMED and not new:
        return subscriber, newsletters
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter=newsletter) for newsletter in new],
        ignore_conflicts=True,
    )
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at", "updated"])
    record = ConsentRecord.objects.create(
        subscriber=subscriber, action=ConsentRecord.Action.CONFIRMED, language=subscriber.language
    )
    record.lists.set(new)
    return subscriber, newsletters


@transaction.atomic
def subscriber_set_lists(
    *, subscriber_id: int, list_ids: Iterable[int], consent_text: str = ""
) -> bool:
    """The preference centre: keep exactly list_ids (active ones). No list at all is an
    unsubscription. Returns whether anything changed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    return _set_lists(subscriber, list_ids, consent_text)


@transaction.atomic
def subscriber_set_preferences(
    *,
    subscriber_id: int,
    list_ids: Iterable[int],
    language: str,
    plain_text: bool,
    consent_text: str = "",
) -> bool:
    """The whole preference centre: the reader's language (confirmations and notices),
    plain text only or not, and exactly list_ids (none: unsubscribed). Returns whether
    anything changed; saving the same choice again changes nothing."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    changed = []
    if language != subscriber.language:
        subscriber.language = language
        changed.append("language")
    if bool(plain_text) != subscriber.plain_text:
        subscriber.plain_text = bool(plain_text)
        changed.append("plain_text")
    if changed:
        subscriber.save(update_fields=[*changed, "updated"])
    return _set_lists(subscriber, list_ids, consent_text) or bool(changed)


def _set_lists(subscriber, list_ids, consent_text):
    active = NewsletterList.objects.active().filter(pk__in=list_ids)
    wanted = set(active.values_list("pk", flat=True))
    if not wanted:
        return _unsubscribe(subscriber, ConsentRecord.Form.PREFERENCES)
    have = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    if have == wanted and subscriber.status == Subscriber.Status.CONFIRMED:
        return False
    subscriber.subscriptions.exclude(newsletter_id__in=wanted).delete()
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter_id=pk) for pk in wanted - have],
        ignore_conflicts=True,
    )
    # Dropped lists: nothing more of theirs, even from an issue being sent right now.
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).exclude(
        issue__newsletter_id__in=wanted
    ).update(status=Delivery.Status.SKIPPED)
    if subscriber.status != Subscriber.Status.CONFIRMED:
        # The link came in an e-mail to this address: that is the confirmation.
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at", "updated"])
    record = ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.CHANGED,
        form=ConsentRecord.Form.PREFERENCES,
        language=subscriber.language,
        text=consent_text,
    )
    record.lists.set(wanted)
    return True


def _unsubscribe(subscriber, form: ConsentRecord.Form | None):
    subscribed = subscriber.subscriptions.exists()
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED and not subscribed:
        return False
    subscriber.subscriptions.all().delete()
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at", "updated"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.UNSUBSCRIBED,
        # No form: the one-click link in the e-mail's headers or footer.
        form=ConsentRecord.Form(form) if form else "",
        language=subscriber.language,
    )
    return True


@transaction.atomic
def subscriber_unsubscribe(*, subscriber_id: int, form: ConsentRecord.Form | None = None) -> bool:
    """Stop every list for this subscriber; a second call changes nothing. `form` is
    where they asked (None: the one-click link)."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return _unsubscribe(subscriber, form)


@transaction.atomic
def subscriber_leave_list(
    *, subscriber_id: int, list_id: int, form: ConsentRecord.Form | None = None
) -> bool:
    """Leave one list (the one-click link of an issue of that list); the reader keeps
    their other lists, and leaving the last one is unsubscribing. A second call changes
    nothing. Returns whether anything changed."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    have = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    if list_id not in have:
        return False
    if have == {list_id}:
        return _unsubscribe(subscriber, form)
    subscriber.subscriptions.filter(newsletter_id=list_id).delete()
    # Nothing more of that list, even from an issue being sent right now.
    Delivery.objects.filter(
        subscriber=subscriber, status=Delivery.Status.PENDING, issue__newsletter_id=list_id
    ).update(status=Delivery.Status.SKIPPED)
    record = ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.UNSUBSCRIBED,
        form=ConsentRecord.Form(form) if form else "",
        language=subscriber.language,
    )
    record.lists.set([list_id])
    return True


def subscriber_subscribe_confirmed(
    *,
    email: str,
    name: str,
    language: str,
    list_id: int,
    consent_text: str,
    source: str,
    actor: AbstractBaseUser | None = None,
) -> bool:
    """Subscribe an address whose owner already proved it is theirs (a member's verified
    account address) and ticked a box saying so: confirmed at once, no e-mail. `source`
    says where the consent was given (an application's reference); it is kept with the
    text in the consent record. Already on the list: nothing changes, so approving twice
    is harmless. A bounced address stays bounced. Returns whether anything changed."""
    email = normalize_email(email)
    with transaction.atomic():
        newsletter = NewsletterList.objects.active().filter(pk=list_id).first()
        if newsletter is None:
            return False
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email__iexact=email,
            defaults={"email": email, "name": name.strip(), "language": language},
        )
        if subscriber.status == Subscriber.Status.BOUNCED:
            return False
        _, added = Subscription.objects.get_or_create(subscriber=subscriber, newsletter=newsletter)
        if subscriber.status == Subscriber.Status.CONFIRMED and not added:
            return False
        if subscriber.status != Subscriber.Status.CONFIRMED:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["status", "confirmed_at", "updated"])
        record = ConsentRecord.objects.create(
            subscriber=subscriber,
            action=ConsentRecord.Action.CONFIRMED,
            language=language,
            # No form of ours: the consent was given where `source` says.
            text=f"{consent_text}\n\n{source}",
        )
        record.lists.set([newsletter])
        audit.record(
            actor=actor,
            obj=subscriber,
            message=f"Subscribed to {newsletter.slug} on the person's consent ({source})",
            label=f"subscriber #{subscriber.pk}",
        )
    return True


@transaction.atomic
def subscriber_mark_bounced(*, subscriber_id: int, actor: AbstractBaseUser | None = None) -> bool:
    """Send this address nothing more (a permanent SMTP refusal, or staff's word)."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.BOUNCED:
        return False
    subscriber.status = Subscriber.Status.BOUNCED
    subscriber.save(update_fields=["status", "updated"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )
    audit.record(actor=actor, obj=subscriber, message="Marked as bounced")
    return True


@transaction.atomic
def subscriber_erase(*, subscriber_id: int, actor: AbstractBaseUser | None = None) -> bool:
    """Forget a person on request: the subscriber, their lists, consent records and
    delivery rows. Returns whether there was anything to erase."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    # The trail keeps that it happened, not the address.
    audit.record(
        actor=actor,
        obj=subscriber,
        message="Erased on the person's request",
        label=f"subscriber #{subscriber_id}",
    )
    from .bounces import bounce_reports_forget  # imported here: bounces imports this module

    bounce_reports_forget(email=subscriber.email)
    deleted, _ = Subscriber.objects.filter(pk=subscriber_id).delete()
    if deleted:
        logger.info("newsletter subscriber %s erased on request", subscriber_id)
    return bool(deleted)
