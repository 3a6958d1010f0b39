"""Every change to an application's state, and what follows from it.

Each transition is one keyword-only function. It locks the row, checks the current state,
returns early when the application is already where the transition leads (so a double
click or a retried task is harmless), refuses any other state with TransitionNotAllowed,
records an ApplicationEvent and queues the e-mails once the transaction has committed.
"""

import json

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpaor import audit, outbox
from cpaor.groups import MEMBERSHIP_REVIEWERS
from cpaor.validators import unsafe_characters
from initiatives.models import Partner

from .models import (
    ApplicantKind,
    Application,
    ApplicationEvent,
    Membership,
    email_domain,
    name_key,
)

Status = Application.Status


class TransitionNotAllowed(Exception):
    """The application is not in a state this action applies to."""

    def __init__(self, application, action):
        self.application = application
        self.action = action
        super().__init__(
            gettext('Cannot %(action)s an application that is "%(status)s".')
            % {"action": action, "status": application.get_status_display()}
        )


class IncompleteApplication(Exception):
    """Submitting an application that lacks what the form requires."""

    def __init__(self, missing):
        self.missing = missing
        super().__init__(
            gettext("The application is incomplete: %(fields)s.") % {"fields": ", ".join(missing)}
        )


# What an applicant must give before submitting, by kind of applicant.
REQUIRED_FIELDS = {
    ApplicantKind.ORGANISATION: (
        "org_name",
        "org_type",
        "hq_country",
        "cp_work",
        "focal_name",
        "focal_title",
        "focal_email",
        "motivation",
    ),
    ApplicantKind.INDIVIDUAL: ("person_name", "expertise", "person_country", "motivation"),
}
COMMITMENTS = ("accepts_principles", "accepts_cpms", "accepts_code_of_conduct")


def missing_fields(application):
    """Verbose names of what the application still lacks before it can be submitted."""
    names = [
        *REQUIRED_FIELDS.get(application.applicant_kind, ()),
        *COMMITMENTS,
    ]
    missing = [
        str(Application._meta.get_field(name).verbose_name)
        for name in names
        if not getattr(application, name if not name.endswith("country") else f"{name}_id")
    ]
    if application.consent_given_at is None:
        missing.append(gettext("consent to the processing of personal data"))
    return missing


def _lock(application):
    return Application.objects.select_for_update().get(pk=application.pk)


def _move(application, *, to, actor, note="", extra_fields=()):
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        from_status=application.status,
        to_status=to,
        note=note,
    )
    if actor is not None and actor.is_staff:
        audit.record(
            user=actor,
            obj=application,
            message=f"Status {application.status} → {to}" + (f": {note}" if note else ""),
        )
    application.status = to
    application.save(update_fields=["status", "updated", *extra_fields])
    return event


def _transition(application, *, action, to, allowed):
    """Lock and check: the locked row, or None when it already is in state `to`."""
    locked = _lock(application)
    if locked.status == to:
        return None
    if locked.status not in allowed:
        raise TransitionNotAllowed(locked, action)
    return locked


# E-mails ------------------------------------------------------------------------------

SUBJECTS = {
    "submitted": _("We have received your CP AoR membership application"),
    "reviewer_notice": _("New membership application to review: %(name)s"),
    "information_requested": _("The CP AoR needs more information about your application"),
    "approved": _("Welcome to the CP AoR: your membership is approved"),
    "declined": _("Your CP AoR membership application"),
}


def _absolute(path):
    return settings.SITE_URL + path


def _send(*, to, kind, application, language, note=""):
    if not to:
        return
    with translation.override(language):
        context = {
            "application": application,
            "note": note,
            "dashboard_url": _absolute(reverse("members:dashboard")),
            "application_url": _absolute(application.get_absolute_url()),
            "admin_url": _absolute(
                reverse("admin:members_application_change", args=[application.pk])
            ),
            "directory_url": _absolute(reverse("directory:index")),
        }
        subject = str(SUBJECTS[kind]) % {"name": application.display_name}
        body = render_to_string(f"members/email/{kind}.txt", context)
    outbox.email_queue(
        to=to,
        subject=subject,
        body=body,
        headers={"Content-Language": language},
        context={"application_id": application.pk, "kind": kind},
    )


def applicant_addresses(application):
    """The focal point (or the individual) and the account that filled in the form, when
    they differ: whoever applied hears about the decision. Only addresses verified on the
    applicant's account: a focal-point address typed into the form is contact data for
    the reviewers, and the portal never writes to an address nobody has proved is theirs."""
    if not application.applicant_id:
        return []
    wanted = {
        address.strip().lower()
        for address in (application.contact_email, application.applicant.email)
        if address and address.strip()
    }
    verified = {
        address.lower()
        for address in EmailAddress.objects.filter(
            user_id=application.applicant_id, verified=True
        ).values_list("email", flat=True)
    }
    return sorted(wanted & verified)


def _email_applicant(application, kind, note=""):
    _send(
        to=applicant_addresses(application),
        kind=kind,
        application=application,
        language=application.language,
        note=note,
    )


def reviewer_addresses():
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(is_active=True, is_staff=True)
            .filter(Q(groups__name=MEMBERSHIP_REVIEWERS) | Q(is_superuser=True))
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _email_reviewers(application):
    for address in reviewer_addresses():
        # Reviewers read the portal's source language.
        _send(to=address, kind="reviewer_notice", application=application, language="en")


# Transitions --------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, application, actor):
    """The applicant sends a complete draft to the reviewers."""
    locked = _transition(
        application, action=_("submit"), to=Status.SUBMITTED, allowed=(Status.DRAFT,)
    )
    if locked is None:
        return application
    missing = missing_fields(locked)
    if missing:
        raise IncompleteApplication(missing)
    locked.submitted_at = timezone.now()
    _move(locked, to=Status.SUBMITTED, actor=actor, extra_fields=["submitted_at"])
    _email_applicant(locked, "submitted")
    _email_reviewers(locked)
    return locked


@transaction.atomic
def application_start_review(*, application, actor):
    locked = _transition(
        application,
        action=_("start reviewing"),
        to=Status.UNDER_REVIEW,
        allowed=(Status.SUBMITTED,),
    )
    if locked is None:
        return application
    _move(locked, to=Status.UNDER_REVIEW, actor=actor)
    return locked


@transaction.atomic
def application_request_information(*, application, actor, message):
    """A reviewer asks the applicant for more; the message goes to them by e-mail."""
    if not (message or "").strip():
        raise ValueError(gettext("Write what you need to know."))
    locked = _transition(
        application,
        action=_("request information on"),
        to=Status.INFORMATION_REQUESTED,
        allowed=(Status.SUBMITTED, Status.UNDER_REVIEW),
    )
    if locked is None:
        return application
    _move(locked, to=Status.INFORMATION_REQUESTED, actor=actor, note=message.strip())
    _email_applicant(locked, "information_requested", note=message.strip())
    return locked


@transaction.atomic
def application_answer(*, application, actor, answer):
    """The applicant answers a request for information; the application goes back to the
    reviewers."""
    if not (answer or "").strip():
        raise ValueError(gettext("Write your answer."))
    locked = _transition(
        application,
        action=_("answer"),
        to=Status.SUBMITTED,
        allowed=(Status.INFORMATION_REQUESTED,),
    )
    if locked is None:
        return application
    _move(locked, to=Status.SUBMITTED, actor=actor, note=answer.strip())
    _email_reviewers(locked)
    return locked


def _unique_slug(name):
    base = slugify(name)[:100] or "member"
    slug, number = base, 2
    while Partner.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def name_key_value(text):
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


def same_name_member(application, *, lock=False):
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
            user=actor,
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
            user=actor,
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


@transaction.atomic
def application_approve(*, application, actor, note="", same_name=None):
    """Approve: the applicant becomes a member, linked to the shared organisation record.
    When an organisation with the same name is already a member through another account,
    nothing changes until the reviewer says (same_name, a SameName) whether it is a
    different organisation or the same one. Approving an approved application again
    changes nothing."""
    locked = _transition(
        application,
        action=_("approve"),
        to=Status.APPROVED,
        allowed=(Status.SUBMITTED, Status.UNDER_REVIEW),
    )
    if locked is None:
        return application
    conflict = same_name_member(locked, lock=True)
    if conflict is not None and same_name not in SameName.values:
        raise SameNameMember(locked, conflict)
    locked.decided_at = timezone.now()
    _move(locked, to=Status.APPROVED, actor=actor, note=note, extra_fields=["decided_at"])
    _record_membership(locked, conflict=conflict, same_name=same_name, actor=actor)
    _email_applicant(locked, "approved", note=note)
    return locked


@transaction.atomic
def application_decline(*, application, actor, note=""):
    locked = _transition(
        application,
        action=_("decline"),
        to=Status.DECLINED,
        allowed=(Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED),
    )
    if locked is None:
        return application
    locked.decided_at = timezone.now()
    _move(locked, to=Status.DECLINED, actor=actor, note=note, extra_fields=["decided_at"])
    _email_applicant(locked, "declined", note=note)
    return locked


@transaction.atomic
def application_withdraw(*, application, actor, note=""):
    """The applicant withdraws a draft or an application not yet decided."""
    locked = _transition(
        application,
        action=_("withdraw"),
        to=Status.WITHDRAWN,
        allowed=(Status.DRAFT, *Application.OPEN_STATUSES),
    )
    if locked is None:
        return application
    _move(locked, to=Status.WITHDRAWN, actor=actor, note=note)
    return locked


# Drafts -------------------------------------------------------------------------------


def _document_name(name):
    """The name the applicant's file had, as one line of visible text: it is shown on
    pages and sent back in the download's Content-Disposition header."""
    unsafe = set(unsafe_characters(name))
    cleaned = " ".join("".join(" " if char in unsafe else char for char in name).split())
    return cleaned[:200] or gettext("Document")


@transaction.atomic
def application_save_draft(*, form, actor, consent_text, language):
    """Save the applicant's form as a draft (new or existing); only drafts can change."""
    application = form.instance
    previous = None
    if application.pk:
        locked = previous = _lock(application)
        if locked.status not in Application.EDITABLE_STATUSES:
            raise TransitionNotAllowed(locked, _("change"))
    else:
        application.applicant = actor
    application.language = language
    application.contact_email = (
        form.cleaned_data.get("focal_email") if application.is_organisation else actor.email
    ) or actor.email
    now = timezone.now()
    commitments = [form.cleaned_data.get(name) for name in COMMITMENTS]
    if all(commitments):
        application.commitments_accepted_at = application.commitments_accepted_at or now
    else:
        application.commitments_accepted_at = None
    if form.cleaned_data.get("consent"):
        if application.consent_given_at is None:
            application.consent_given_at = now
            application.consent_text = str(consent_text)
    else:
        application.consent_given_at = None
        application.consent_text = ""
    upload = form.cleaned_data.get("supporting_document")
    if upload is False:  # the applicant ticked "Clear"
        application.document_name = ""
    elif upload and hasattr(upload, "content_type"):
        application.document_name = _document_name(upload.name)
    application = form.save()
    if previous is not None and previous.supporting_document:
        replaced = previous.supporting_document
        if replaced.name != application.supporting_document.name:
            # A document the applicant replaced or cleared is theirs no longer to keep.
            transaction.on_commit(lambda: replaced.storage.delete(replaced.name))
    if not ApplicationEvent.objects.filter(application=application).exists():
        ApplicationEvent.objects.create(
            application=application, actor=actor, from_status="", to_status=Status.DRAFT
        )
    return application


# Personal data (GDPR) ------------------------------------------------------------------

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


def person_export(*, user):
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
def person_erase(*, user, actor):
    """Erase one person's personal data.

    Applications stay (the review history is the CP AoR's record) but lose every personal
    field, the supporting document and the notes of their events; an organisation's
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
        ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            from_status=application.status,
            to_status=application.status,
            note=gettext("Personal data erased on request."),
        )
    ApplicationEvent.objects.filter(actor=user).update(actor=None)
    Membership.objects.filter(user=user, partner__isnull=True).delete()
    Membership.objects.filter(user=user).update(user=None)
    user.emailaddress_set.all().delete()
    user.first_name = user.last_name = ""
    user.email = ""
    user.username = f"erased-{user.pk}"
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return len(applications)
