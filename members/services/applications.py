"""Every change to an application's state, and what follows from it.

Each transition is one keyword-only function. It locks the row, checks the current state,
returns early when the application is already where the transition leads (so a double
click or a retried task is harmless), refuses any other state with TransitionNotAllowed,
records an ApplicationEvent and queues the e-mails once the transaction has committed.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import audit
from common.validators import unsafe_characters

from ..models import ApplicantKind, Application, ApplicationEvent
from .emails import _email_applicant, _email_reviewers
from .memberships import SameName, SameNameMember, _record_membership, same_name_member

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
            actor=actor,
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
