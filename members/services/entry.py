"""The member's own directory entry: its description, the website and logo of its
organisation (the shared Partner record, so initiatives and resources show the same),
and the countries it works in. The audit trail names the fields that really changed."""

import re

from django.db import transaction

from common import audit
from common.pagecache import public_pages_changed
from initiatives.models import Country

from ..models import Membership
from .focal_points import NotAFocalPoint, is_focal_point

ENTRY_FIELDS = ("description", "website", "logo", "countries")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def clean_description(text: str) -> str:
    """The description as stored: line breaks as \\n, no blank lines or spaces at either
    end nor at the end of a line."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING_SPACE.sub("\n", text).strip()


def _same_words(first: str, second: str) -> bool:
    """Whether two descriptions differ in whitespace only (which is no change)."""
    return first.split() == second.split()


def _delete_later(storage, name):
    """The replaced logo's file goes once the new one is committed, never before."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def membership_update_entry(
    *,
    membership: Membership,
    actor,
    description: str,
    website: str,
    countries: list[Country] | None = None,
    logo=None,
    remove_logo: bool = False,
) -> list[str]:
    """Change the member's directory entry; returns the names of the fields that
    changed (ENTRY_FIELDS' names), and records them, only them, in the audit trail.

    logo is a new, already checked image file (None keeps the current one); remove_logo
    takes the current one away. countries None keeps them as they are."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=membership.pk)
    )
    if not is_focal_point(membership, actor):
        raise NotAFocalPoint
    changed = []
    notes = []
    description = clean_description(description)
    if not _same_words(description, membership.description):
        membership.description = description
        membership.save(update_fields=["description"])
        changed.append("description")
    partner = membership.partner
    if partner is not None:
        partner.refresh_from_db(fields=["website", "logo"])
        partner_fields = []
        website = (website or "").strip()
        if website != partner.website:
            partner.website = website
            partner_fields.append("website")
            changed.append("website")
        if logo is not None or (remove_logo and partner.logo):
            old_name = partner.logo.name if partner.logo else ""
            storage = partner.logo.storage
            if logo is not None:
                partner.logo.save(logo.name, logo, save=False)
            else:
                partner.logo = ""
            partner_fields.append("logo")
            changed.append("logo")
            _delete_later(storage, old_name)
        if partner_fields:
            partner.save(update_fields=partner_fields)
    if countries is not None:
        before = {country.pk: country for country in membership.countries.all()}
        after = {country.pk: country for country in countries}
        if before.keys() != after.keys():
            membership.countries.set(list(after))
            changed.append("countries")
            added = sorted(after[pk].iso_code for pk in after.keys() - before.keys())
            removed = sorted(before[pk].iso_code for pk in before.keys() - after.keys())
            if added:
                notes.append("added " + " ".join(added))
            if removed:
                notes.append("removed " + " ".join(removed))
    if changed:
        public_pages_changed()
        message = "Directory entry changed: " + ", ".join(changed)
        if notes:
            message += f" (countries {'; '.join(notes)})"
        audit.record(actor=actor, obj=membership, message=message)
    return changed
