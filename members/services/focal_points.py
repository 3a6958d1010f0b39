"""Focal points: the people who represent a member organisation in the members' area.

A focal point invites a colleague by e-mail; the colleague accepts with an account that
has verified that very address (the portal never trusts an address nobody has proved is
theirs). A focal point can withdraw a pending invitation, leave, or remove another; the
last one cannot leave (staff reassign in admin). Changes to one membership's focal points
lock the membership row first, so two of them at once cannot leave it with none.

Membership.user, the account that applied, counts as the focal point of a membership that
has no FocalPoint row at all (one created in admin, or before focal points existed).
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from common import audit, outbox, ratelimit

from ..models import FocalPoint, FocalPointInvitation, Membership

TOKEN_SALT = "members.focal-point-invitation"
INVITATION_SUBJECT = _("You are invited to represent %(member)s at the CP AoR")


def invitation_days() -> int:
    return int(getattr(settings, "MEMBERSHIP_INVITATION_DAYS", 14))


def invitations_per_day() -> int:
    return int(getattr(settings, "MEMBERSHIP_INVITATIONS_PER_DAY", 20))


class FocalPointError(Exception):
    """A focal-point change that cannot be made; the message says why, to the person.
    Subclasses give the answer's status and their message (with %(name)s parameters,
    which also become attributes)."""

    status = 400
    message = ""

    def __init__(self, message=None, **params):
        self.__dict__.update(params)
        text = str(message or self.message)
        super().__init__(text % params if params else text)


class NotAFocalPoint(FocalPointError):
    status = 404
    message = _("You are not a focal point of this member.")


class LastFocalPoint(FocalPointError):
    status = 409
    message = _(
        "You are the member's only focal point, so you cannot leave: invite a colleague "
        "first, or ask the CP AoR secretariat to name another focal point."
    )


class AlreadyFocalPoint(FocalPointError):
    message = _("%(email)s is already a focal point of this member.")


class TooManyInvitations(FocalPointError):
    """params: retry_after, the seconds until the member may invite again."""

    status = 429
    message = _("This member has sent as many invitations as it can today.")


class InvitationProblem(FocalPointError):
    """An invitation link that cannot be accepted (as it is, or by this account)."""


class InvitationInvalid(InvitationProblem):
    status = 404
    message = _("This invitation link is not valid. Check that you copied all of it.")


class InvitationExpired(InvitationProblem):
    status = 410
    message = _("This invitation has expired. Ask the colleague who invited you to send a new one.")


class InvitationWithdrawn(InvitationProblem):
    status = 410
    message = _("This invitation was withdrawn by the member's focal points.")


class InvitationUsed(InvitationProblem):
    status = 410
    message = _("This invitation has already been accepted.")


class AddressNotVerified(InvitationProblem):
    """The account signed in has not verified the invited address."""

    status = 403
    message = _(
        "This invitation is for %(email)s. Sign in with the account that has verified that "
        "address, or add it to your account and verify it, then open the invitation again."
    )


# Reads ---------------------------------------------------------------------------------


def _implicit_focal_point(user):
    """The applicant's account of a membership that has no focal point rows yet."""
    return Q(user=user) & ~Exists(FocalPoint.objects.filter(membership=OuterRef("pk")))


def memberships_of(user):
    """The memberships this person is a focal point of; none for an anonymous visitor."""
    if not getattr(user, "pk", None):
        return Membership.objects.none()
    return Membership.objects.filter(
        Q(Exists(FocalPoint.objects.filter(membership=OuterRef("pk"), user=user)))
        | _implicit_focal_point(user)
    )


def is_focal_point(membership: Membership, user) -> bool:
    return memberships_of(user).filter(pk=membership.pk).exists()


def pending_invitations(membership: Membership | None = None):
    """Invitations neither accepted, withdrawn nor expired (of one membership, or of
    all for a prefetch)."""
    invitations = FocalPointInvitation.objects.all()
    if membership is not None:
        invitations = invitations.filter(membership=membership)
    return invitations.filter(
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        created__gt=timezone.now() - timedelta(days=invitation_days()),
    )


def invitation_expires(invitation: FocalPointInvitation):
    return invitation.created + timedelta(days=invitation_days())


# Tokens --------------------------------------------------------------------------------


def invitation_token(invitation: FocalPointInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=TOKEN_SALT, compress=True)


def _invitation_pk(token: str) -> int:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=invitation_days()))
        return int(data["i"])
    except signing.SignatureExpired as error:
        raise InvitationExpired from error
    except (signing.BadSignature, TypeError, KeyError, ValueError) as error:
        raise InvitationInvalid from error


def invitation_from_token(token: str) -> FocalPointInvitation:
    """The invitation a link names (raising InvitationInvalid or InvitationExpired), to
    show it before it is accepted."""
    pk = _invitation_pk(token)
    invitation = (
        FocalPointInvitation.objects.select_related("membership__partner", "invited_by")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise InvitationInvalid
    return invitation


def invitation_check_open(invitation: FocalPointInvitation, user=None) -> None:
    """Raise the InvitationProblem that keeps this invitation from being accepted (by
    user: an invitation they accepted themselves stays theirs)."""
    if invitation.revoked_at is not None:
        raise InvitationWithdrawn
    if invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == user.pk:
            return
        raise InvitationUsed
    if invitation_expires(invitation) <= timezone.now():
        raise InvitationExpired


def has_verified(user, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


# Changes -------------------------------------------------------------------------------


def _locked(membership):
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=membership.pk)
    )


def _ensure_rows(membership):
    """Write the applicant's implicit focal point down before the set changes, so adding
    or removing someone never silently drops the account that applied."""
    if membership.user_id and not membership.focal_points.exists():
        FocalPoint.objects.get_or_create(membership=membership, user_id=membership.user_id)


def _send_invitation(invitation, membership, actor):
    language = membership.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("members:invitation", kwargs={"token": invitation_token(invitation)})
        context = {
            "member": str(membership),
            "inviter": actor.email if actor else "",
            "accept_url": settings.SITE_URL + path,
            "expires": invitation_expires(invitation),
            "days": invitation_days(),
        }
        subject = str(INVITATION_SUBJECT) % {"member": membership}
        body = render_to_string("members/email/focal_point_invitation.txt", context)
    outbox.email_queue(
        to=invitation.email,
        subject=subject,
        body=body,
        headers={"Content-Language": language},
        context={"membership_id": membership.pk, "kind": "focal_point_invitation"},
    )


def _count_invitation(membership):
    if not settings.RATELIMIT_ENABLED:
        return
    wait = ratelimit.hit("membership-invitation", str(membership.pk), f"{invitations_per_day()}/d")
    if wait:
        raise TooManyInvitations(retry_after=wait)


@transaction.atomic
def focal_point_invite(*, membership: Membership, actor, email: str) -> FocalPointInvitation:
    """Invite a colleague: one open invitation per address, sent again (valid from now
    on) when the address is invited again; a limited number of e-mails per member a day."""
    email = email.strip()
    membership = _locked(membership)
    if not is_focal_point(membership, actor):
        raise NotAFocalPoint
    if membership.partner_id is None:
        raise FocalPointError(_("An individual membership has no colleagues to invite."))
    if FocalPoint.objects.filter(
        membership=membership,
        user__emailaddress__email__iexact=email,
        user__emailaddress__verified=True,
    ).exists():
        raise AlreadyFocalPoint(email=email)
    _count_invitation(membership)
    invitation = (
        FocalPointInvitation.objects.filter(
            membership=membership,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .order_by("-created", "-pk")
        .first()
    )
    if invitation is None:
        invitation = FocalPointInvitation.objects.create(
            membership=membership, email=email, invited_by=actor
        )
        message = f"Invited {email} to be a focal point"
    else:
        # The same invitation, sent again: its link is valid for another full period.
        invitation.created = timezone.now()
        invitation.invited_by = actor
        invitation.save(update_fields=["created", "invited_by"])
        message = f"Sent the invitation to {email} again"
    _send_invitation(invitation, membership, actor)
    audit.record(actor=actor, obj=membership, message=message)
    return invitation


@transaction.atomic
def focal_point_accept(*, invitation_token: str, user) -> FocalPoint:
    """Accept an invitation with an account that has verified the invited address. The
    same account accepting again changes nothing and gets the same focal point."""
    pk = _invitation_pk(invitation_token)
    invitation = FocalPointInvitation.objects.select_for_update().filter(pk=pk).first()
    if invitation is None:
        raise InvitationInvalid
    invitation_check_open(invitation, user)
    if not has_verified(user, invitation.email):
        raise AddressNotVerified(email=invitation.email)
    membership = _locked(invitation.membership)
    if invitation.accepted_at is not None:
        focal_point = FocalPoint.objects.filter(membership=membership, user=user).first()
        if focal_point is None:
            raise InvitationUsed  # accepted, then left or removed: the link is spent
        return focal_point
    _ensure_rows(membership)
    focal_point, created = FocalPoint.objects.get_or_create(
        membership=membership, user=user, defaults={"added_by": invitation.invited_by}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # Any other open invitation to the same address has nothing left to do.
    FocalPointInvitation.objects.filter(
        membership=membership,
        email__iexact=invitation.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=invitation.accepted_at)
    if created:
        audit.record(
            actor=user,
            obj=membership,
            message=f"{invitation.email} accepted the invitation and is now a focal point",
        )
    return focal_point


@transaction.atomic
def focal_point_invitation_withdraw(*, invitation: FocalPointInvitation, actor) -> bool:
    """Withdraw a pending invitation; its link stops working. False when there was
    nothing to withdraw (already withdrawn or accepted)."""
    membership = _locked(invitation.membership)
    if not is_focal_point(membership, actor):
        raise NotAFocalPoint
    invitation = FocalPointInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, obj=membership, message=f"Withdrew the invitation to {invitation.email}"
    )
    return True


def _remove(membership, user, actor, message):
    _ensure_rows(membership)
    focal_points = list(membership.focal_points.select_for_update())
    target = next((fp for fp in focal_points if fp.user_id == user.pk), None)
    if target is None:
        return False
    if len(focal_points) == 1:
        raise LastFocalPoint
    target.delete()
    audit.record(actor=actor, obj=membership, message=message)
    return True


@transaction.atomic
def focal_point_leave(*, membership: Membership, actor) -> bool:
    """Stop representing the member. The last focal point cannot leave."""
    membership = _locked(membership)
    if not is_focal_point(membership, actor):
        return False  # left already: a repeated request changes nothing
    return _remove(membership, actor, actor, f"{actor.email} left the member's focal points")


@transaction.atomic
def focal_point_remove(*, membership: Membership, focal_point: FocalPoint, actor) -> bool:
    """A focal point removes another (or themself: the same as leaving). False when that
    person was no longer a focal point."""
    membership = _locked(membership)
    if not is_focal_point(membership, actor):
        raise NotAFocalPoint
    if focal_point.membership_id != membership.pk:
        return False
    user = focal_point.user
    return _remove(membership, user, actor, f"Removed {user.email} from the member's focal points")
