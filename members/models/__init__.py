"""Membership of the CP AoR, one module per aggregate: what membership is made of (base),
applications and their review (applications), members (memberships), and where
supporting documents are stored (documents).

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
from .memberships import Membership, MembershipQuerySet

__all__ = [
    "WEBMAIL_DOMAINS",
    "ApplicantKind",
    "Application",
    "ApplicationEvent",
    "ApplicationQuerySet",
    "Membership",
    "MembershipQuerySet",
    "MembershipTier",
    "MembershipType",
    "OrganisationType",
    "PrivateFileSystemStorage",
    "TransitionNotAllowed",
    "document_upload_to",
    "email_domain",
    "name_key",
    "private_storage",
]
