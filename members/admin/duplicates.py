"""What looks like the same organisation as an application, for the reviewer's page."""

from django.db.models import Value
from django.urls import reverse
from django.utils.translation import gettext

from ..models import WEBMAIL_DOMAINS, Application, Membership, email_domain, name_key


def possible_duplicates(application):
    """(admin URL, name, reason) of open applications and members that look like the same
    organisation: the same name ignoring case and accents, or the same e-mail domain."""
    found = []
    key = application.org_name.strip()
    domain = email_domain(application.contact_email)
    others = Application.objects.open().exclude(pk=application.pk)
    # Once approved, the application's own membership is no duplicate of it.
    members = Membership.objects.exclude(application=application)
    if key:
        for other in others.annotate(k=name_key("org_name")).filter(k=name_key(Value(key))):
            found.append(
                (
                    reverse("admin:members_application_change", args=[other.pk]),
                    str(other),
                    gettext("open application with the same name"),
                )
            )
        for member in (
            members.annotate(k=name_key("partner__name"))
            .filter(k=name_key(Value(key)))
            .select_related("partner")
        ):
            found.append(
                (
                    reverse("admin:members_membership_change", args=[member.pk]),
                    str(member),
                    gettext("member with the same name"),
                )
            )
    if domain and domain not in WEBMAIL_DOMAINS:
        for other in others.filter(contact_email__iendswith="@" + domain):
            found.append(
                (
                    reverse("admin:members_application_change", args=[other.pk]),
                    str(other),
                    gettext("open application from the same e-mail domain"),
                )
            )
        for member in members.filter(email_domain=domain).select_related("partner"):
            found.append(
                (
                    reverse("admin:members_membership_change", args=[member.pk]),
                    str(member),
                    gettext("member with the same e-mail domain"),
                )
            )
    return found
