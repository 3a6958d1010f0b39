"""One person's personal data (GDPR), from the reviewers' queue: export everything the
portal holds about them, or erase it while the review history stays."""

import json

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common import audit
from common.pagecache import public_pages_changed

from ..models import (
    Application,
    ApplicationEvent,
    FocalPoint,
    FocalPointInvitation,
    Membership,
)

PERSONAL_FIELDS = (
    "focal_name",
    "focal_title",
    "focal_email",
    "focal_phone",
    "alternate_name",
    "alternate_title",
    "alternate_email",
    "alternate_phone",
    "person_name",
    "affiliation",
    "expertise",
    "motivation",
    "contact_email",
)


def person_export(*, user: AbstractBaseUser) -> dict:
    """Everything the portal holds about one person, as JSON-ready data."""
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("hq_country", "person_country")
        .prefetch_related("countries", "events")
        .order_by("created")
    )
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
        },
        "applications": [],
        "memberships": [
            {
                "type": membership.type,
                "organisation": str(membership.partner) if membership.partner_id else "",
                "person_name": membership.person_name,
                "member_since": membership.member_since,
                "status": membership.status,
            }
            for membership in Membership.objects.filter(user=user).select_related("partner")
        ],
        "focal_point_of": [
            {"organisation": str(focal.membership), "since": focal.created}
            for focal in FocalPoint.objects.filter(user=user).select_related("membership__partner")
        ],
        "invitations_to_this_person": list(
            FocalPointInvitation.objects.filter(email__iexact=user.email)
            .exclude(email="")
            .values("email", "created", "accepted_at", "revoked_at")
        ),
        "application_events_by_this_person": list(
            ApplicationEvent.objects.filter(actor=user).values(
                "application_id", "created", "from_status", "to_status", "note"
            )
        ),
    }
    for application in applications:
        fields = {
            field.name: getattr(application, field.attname)
            for field in Application._meta.concrete_fields
            if field.name not in ("applicant", "supporting_document")
        }
        fields["hq_country"] = str(application.hq_country or "")
        fields["person_country"] = str(application.person_country or "")
        fields["countries"] = [str(country) for country in application.countries.all()]
        fields["supporting_document"] = application.document_name
        fields["documents_sent_with_answers"] = [
            attachment.name for attachment in application.attachments.all()
        ]
        fields["history"] = [
            {
                "created": event.created,
                "from": event.from_status,
                "to": event.to_status,
                "note": event.note,
            }
            for event in application.events.all()
        ]
        data["applications"].append(fields)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def person_erase(*, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> int:
    """Erase one person's personal data.

    Applications stay (the review history is the CP AoR's record) but lose every personal
    field, the supporting document, the documents sent with answers, the notes of their
    events and the reviewers' internal notes on them; an organisation's
    approved membership stays in the directory, no longer tied to the person; an
    individual's membership, being the person, is deleted; the account is deactivated
    and stripped of its name and addresses. Running it again changes nothing more.
    """
    now = timezone.now()
    applications = list(Application.objects.select_for_update().filter(applicant=user))
    for application in applications:
        for name in PERSONAL_FIELDS:
            setattr(application, name, "")
        if application.supporting_document:
            application.supporting_document.delete(save=False)
        application.supporting_document = ""
        application.document_name = ""
        application.person_country = None
        application.applicant = None
        application.anonymised_at = application.anonymised_at or now
        application.save()
        application.events.update(note="")
        # The documents sent with answers are the person's too; reviewers' notes may
        # quote them, and go with them.
        for attachment in application.attachments.all():
            attachment.file.delete(save=False)
        application.attachments.all().delete()
        application.notes.all().delete()
        ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            from_status=application.status,
            to_status=application.status,
            note=gettext("Personal data erased on request."),
        )
    ApplicationEvent.objects.filter(actor=user).update(actor=None)
    # Invitations name the person's addresses; being a focal point is being this person.
    addresses = [user.email, *user.emailaddress_set.values_list("email", flat=True)]
    for address in {address.lower() for address in addresses if address}:
        FocalPointInvitation.objects.filter(email__iexact=address).delete()
    FocalPoint.objects.filter(user=user).delete()
    # An individual member leaves the directory with the person.
    public_pages_changed()
    Membership.objects.filter(user=user, partner__isnull=True).delete()
    Membership.objects.filter(user=user).update(user=None)
    user.emailaddress_set.all().delete()
    user.first_name = user.last_name = ""
    user.email = ""
    user.username = f"erased-{user.pk}"
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        obj=user,
        message=f"Erased personal data; {len(applications)} application(s) anonymised",
        label=f"account #{user.pk}",
    )
    return len(applications)
