"""Membership of the CP AoR, one module per aggregate: what membership is made of (base),
applications and their review (applications; review: answers' documents and internal
notes), members (memberships), and where supporting documents are stored (documents).

Every model is imported here, so Django finds them and `members.models.X` keeps working
(migrations name `members.models.private_storage` and `document_upload_to`).
"""

from .applications import (
    Application,
    ApplicationEvent,
    ApplicationQuerySet,
    TransitionNotAllowed,
)
from .base import (
    WEBMAIL_DOMAINS,
    ApplicantKind,
    MembershipTier,
    MembershipType,
    OrganisationType,
    email_domain,
    name_key,
)
from .documents import PrivateFileSystemStorage, document_upload_to, private_storage
from .memberships import (
    FocalPoint,
    FocalPointInvitation,
    Membership,
    MembershipQuerySet,
    RenewalReminder,
)
from .review import ApplicationAttachment, ApplicationNote, attachment_upload_to

__all__ = [
    "WEBMAIL_DOMAINS",
    "ApplicantKind",
    "Application",
    "ApplicationAttachment",
    "ApplicationEvent",
    "ApplicationNote",
    "ApplicationQuerySet",
    "FocalPoint",
    "FocalPointInvitation",
    "Membership",
    "MembershipQuerySet",
    "RenewalReminder",
    "MembershipTier",
    "MembershipType",
    "OrganisationType",
    "PrivateFileSystemStorage",
    "TransitionNotAllowed",
    "attachment_upload_to",
    "document_upload_to",
    "email_domain",
    "name_key",
    "private_storage",
]
