"""Every change to an application's state, and what follows from it.

Each transition is one keyword-only function. It locks the row and returns early when
the application is already where the transition leads (so a double click or a retried
task is harmless); any other state that `Application.transitions` does not list for the
action is refused with TransitionNotAllowed. In the same transaction it records an
ApplicationEvent and, for staff, a line in the audit trail; e-mails are outbox rows of
that transaction, sent after it commits.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common import audit
from common.pagecache import public_pages_changed
from common.validators import unsafe_characters

from ..models import (
    ApplicantKind,
    Application,
    ApplicationAttachment,
    ApplicationEvent,
    MembershipType,
)
from ..models import TransitionNotAllowed as TransitionNotAllowed
from .emails import Notice, _email_applicant, _email_reviewers
from .memberships import SameName, SameNameMember, _record_membership, same_name_member
from .newsletter import _subscribe_to_newsletter

Status = Application.Status
Actor = AbstractBaseUser | None


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
# What the applicant writes, by kind; the rest of an application is the reviewers' or
# the portal's.
ORGANISATION_FIELDS = (
    "org_name",
    "org_acronym",
    "org_type",
    "hq_country",
    "countries",
    "website",
    "cp_work",
    "focal_name",
    "focal_title",
    "focal_email",
    "focal_phone",
    "alternate_name",
    "alternate_title",
    "alternate_email",
    "alternate_phone",
)
INDIVIDUAL_FIELDS = ("person_name", "affiliation", "expertise", "person_country")
COMMON_FIELDS = ("motivation", *COMMITMENTS, "supporting_document")
APPLICANT_FIELDS = {
    ApplicantKind.ORGANISATION: ("membership_type", *ORGANISATION_FIELDS, *COMMON_FIELDS),
    ApplicantKind.INDIVIDUAL: (*INDIVIDUAL_FIELDS, *COMMON_FIELDS),
}


def missing_fields(application: Application) -> list[str]:
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


def _move(application, *, action, actor, note="", extra_fields=()):
    to = Application.transitions.target(action)
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        from_status=application.status,
        to_status=to,
        note=note,
    )
    if actor is not None and actor.is_staff:
        audit.record(
            actor=actor,
            obj=application,
            message=f"Status {application.status} → {to}" + (f": {note}" if note else ""),
        )
    application.status = to
    application.save(update_fields=["status", "updated", *extra_fields])
    return event


def _transition(application, action):
    """Lock and check: the locked row, or None when it already is where `action` leads."""
    locked = _lock(application)
    if Application.transitions.done(locked, action):
        return None
    Application.transitions.check(locked, action)
    return locked


# Transitions --------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, application: Application, actor: Actor) -> Application:
    """The applicant sends a complete draft to the reviewers."""
    locked = _transition(application, "submit")
    if locked is None:
        return application
    missing = missing_fields(locked)
    if missing:
        raise IncompleteApplication(missing)
    locked.submitted_at = timezone.now()
    _move(locked, action="submit", actor=actor, extra_fields=["submitted_at"])
    _email_applicant(locked, Notice.SUBMITTED)
    _email_reviewers(locked)
    return locked


@transaction.atomic
def application_start_review(*, application: Application, actor: Actor) -> Application:
    locked = _transition(application, "start_review")
    if locked is None:
        return application
    _move(locked, action="start_review", actor=actor)
    _email_applicant(locked, Notice.UNDER_REVIEW)
    return locked


@transaction.atomic
def application_request_information(
    *, application: Application, actor: Actor, message: str
) -> Application:
    """A reviewer asks the applicant for more; the message goes to them by e-mail."""
    if not (message or "").strip():
        raise ValueError(gettext("Write what you need to know."))
    locked = _transition(application, "request_information")
    if locked is None:
        return application
    _move(locked, action="request_information", actor=actor, note=message.strip())
    _email_applicant(locked, Notice.INFORMATION_REQUESTED, note=message.strip())
    return locked


@transaction.atomic
def application_answer(
    *,
    application: Application,
    actor: Actor,
    answer: str,
    documents: Sequence[UploadedFile] = (),
) -> Application:
    """The applicant answers a request for information, with documents if they like
    (checked by the caller as the supporting document is: validate_supporting_document);
    the application goes back to the reviewers, who get the answer's text by e-mail."""
    if not (answer or "").strip():
        raise ValueError(gettext("Write your answer."))
    locked = _transition(application, "answer")
    if locked is None:
        return application
    event = _move(locked, action="answer", actor=actor, note=answer.strip())
    for document in documents:
        ApplicationAttachment.objects.create(
            application=locked,
            event=event,
            file=document,
            name=_document_name(document.name),
            uploaded_by=actor,
        )
    _email_reviewers(locked, Notice.ANSWER_RECEIVED, note=answer.strip())
    return locked


@transaction.atomic
def application_approve(
    *,
    application: Application,
    actor: Actor,
    note: str = "",
    same_name: SameName | None = None,
) -> Application:
    """Approve: the applicant becomes a member, linked to the shared organisation record.
    When an organisation with the same name is already a member through another account,
    nothing changes until the reviewer says (same_name, a SameName) whether it is a
    different organisation or the same one. Approving an approved application again
    changes nothing."""
    locked = _transition(application, "approve")
    if locked is None:
        return application
    conflict = same_name_member(locked, lock=True)
    if conflict is not None and same_name not in SameName.values:
        raise SameNameMember(locked, conflict)
    locked.decided_at = timezone.now()
    _move(locked, action="approve", actor=actor, note=note, extra_fields=["decided_at"])
    _record_membership(locked, conflict=conflict, same_name=same_name, actor=actor)
    public_pages_changed()  # the directory shows the new member
    _subscribe_to_newsletter(locked, actor=actor)
    _email_applicant(locked, Notice.APPROVED, note=note)
    return locked


@transaction.atomic
def application_decline(*, application: Application, actor: Actor, note: str = "") -> Application:
    locked = _transition(application, "decline")
    if locked is None:
        return application
    locked.decided_at = timezone.now()
    _move(locked, action="decline", actor=actor, note=note, extra_fields=["decided_at"])
    _email_applicant(locked, Notice.DECLINED, note=note)
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, actor: Actor, note: str = "") -> Application:
    """The applicant withdraws a draft or an application not yet decided."""
    locked = _transition(application, "withdraw")
    if locked is None:
        return application
    _move(locked, action="withdraw", actor=actor, note=note)
    if locked.submitted_at is not None:  # a draft nobody saw needs no letter
        _email_applicant(locked, Notice.WITHDRAWN)
    return locked


# Drafts -------------------------------------------------------------------------------


def _document_name(name):
    """The name the applicant's file had, as one line of visible text: it is shown on
    pages and sent back in the download's Content-Disposition header."""
    unsafe = set(unsafe_characters(name))
    cleaned = " ".join("".join(" " if char in unsafe else char for char in name).split())
    return cleaned[:200] or gettext("Document")


@transaction.atomic
def application_save_draft(
    *,
    application: Application | None = None,
    kind: ApplicantKind,
    values: Mapping[str, Any],
    actor: AbstractBaseUser,
    consent_text: str,
    language: str,
    newsletter_consent_text: str = "",
) -> Application:
    """Save what the applicant wrote (a form's cleaned data: field names and values,
    `consent` for the consent box, `newsletter` for the newsletter's) as a draft, new
    when application is None. Only the fields an applicant of that kind writes are
    taken; only drafts can change."""
    kind = ApplicantKind(kind)
    replaced = None
    if application is None:
        application = Application(applicant=actor, applicant_kind=kind)
    else:
        application = _lock(application)
        Application.transitions.check(application, "edit")
        if application.applicant_kind != kind:
            raise ValueError(f"This application is {application.applicant_kind}'s, not {kind}'s.")
        replaced = application.supporting_document.name or None
    fields = [Application._meta.get_field(name) for name in APPLICANT_FIELDS[kind]]
    for field in fields:
        if field.name in values and not field.many_to_many:
            # What a ModelForm's save does: a file field takes False as "clear" and None
            # as "keep the stored file".
            field.save_form_data(application, values[field.name])
    if kind == ApplicantKind.INDIVIDUAL:
        application.membership_type = MembershipType.ASSOCIATE
    application.language = language
    application.contact_email = (
        values.get("focal_email") if application.is_organisation else actor.email
    ) or actor.email
    now = timezone.now()
    if all(values.get(name) for name in COMMITMENTS):
        application.commitments_accepted_at = application.commitments_accepted_at or now
    else:
        application.commitments_accepted_at = None
    if values.get("consent"):
        if application.consent_given_at is None:
            application.consent_given_at = now
            application.consent_text = str(consent_text)
    else:
        application.consent_given_at = None
        application.consent_text = ""
    # The text kept is the one the applicant saw when they first ticked the box.
    if values.get("newsletter"):
        if not application.wants_newsletter:
            application.wants_newsletter = True
            application.newsletter_consent_text = str(newsletter_consent_text)
    else:
        application.wants_newsletter = False
        application.newsletter_consent_text = ""
    upload = values.get("supporting_document")
    if upload is False:  # the applicant ticked "Clear"
        application.document_name = ""
    elif upload and hasattr(upload, "content_type"):
        application.document_name = _document_name(upload.name)
    application.save()
    for field in fields:
        if field.name in values and field.many_to_many:
            field.save_form_data(application, values[field.name])
    if replaced and replaced != application.supporting_document.name:
        # A document the applicant replaced or cleared is theirs no longer to keep.
        storage = application.supporting_document.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    if not ApplicationEvent.objects.filter(application=application).exists():
        ApplicationEvent.objects.create(
            application=application, actor=actor, from_status="", to_status=Status.DRAFT
        )
    return application
