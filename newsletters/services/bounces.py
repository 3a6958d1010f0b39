"""Bounces and complaints, whatever told us: a bounce message our receiver read
(`manage.py receive_bounces`), an e-mail provider's webhook (newsletters/receivers.py),
the engine's own SMTP server refusing a reader (sending.py), or staff.

bounce_record() is the one place a report changes anything:
- hard (the address does not exist): the delivery, if it had been sent, becomes bounced;
  the reader is marked bounced and gets no more issues.
- soft (a full mailbox, a server down for days): the reader's soft_bounces count goes up
  by one per delivery; at NEWSLETTER_SOFT_BOUNCE_LIMIT they count as bounced. A message
  that leaves afterwards does not reset the count: leaving is not arriving, and a
  report that a copy did arrive never comes. Staff who know better confirm the reader
  again (the preference centre or a new subscription does too).
- complaint (the reader marked an issue as spam): they are unsubscribed from every list,
  with a consent record saying why, and marked bounced, so no list mails them again
  until they subscribe anew.
The same report twice counts once: per delivery and kind, or, without a delivery, per
identical report (address, kind, source and detail, which holds the provider's event id
or the report's own words).
"""

import logging

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from common import audit

from .. import bounces
from ..models import BounceReport, ConsentRecord, Delivery, Subscriber
from .subscribers import normalize_email

logger = logging.getLogger(__name__)

Kind = BounceReport.Kind
Source = BounceReport.Source

UNVERIFIED = (
    "Not acted on: the report names no signed bounce address of ours, "
    "so anyone could have sent it.\n"
)


def _mark_bounced(subscriber, now):
    fields = ["updated"]
    if subscriber.bounced_at is None:
        subscriber.bounced_at = now
        fields.append("bounced_at")
    if subscriber.status in (Subscriber.Status.CONFIRMED, Subscriber.Status.PENDING):
        subscriber.status = Subscriber.Status.BOUNCED
        fields.append("status")
    subscriber.save(update_fields=fields)
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )


def _complained(subscriber, source, now):
    subscriber.subscriptions.all().delete()
    subscriber.unsubscribed_at = now
    subscriber.save(update_fields=["unsubscribed_at", "updated"])
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.UNSUBSCRIBED,
        language=subscriber.language,
        text=f"Marked an issue as spam ({Source(source).label}).",
    )
    _mark_bounced(subscriber, now)


def _apply(report, subscriber, delivery):
    now = timezone.now()
    if report.kind == Kind.HARD:
        # A copy our own server refused never left: it stays failed, with the refusal.
        if delivery is not None and delivery.status == Delivery.Status.SENT:
            delivery.status = Delivery.Status.BOUNCED
            delivery.bounced_at = now
            delivery.save(update_fields=["status", "bounced_at"])
        _mark_bounced(subscriber, now)
    elif report.kind == Kind.SOFT:
        subscriber.soft_bounces = min(subscriber.soft_bounces + 1, 32767)
        subscriber.save(update_fields=["soft_bounces", "updated"])
        if subscriber.soft_bounces >= settings.NEWSLETTER_SOFT_BOUNCE_LIMIT:
            _mark_bounced(subscriber, now)
    else:
        _complained(subscriber, report.source, now)


@transaction.atomic
def bounce_record(
    *,
    kind: str,
    source: str,
    email: str | None = None,
    subscriber_id: int | None = None,
    delivery_id: int | None = None,
    detail: str = "",
    verified: bool = True,
    actor: AbstractBaseUser | None = None,
) -> BounceReport | None:
    """Record that a copy did not reach its reader (or that they complained of it) and
    act on it; None when there was nothing new to record.

    The reader is the delivery's, else subscriber_id, else whoever has `email`.
    `verified=False` (a report anyone could have sent) keeps the report for staff to
    read and changes nothing else."""
    kind, source = Kind(kind), Source(source)
    delivery = None
    if delivery_id is not None:
        delivery = Delivery.objects.filter(pk=delivery_id).first()
        if delivery is not None:
            subscriber_id = delivery.subscriber_id
    subscriber = None
    if subscriber_id is not None:
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    elif email:
        subscriber = (
            Subscriber.objects.select_for_update().filter(email__iexact=email.strip()).first()
        )
    if delivery is not None:
        # Locked after the reader (the order every bounce takes), then read again.
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    address = normalize_email(email or (subscriber.email if subscriber else ""))[:254]
    if subscriber is None and not address:
        return None
    # The engine's own refusal gives no detail: the delivery's error is the server's answer.
    detail = detail or (delivery.last_error if delivery is not None else "")
    detail = (detail if verified else UNVERIFIED + detail)[:4000]

    same = BounceReport.objects.filter(kind=kind)
    if delivery is not None:
        same = same.filter(delivery=delivery)
    else:
        same = same.filter(
            subscriber=subscriber, email__iexact=address, source=source, detail=detail
        )
    if same.exists():
        return None
    report = BounceReport.objects.create(
        kind=kind,
        source=source,
        email=address,
        subscriber=subscriber,
        delivery=delivery,
        detail=detail,
    )
    if subscriber is not None and verified:
        _apply(report, subscriber, delivery)
        audit.record(actor=actor, obj=subscriber, message=f"Recorded a bounce: {kind.label}")
    logger.info(
        "bounce recorded: %s from %s%s",
        kind,
        source,
        "" if verified else " (unverified, not acted on)",
        extra={"subscriber_id": subscriber.pk if subscriber else None},
    )
    return report


def _delivery_id(issue_id, subscriber_id):
    return (
        Delivery.objects.filter(issue_id=issue_id, subscriber_id=subscriber_id)
        .values_list("pk", flat=True)
        .first()
    )


def bounce_receive(*, raw: bytes, recipients: list[str]) -> list[BounceReport]:
    """Read one message the bounce receiver accepted for `recipients` and record what it
    reports. The copy it is about is named by a signed bounce address: the recipient
    (VERP), else one the message quotes (an abuse report's Original-Mail-From, the
    returned copy's Return-Path). Without one, each failed address that is a subscriber
    is recorded unverified (see bounce_record), linked to its delivery when the returned
    headers carry our Message-ID for that reader."""
    signed = [ids for ids in map(bounces.read_return_path, recipients) if ids]
    if not signed and not any(map(bounces.is_mailbox, recipients)):
        # Only a forged or a stale signature gets here (the receiver refuses them).
        logger.warning("bounce for no address of ours ignored: %s", recipients[:3])
        return []
    report = bounces.read_report(raw)
    kind = report.kind
    if kind is None:
        return []  # an automatic reply, or anything else that reports no failure
    signed += [ids for ids in report.signed if ids not in signed]
    worst = max(
        (failure for failure in report.failures if failure.kind == kind),
        key=lambda failure: bool(failure.email),
    )
    recorded = []
    for issue_id, subscriber_id in signed:
        # A reader erased since is no longer there: bounce_record finds nobody.
        recorded.append(
            bounce_record(
                kind=kind,
                source=Source.RECEIVER,
                subscriber_id=subscriber_id,
                delivery_id=_delivery_id(issue_id, subscriber_id),
                detail=worst.detail,
            )
        )
    if not signed:
        for failure in report.failures:
            if not failure.email:
                continue
            subscriber = Subscriber.objects.filter(email__iexact=failure.email).first()
            if subscriber is None:
                continue
            issue_id = next((i for i, s in report.message_ids if s == subscriber.pk), None)
            recorded.append(
                bounce_record(
                    kind=failure.kind,
                    source=Source.RECEIVER,
                    email=failure.email,
                    subscriber_id=subscriber.pk,
                    delivery_id=_delivery_id(issue_id, subscriber.pk) if issue_id else None,
                    detail=failure.detail,
                    verified=False,
                )
            )
    return [report for report in recorded if report is not None]


def bounce_reports_forget(*, email: str) -> int:
    """An erased person's address leaves the reports that named it without being
    linked to them (their own reports go with them)."""
    return BounceReport.objects.filter(email__iexact=email).update(email="", detail="")
