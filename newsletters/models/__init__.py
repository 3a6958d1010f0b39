"""Newsletter lists, their subscribers, the issues editors write and one delivery row per
(issue, subscriber): the outbox the sending engine works through."""

from .bounces import BounceReport
from .issues import SEND, Delivery, Issue, IssueImage, IssueQuerySet, IssueStateError
from .readers import (
    ConsentRecord,
    NewsletterList,
    NewsletterListQuerySet,
    Subscriber,
    Subscription,
    new_token,
)

__all__ = [
    "SEND",
    "BounceReport",
    "ConsentRecord",
    "Delivery",
    "Issue",
    "IssueImage",
    "IssueQuerySet",
    "IssueStateError",
    "NewsletterList",
    "NewsletterListQuerySet",
    "Subscriber",
    "Subscription",
    "new_token",
]
