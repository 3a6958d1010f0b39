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

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-member_since", "pk"]
        indexes = [models.Index(fields=["status", "type"], name="membership_directory")]
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
