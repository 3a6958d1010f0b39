"""The e-mails an application's moves send: to the applicant, at addresses verified on
their account only, in their language; and to the membership reviewers. Each is a row
in the outbox, written in the transaction of the move that causes it."""

from enum import StrEnum

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common import outbox
from common.groups import MEMBERSHIP_REVIEWERS


class Notice(StrEnum):
    """Each e-mail an application's moves send; the value names its template."""

    SUBMITTED = "submitted"
    REVIEWER_NOTICE = "reviewer_notice"
    ANSWER_RECEIVED = "answer_received"
    UNDER_REVIEW = "under_review"
    INFORMATION_REQUESTED = "information_requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


SUBJECTS = {
    Notice.SUBMITTED: _("We have received your CP AoR membership application"),
    Notice.REVIEWER_NOTICE: _("New membership application to review: %(name)s"),
    Notice.ANSWER_RECEIVED: _("The applicant answered: %(name)s"),
    Notice.UNDER_REVIEW: _("Your CP AoR membership application is being reviewed"),
    Notice.INFORMATION_REQUESTED: _("The CP AoR needs more information about your application"),
    Notice.APPROVED: _("Welcome to the CP AoR: your membership is approved"),
    Notice.DECLINED: _("Your CP AoR membership application"),
    Notice.WITHDRAWN: _("Your CP AoR membership application is withdrawn"),
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


def _email_applicant(application, kind: Notice, note=""):
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


def _email_reviewers(application, kind: Notice = Notice.REVIEWER_NOTICE, note=""):
    """The reviewers' notice of a new application, or of an applicant's answer (with its
    text, so they can read it in their mail); to the assigned reviewer alone when there
    is one who can still receive it."""
    addresses = reviewer_addresses()
    assignee = application.assignee
    if assignee is not None and assignee.email in addresses:
        addresses = [assignee.email]
    for address in addresses:
        # Reviewers read the portal's source language.
        _send(to=address, kind=kind, application=application, language="en", note=note)
