"""Every change to an application's state, and what follows from it: the membership an
approval gives, the e-mails each move sends, and one person's personal data.

- applications: the transitions (submit … withdraw) and the applicant's draft.
- memberships: what approving gives, and the same-name check before it.
- emails: the applicant's and the reviewers' e-mails.
- personal_data: export or erase one person's data (GDPR).

Callers use this package (`from members import services`); the names below are those
modules' own.
"""

from .applications import (
    COMMITMENTS,
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
from .emails import SUBJECTS, applicant_addresses, reviewer_addresses
from .memberships import SameName, SameNameMember, name_key_value, same_name_member
from .personal_data import PERSONAL_FIELDS, person_erase, person_export

__all__ = [
    "COMMITMENTS",
    "PERSONAL_FIELDS",
    "REQUIRED_FIELDS",
    "SUBJECTS",
    "IncompleteApplication",
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
