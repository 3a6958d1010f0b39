"""What membership is made of: its kinds, the kinds of applicant and organisation, the
"How to get involved" text per kind, and the name and e-mail-domain keys that spot the
same organisation twice."""

from django.contrib.postgres.lookups import Unaccent
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from common.validators import single_line

# Webmail providers: a shared domain there says nothing about belonging to one organisation.
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "zoho.com",
        "qq.com",
        "163.com",
    }
)


def email_domain(address):
    """The lower-case domain of an e-mail address, or "" for webmail and empty addresses."""
    domain = (address or "").rpartition("@")[2].strip().lower()
    return "" if not domain or domain in WEBMAIL_DOMAINS else domain


def name_key(expression):
    """Lower-case, unaccented form of a name, for spotting the same organisation twice."""
    return Lower(Unaccent(expression))


class MembershipType(models.TextChoices):
    FULL = "full", _("Full member")
    ASSOCIATE = "associate", _("Associate member")


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", _("An organisation")
    INDIVIDUAL = "individual", _("An individual")


class OrganisationType(models.TextChoices):
    UN_AGENCY = "un-agency", _("UN agency")
    INTERNATIONAL_NGO = "international-ngo", _("International NGO")
    NATIONAL_NGO = "national-ngo", _("National or local NGO / CSO")
    GOVERNMENT = "government", _("Government body")
    RED_CROSS = "red-cross", _("Red Cross / Red Crescent")
    ACADEMIC = "academic", _("Academic institution")
    NETWORK = "network", _("Network")
    DONOR = "donor", _("Donor")
    OTHER = "other", _("Other")


class MembershipTier(models.Model):
    """One kind of membership as the "How to get involved" page explains it; editors change
    the text in admin, in four languages."""

    type = models.CharField(_("type"), max_length=10, choices=MembershipType.choices, unique=True)
    title = models.CharField(_("title"), max_length=120, validators=[single_line])
    summary = models.TextField(_("who can join"))
    criteria = models.TextField(
        _("criteria"), blank=True, help_text=_("One criterion per line; shown as a list.")
    )
    commitments = models.TextField(
        _("what members commit to"),
        blank=True,
        help_text=_("One commitment per line; shown as a list."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        ordering = ["order", "type"]

    def __str__(self):
        return self.title

    @property
    def criteria_list(self):
        return [line.strip() for line in self.criteria.splitlines() if line.strip()]

    @property
    def commitments_list(self):
        return [line.strip() for line in self.commitments.splitlines() if line.strip()]
