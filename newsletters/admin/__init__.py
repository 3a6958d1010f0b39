"""The newsletters' admin: lists, subscribers, and issues (composing in compose.py,
sending and its follow-up in issues.py)."""

from .bounces import BounceReportAdmin  # noqa: F401  (registers it)
from .images import IssueImageAdmin  # noqa: F401  (registers it)
from .issues import IssueAdmin
from .lists import NewsletterListAdmin
from .subscribers import SubscriberAdmin

__all__ = ["IssueAdmin", "NewsletterListAdmin", "SubscriberAdmin"]
