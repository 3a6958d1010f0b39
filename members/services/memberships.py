"""What approving an application gives: the membership and the shared organisation
record (Partner) it belongs to, and the same-name check that keeps one account from
taking over another's membership without the reviewer's word."""

from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import audit
from initiatives.models import Partner

from ..models import Application, FocalPoint, Membership, email_domain, name_key


def _unique_slug(name):
    base = slugify(name)[:100] or "member"
    slug, number = base, 2
    while Partner.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def name_key_value(text: str):
    return name_key(models.Value(text))


class SameName(models.TextChoices):
    """The reviewer's word on an organisation name that is already a member through
    another account."""

    SEPARATE = "separate", _("A different organisation: give it a membership of its own")
    SAME = "same", _("The same organisation: this applicant now represents that member")


class SameNameMember(Exception):
    """Approving would take over the membership of an organisation with the same name
    that is not this applicant's; the reviewer has to say which it is."""

    def __init__(self, application, membership):
        self.application = application
        self.membership = membership
        super().__init__(
            gettext(
                '"%(member)s", a member with the same name, is not this applicant\'s. '
                "Nothing was approved: choose whether it is a different organisation or "
                "the same one, then approve again."
            )
            % {"member": membership}
        )


def _matching_partner(application):
    """The shared organisation record with the application's name (ignoring case and
    accents), or None."""
    if not application.is_organisation or not application.org_name.strip():
        return None
    return (
        Partner.objects.annotate(key=name_key("name"))
        .filter(key=name_key_value(application.org_name))
        .order_by("pk")
        .first()
    )


def same_name_member(application: Application, *, lock: bool = False) -> Membership | None:
    """The membership that approving would attach the application to although it is not
    the applicant's: an organisation member with the same name held by another account
    (or by none). None when approval can go ahead without the reviewer's word."""
    partner = _matching_partner(application)
    if partner is None:
        return None
    memberships = Membership.objects.filter(partner=partner)
    if lock:
        memberships = memberships.select_for_update(of=("self",))
    membership = memberships.select_related("partner", "user").first()
    if membership is None:
        return None
    if membership.user_id is not None and membership.user_id == application.applicant_id:
        return None  # the applicant's own membership: a renewal
    return membership


def _new_partner(application):
    return Partner.objects.create(
        name=application.org_name,
        acronym=application.org_acronym,
        slug=_unique_slug(application.org_acronym or application.org_name),
        website=application.website,
    )


def _record_membership(application, *, conflict, same_name, actor):
    """The membership the approved application gives (_membership_for), its year begun:
    renewal due a year from today, the commitments confirmed by the application, the
    member's language its application's, and the applicant one of its focal points."""
    membership = _membership_for(application, conflict=conflict, same_name=same_name, actor=actor)
    today = timezone.localdate()
    membership.renewal_due = add_years(today, 1)
    membership.confirmed_at = application.commitments_accepted_at or timezone.now()
    membership.lapsed_at = None
    membership.language = application.language or membership.language
    membership.save(update_fields=["renewal_due", "confirmed_at", "lapsed_at", "language"])
    if application.applicant_id:
        FocalPoint.objects.get_or_create(membership=membership, user_id=application.applicant_id)
    return membership


def add_years(day, years):
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _membership_for(application, *, conflict, same_name, actor):
    """The membership the approved application gives. An existing membership is kept
    whole (its countries are only ever added to) and changes account only on the
    reviewer's explicit SameName.SAME, which the audit trail records."""
    today = timezone.localdate()
    if not application.is_organisation:
        membership, _created = Membership.objects.get_or_create(
            application=application,
            defaults={
                "type": application.membership_type,
                "person_name": application.person_name,
                "user": application.applicant,
                "member_since": today,
            },
        )
        if application.person_country_id:
            membership.countries.set([application.person_country_id])
        return membership
    if conflict is not None and same_name == SameName.SEPARATE:
        partner, membership = _new_partner(application), None
        audit.record(
            actor=actor,
            obj=application,
            message=(
                f"Approved as an organisation separate from membership #{conflict.pk} "
                f"({conflict}), which has the same name"
            ),
        )
    else:
        partner = _matching_partner(application) or _new_partner(application)
        membership = (
            Membership.objects.select_for_update(of=("self",)).filter(partner=partner).first()
        )
        if not partner.website and application.website:
            partner.website = application.website
            partner.save(update_fields=["website"])
    if membership is None:
        membership = Membership.objects.create(
            partner=partner,
            type=application.membership_type,
            org_type=application.org_type,
            user=application.applicant,
            application=application,
            email_domain=email_domain(application.contact_email),
            member_since=today,
        )
        membership.countries.set(application.countries.all())
        return membership
    if conflict is not None:
        # Only SameName.SAME reaches here (approval refuses a conflict without a choice).
        audit.record(
            actor=actor,
            obj=membership,
            message=(
                f"Reviewer confirmed application #{application.pk} is this member: account "
                f"#{membership.user_id or '-'} → #{application.applicant_id or '-'}"
            ),
        )
    membership.type = application.membership_type
    membership.org_type = application.org_type or membership.org_type
    membership.status = Membership.Status.ACTIVE
    membership.application = application
    membership.user = application.applicant
    membership.email_domain = email_domain(application.contact_email) or membership.email_domain
    membership.save(
        update_fields=["type", "org_type", "status", "application", "user", "email_domain"]
    )
    membership.countries.add(*application.countries.all())
    return membership
