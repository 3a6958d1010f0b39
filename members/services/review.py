"""Reviewers among themselves: internal notes the applicant never sees, and who looks
after an application. Neither moves its status; both are in the audit trail."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext

from common import audit

from ..models import Application, ApplicationNote
from ..models.applications import REVIEW


class NotAReviewer(ValueError):
    """Assigning an application to someone who may not review applications."""


@transaction.atomic
def application_note_add(
    *, application: Application, actor: AbstractBaseUser, text: str
) -> ApplicationNote:
    """A note for the other reviewers, kept with the application."""
    text = (text or "").strip()
    if not text:
        raise ValueError(gettext("Write the note."))
    note = ApplicationNote.objects.create(application=application, author=actor, text=text)
    audit.record(actor=actor, obj=application, message="Internal note added")
    return note


@transaction.atomic
def application_assign(
    *, application: Application, actor: AbstractBaseUser, assignee: AbstractBaseUser | None
) -> Application:
    """Give the application to a reviewer (None: to nobody in particular). Assigning it
    to whom it already is changes nothing."""
    if assignee is not None and not (assignee.is_active and assignee.has_perm(REVIEW)):
        raise NotAReviewer(gettext("Only a membership reviewer can look after an application."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.assignee_id == (assignee.pk if assignee else None):
        return locked
    locked.assignee = assignee
    locked.save(update_fields=["assignee", "updated"])
    audit.record(
        actor=actor,
        obj=locked,
        message=f"Assigned to {assignee.get_username()}" if assignee else "Unassigned",
    )
    return locked
