"""Members: an organisation (the shared Partner record) or a person, with the account
that represents it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import single_line
from initiatives.models import Country, Partner

from .base import MembershipType, OrganisationType


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def in_directory(self):
        """Active members that are organisations: the public directory lists no person."""
        return self.active().filter(partner__isnull=False)


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")

    type = models.CharField(_("type"), max_length=10, choices=MembershipType.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Empty for an individual member."),
    )
    org_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    person_name = models.CharField(
        _("member's name"), max_length=150, blank=True, validators=[single_line]
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    application = models.OneToOneField(
        "members.Application",
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership",
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), related_name="memberships", blank=True
    )
    email_domain = models.CharField(
        _("e-mail domain"), max_length=200, blank=True, validators=[single_line]
    )
    member_since = models.DateField(_("member since"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The member's language: renewal reminders are written in it."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=1500,
        help_text=_("What the organisation does, as the member writes it for the directory."),
    )
    # Membership is renewed each year: the commitments are confirmed again by this date,
    # or after a grace period (MEMBERSHIP_GRACE_DAYS) the membership lapses.
    renewal_due = models.DateField(_("renewal due"), null=True, blank=True)
    confirmed_at = models.DateTimeField(
        _("commitments last confirmed"), null=True, blank=True, editable=False
    )
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-member_since", "pk"]
        indexes = [
            models.Index(fields=["status", "type"], name="membership_directory"),
            models.Index(fields=["status", "renewal_due"], name="membership_renewal"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(partner__isnull=False),
                name="membership_one_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=False) | ~Q(person_name=""),
                name="membership_is_an_organisation_or_a_person",
            ),
        ]

    def __str__(self):
        return str(self.partner) if self.partner_id else self.person_name


class FocalPoint(models.Model):
    """A person who represents a member organisation: signs in to the members' area,
    edits the directory entry, renews, and invites colleagues."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="focal_points"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_points"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "user"], name="focal_point_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.membership}"


class FocalPointInvitation(models.Model):
    """A focal point's invitation to a colleague, by e-mail: accepted once, by an account
    that has verified that address; it expires (MEMBERSHIP_INVITATION_DAYS)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.email


class RenewalReminder(models.Model):
    """One reminder sent for one renewal date: the unique pair makes sending it again (a
    retried task, two beat processes) a no-op."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="renewal_reminders"
    )
    due = models.DateField(_("renewal due"))
    days_before = models.SmallIntegerField(_("days before"))
    created = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "due", "days_before"], name="renewal_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.membership}: {self.days_before} days before {self.due}"
