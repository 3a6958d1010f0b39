"""Signed links of the alerts' e-mails.

Confirming an alert carries its own expiring token (salted apart from the newsletters'
confirmation, whose list ids an alert's id must never be mistaken for); it names the
subscriber's random token too, so erasing the reader voids it. Leaving an alert reuses
the newsletters' manage token (newsletters.links) with the alert in the path, as a
newsletter's one-click link names its list: the token says whose, the path which one.
"""

from django.core import signing
from django.urls import reverse
from django.utils import translation

from newsletters.links import (
    LinkError,
    absolute,
    manage_token,
    read_expiring,
    read_manage_token,
)

CONFIRM_SALT = "alerts.confirm"
SEARCH, WATCH = "search", "watch"

__all__ = [
    "LinkError",
    "confirm_token",
    "confirm_url",
    "read_confirm_token",
    "read_manage_token",
    "unsubscribe_url",
]


def confirm_token(subscriber, kind, pk):
    payload = {"s": subscriber.pk, "k": subscriber.token, "t": kind, "a": pk}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def read_confirm_token(token):
    """(subscriber id, subscriber token, kind, alert id); LinkError when forged, expired
    or not ours."""
    payload = read_expiring(token, salt=CONFIRM_SALT)
    try:
        kind = str(payload["t"])
        if kind not in (SEARCH, WATCH):
            raise ValueError(kind)
        return int(payload["s"]), str(payload["k"]), kind, int(payload["a"])
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError() from error


def confirm_url(subscriber, kind, pk, language):
    with translation.override(language):
        return absolute(reverse("alerts:confirm", args=[confirm_token(subscriber, kind, pk)]))


def unsubscribe_url(subscriber, kind, pk, language):
    """The alert-only one-click link (List-Unsubscribe, and the page with a button)."""
    with translation.override(language):
        path = reverse("alerts:unsubscribe", args=[manage_token(subscriber), kind, pk])
    return absolute(path)
