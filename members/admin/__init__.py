"""The membership reviewers' queue and the members, one module per part of the admin:
applications (the queue, its actions and the GDPR page), memberships (members and the
"How to get involved" text). Every state change goes through members.services; which
actions the admin offers comes from `Application.transitions`."""

from . import applications, memberships

__all__ = ["applications", "memberships"]
