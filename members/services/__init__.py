"""Every change to an application's state, and what follows from it: the membership an
approval gives, the e-mails each move sends, and one person's personal data.

- applications: the transitions (submit … withdraw) and the applicant's draft.
- memberships: what approving gives, and the same-name check before it.
- emails: the applicant's and the reviewers' e-mails.
- personal_data: export or erase one person's data (GDPR).
- review: reviewers' internal notes and assignment.
- renewal: the yearly renewal: reminders, the signed link, renewing and lapsing.
- focal_points: who represents a member: invitations, accepting, leaving, removing.
- entry: the member's own directory entry (description, website, logo, countries).

Conventions: every service is keyword-only and typed; the person acting is `actor` (None
for the system); the application acted on is passed as an instance (views and the admin
hold it; the service locks its row again); values come as values (a form's cleaned
data), never as a form; which state allows which action is `Application.transitions`.
A state change's audit line, history row and e-mails are written in its transaction.

Callers use this package (`from members import services`); the names below are those
modules' own.
"""

from .applications import (
    APPLICANT_FIELDS,
    COMMITMENTS,
    COMMON_FIELDS,
    INDIVIDUAL_FIELDS,
    ORGANISATION_FIELDS,
    REQUIRED_FIELDS,
    IncompleteApplication,
    Status,
    TransitionNotAllowed,
    _document_name,
    application_answer,
    application_approve,
    application_decline,
    application_request_information,
    application_save_draft,
    application_start_review,
    application_submit,
    application_withdraw,
    missing_fields,
)
from .emails import SUBJECTS, Notice, applicant_addresses, reviewer_addresses
from .entry import ENTRY_FIELDS, membership_update_entry
from .focal_points import (
    AddressNotVerified,
    AlreadyFocalPoint,
    FocalPointError,
    InvitationProblem,
    InvitationUsed,
    LastFocalPoint,
    NotAFocalPoint,
    TooManyInvitations,
    focal_point_accept,
    focal_point_invitation_withdraw,
    focal_point_invite,
    focal_point_leave,
    focal_point_remove,
    has_verified,
    invitation_check_open,
    invitation_expires,
    invitation_from_token,
    is_focal_point,
    memberships_of,
    pending_invitations,
)
from .memberships import SameName, SameNameMember, name_key_value, same_name_member
from .personal_data import PERSONAL_FIELDS, person_erase, person_export
from .renewal import (
    RenewalLinkExpired,
    RenewalLinkInvalid,
    RenewalStatus,
    commitment_texts,
    membership_lapse,
    membership_renew,
    memberships_lapse_overdue,
    memberships_send_renewal_reminders,
    renewal_link,
    renewal_link_read,
    renewal_status,
)
from .review import NotAReviewer, application_assign, application_note_add

__all__ = [
    "ENTRY_FIELDS",
    "AddressNotVerified",
    "AlreadyFocalPoint",
    "FocalPointError",
    "InvitationProblem",
    "InvitationUsed",
    "LastFocalPoint",
    "NotAFocalPoint",
    "TooManyInvitations",
    "focal_point_accept",
    "focal_point_invitation_withdraw",
    "focal_point_invite",
    "focal_point_leave",
    "focal_point_remove",
    "has_verified",
    "invitation_check_open",
    "invitation_expires",
    "invitation_from_token",
    "is_focal_point",
    "memberships_of",
    "membership_update_entry",
    "pending_invitations",
    "RenewalLinkExpired",
    "RenewalLinkInvalid",
    "RenewalStatus",
    "commitment_texts",
    "membership_lapse",
    "membership_renew",
    "memberships_lapse_overdue",
    "memberships_send_renewal_reminders",
    "renewal_link",
    "renewal_link_read",
    "renewal_status",
    "NotAReviewer",
    "application_assign",
    "application_note_add",
    "APPLICANT_FIELDS",
    "COMMITMENTS",
    "COMMON_FIELDS",
    "INDIVIDUAL_FIELDS",
    "ORGANISATION_FIELDS",
    "PERSONAL_FIELDS",
    "REQUIRED_FIELDS",
    "SUBJECTS",
    "IncompleteApplication",
    "Notice",
    "SameName",
    "SameNameMember",
    "Status",
    "TransitionNotAllowed",
    "applicant_addresses",
    "application_answer",
    "application_approve",
    "application_decline",
    "application_request_information",
    "application_save_draft",
    "application_start_review",
    "application_submit",
    "application_withdraw",
    "missing_fields",
    "name_key_value",
    "person_erase",
    "person_export",
    "reviewer_addresses",
    "same_name_member",
    # Tested on its own: the one-line name a stored document gets.
    "_document_name",
]
