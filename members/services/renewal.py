"""Members renew each year: reminders before the renewal date, the one-click link that
confirms the commitments again, and the lapse of a membership nobody renewed.

The daily task (members.tasks.renewals_daily) lapses first, then reminds; both work
member by member, each in a transaction of its own, so one member's failure is logged
and is never the others'. Both are safe to run any number of times a day: a reminder is
a RenewalReminder row (unique per membership, renewal date and threshold) written in the
same transaction as its e-mails, and a membership lapses once.

Renewal opens with the first reminder (the largest of MEMBERSHIP_RENEWAL_REMINDER_DAYS
before the renewal date) and moves that date a year on, so an early renewer loses
nothing; a lapsed member renewing is active again, due a year from the day they renew.
"""

import dataclasses
import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common import audit, outbox
from common.pagecache import public_pages_changed

from ..models import Application, Membership, RenewalReminder
from .applications import COMMITMENTS
from .memberships import add_years

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None
LINK_SALT = "members.renewal-link"

SUBJECTS = {
    "renewal_reminder": _("Renew the CP AoR membership of %(name)s by %(date)s"),
    "renewal_lapsed": _("The CP AoR membership of %(name)s has lapsed"),
}


def reminder_days() -> list[int]:
    """The thresholds, smallest first: the first one a member has reached is the one due."""
    return sorted({int(days) for days in settings.MEMBERSHIP_RENEWAL_REMINDER_DAYS})


def grace_days() -> int:
    return int(settings.MEMBERSHIP_GRACE_DAYS)


def commitment_texts() -> list[str]:
    """What a member commits to, worded as the application form words it (its labels are
    the model fields' names, capitalised)."""
    return [capfirst(Application._meta.get_field(name).verbose_name) for name in COMMITMENTS]


@dataclasses.dataclass(frozen=True)
class RenewalStatus:
    """Where a membership stands in its year, as the members' area shows it."""

    due: datetime.date | None
    days_left: int | None  # negative once the date has passed
    grace_ends: datetime.date | None  # the last day before it lapses
    opens: datetime.date | None  # the first day renewing counts
    is_open: bool
    lapsed: bool

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def renewal_status(*, membership: Membership, today: datetime.date | None = None) -> RenewalStatus:
    today = today or timezone.localdate()
    lapsed = membership.status == Membership.Status.LAPSED
    due = membership.renewal_due
    if due is None:
        return RenewalStatus(None, None, None, None, is_open=True, lapsed=lapsed)
    days_left = (due - today).days
    window = reminder_days()[-1]
    return RenewalStatus(
        due=due,
        days_left=days_left,
        grace_ends=due + datetime.timedelta(days=grace_days()),
        opens=due - datetime.timedelta(days=window),
        is_open=lapsed or days_left <= window,
        lapsed=lapsed,
    )


# The signed link. It names the focal point it was sent to (who, by opening it, is the
# person renewing: the audit line is theirs) and the renewal date it was for, so once
# that date has moved the link only says the membership is renewed.


class RenewalLinkInvalid(Exception):
    """A link that was not made by the portal, or was changed."""


class RenewalLinkExpired(Exception):
    """A genuine link used after the day it was valid until."""

    def __init__(self, until):
        self.until = until
        super().__init__(f"renewal link valid until {until}")


@dataclasses.dataclass(frozen=True)
class RenewalClaim:
    membership_id: int
    user_id: int
    due: datetime.date | None
    until: datetime.date


def renewal_link(*, membership: Membership, user_id: int, until: datetime.date) -> str:
    """The absolute address of the page that renews membership, for user_id, in the
    member's language, valid until the end of `until`."""
    token = signing.dumps(
        {
            "m": membership.pk,
            "u": user_id,
            "d": membership.renewal_due.isoformat() if membership.renewal_due else None,
            "x": until.isoformat(),
        },
        salt=LINK_SALT,
        compress=True,
    )
    with translation.override(membership.language):
        path = reverse("members:renewal_link", kwargs={"token": token})
    return settings.SITE_URL + path


def renewal_link_read(token: str, *, today: datetime.date | None = None) -> RenewalClaim:
    """The claim a link carries; RenewalLinkInvalid or RenewalLinkExpired otherwise."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
        claim = RenewalClaim(
            membership_id=int(data["m"]),
            user_id=int(data["u"]),
            due=datetime.date.fromisoformat(data["d"]) if data["d"] else None,
            until=datetime.date.fromisoformat(data["x"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise RenewalLinkInvalid from error
    if (today or timezone.localdate()) > claim.until:
        raise RenewalLinkExpired(claim.until)
    return claim


# Renewing and lapsing.


def membership_renew(*, membership: Membership, actor: Actor = None, via: str = "") -> bool:
    """Confirm the commitments again and begin the next year. Returns False, changing
    nothing, when the membership is already renewed for this year (a second click).
    `via` says how, for the audit trail ("the e-mailed link")."""
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        before = locked.renewal_due
        if locked.status == Membership.Status.LAPSED:
            locked.status = Membership.Status.ACTIVE
            locked.lapsed_at = None
            locked.renewal_due = add_years(today, 1)
        elif not renewal_status(membership=locked, today=today).is_open:
            return False
        else:
            # From the date it was due, not from today: renewing early costs nothing.
            locked.renewal_due = add_years(before or today, 1)
        locked.confirmed_at = now
        locked.save(update_fields=["status", "lapsed_at", "renewal_due", "confirmed_at"])
        public_pages_changed()  # a lapsed member is back in the directory
        audit.record(
            actor=actor,
            obj=locked,
            message=(
                f"Renewed{f' through {via}' if via else ''}: commitments confirmed again; "
                f"renewal due {before or '-'} → {locked.renewal_due}"
            ),
        )
    for field in ("status", "lapsed_at", "renewal_due", "confirmed_at"):
        setattr(membership, field, getattr(locked, field))
    logger.info("membership %s renewed until %s", locked.pk, locked.renewal_due)
    return True


def membership_lapse(*, membership: Membership, actor: Actor = None) -> bool:
    """The membership was not renewed: it lapses (and leaves the directory), and its
    focal points are told how to renew. Returns False when it is not active."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.ACTIVE:
            return False
        locked.status = Membership.Status.LAPSED
        locked.lapsed_at = timezone.now()
        locked.save(update_fields=["status", "lapsed_at"])
        public_pages_changed()  # it leaves the directory
        audit.record(
            # The daily task lapses with no one acting: the trail names the portal.
            actor=actor or audit.system_actor(),
            obj=locked,
            message=f"Lapsed: not renewed by {locked.renewal_due} and the grace period",
        )
        _email_focal_points(locked, "renewal_lapsed")
    membership.status, membership.lapsed_at = locked.status, locked.lapsed_at
    logger.info("membership %s lapsed (renewal was due %s)", locked.pk, locked.renewal_due)
    return True


def memberships_lapse_overdue(*, today: datetime.date | None = None) -> int:
    """Lapse every active membership whose renewal date and grace period have passed.
    Returns how many lapsed."""
    today = today or timezone.localdate()
    last_due = today - datetime.timedelta(days=grace_days() + 1)
    ids = list(
        Membership.objects.active()
        .filter(renewal_due__lte=last_due)
        .order_by("renewal_due", "pk")
        .values_list("pk", flat=True)
    )
    lapsed = 0
    for membership_id in ids:
        try:
            lapsed += membership_lapse(membership=Membership(pk=membership_id))
        except Exception:  # noqa: BLE001 - this member's failure, logged; the others go on
            logger.exception("membership %s could not lapse", membership_id)
    return lapsed


def memberships_send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each active member whose renewal date is near (MEMBERSHIP_RENEWAL_REMINDER
    _DAYS), once per threshold and renewal date. Returns how many members were reminded.

    A member who reaches a threshold without the earlier one (approved late, or an
    address verified only now) gets the nearest only: one e-mail, never two the same
    day. Members still in their grace period without a reminder get one too."""
    today = today or timezone.localdate()
    thresholds = reminder_days()
    ids = list(
        Membership.objects.active()
        .filter(
            renewal_due__lte=today + datetime.timedelta(days=thresholds[-1]),
            renewal_due__gte=today - datetime.timedelta(days=grace_days()),
        )
        .order_by("renewal_due", "pk")
        .values_list("pk", flat=True)
    )
    reminded = 0
    for membership_id in ids:
        try:
            reminded += _remind(membership_id, today, thresholds)
        except Exception:  # noqa: BLE001 - this member's failure, logged; the others go on
            logger.exception("renewal reminder for membership %s failed", membership_id)
    return reminded


def _remind(membership_id, today, thresholds) -> bool:
    with transaction.atomic():
        # Locked so that a second run at the same moment waits and then finds the row.
        membership = (
            Membership.objects.select_for_update()
            .filter(pk=membership_id, status=Membership.Status.ACTIVE)
            .first()
        )
        if membership is None or membership.renewal_due is None:
            return False
        days_left = (membership.renewal_due - today).days
        threshold = next((days for days in thresholds if days_left <= days), None)
        if threshold is None:
            return False
        sent = RenewalReminder.objects.filter(
            membership=membership, due=membership.renewal_due, days_before__lte=threshold
        )
        if sent.exists():
            return False
        if not _email_focal_points(membership, "renewal_reminder"):
            # Nothing recorded: the reminder goes once someone has a verified address.
            logger.warning("membership %s: no focal point with a verified address", membership.pk)
            return False
        RenewalReminder.objects.create(
            membership=membership, due=membership.renewal_due, days_before=threshold
        )
    return True


# E-mails: one per focal point (each with a link naming them), in the member's language.


def focal_point_addresses(membership: Membership) -> list[tuple[int, str]]:
    """(user id, address) for each active focal point with a verified address: their
    account's own address when it is verified, else their primary, else another."""
    rows = (
        EmailAddress.objects.filter(
            verified=True, user__is_active=True, user__focal_points__membership=membership
        )
        .order_by("user_id", "pk")
        .values_list("user_id", "email", "primary", "user__email")
    )
    chosen = {}
    for user_id, address, primary, account_email in rows:
        rank = (address.lower() != (account_email or "").lower(), not primary)
        if user_id not in chosen or rank < chosen[user_id][0]:
            chosen[user_id] = (rank, address)
    return [(user_id, chosen[user_id][1]) for user_id in sorted(chosen)]


def _date(day):
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _email_focal_points(membership, kind) -> int:
    """Queue this e-mail to each focal point; returns how many were queued."""
    recipients = focal_point_addresses(membership)
    today = timezone.localdate()
    status = renewal_status(membership=membership, today=today)
    if kind == "renewal_lapsed":
        until = today + datetime.timedelta(days=grace_days())
    else:
        until = status.grace_ends or today + datetime.timedelta(days=grace_days())
    for user_id, address in recipients:
        language = membership.language
        with translation.override(language):
            context = {
                "member": str(membership),
                "status": status,
                "due": _date(status.due),
                "grace_ends": _date(status.grace_ends),
                "until": _date(until),
                "commitments": commitment_texts(),
                "renew_url": renewal_link(membership=membership, user_id=user_id, until=until),
                "area_url": settings.SITE_URL + reverse("members:area"),
            }
            # Once the date has passed, what counts is the last day before it lapses.
            by = context["due"] if not status.overdue else context["grace_ends"]
            subject = str(SUBJECTS[kind]) % {"name": context["member"], "date": by}
            body = render_to_string(f"members/email/{kind}.txt", context)
        outbox.email_queue(
            to=address,
            subject=subject,
            body=body,
            headers={"Content-Language": language},
            context={"membership_id": membership.pk, "kind": kind, "due": str(status.due)},
        )
    return len(recipients)
