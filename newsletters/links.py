"""Signed links in e-mails: confirm (expires), manage and unsubscribe (last while the
subscriber's token does).

Each payload carries the subscriber's random token, so replacing the token (or erasing
the subscriber) voids every link ever sent; the signature stops anyone forging one.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

CONFIRM_SALT = "newsletters.confirm"
MANAGE_SALT = "newsletters.manage"


class LinkError(Exception):
    """A link that is tampered with, expired or no longer valid."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def confirm_token(subscriber, list_ids):
    payload = {"s": subscriber.pk, "k": subscriber.token, "l": sorted(list_ids)}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def read_expiring(token, *, salt):
    """The payload of a confirmation link signed with salt; LinkError when it is forged
    or older than NEWSLETTER_CONFIRM_MAX_AGE."""
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(
            token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise LinkError(expired=True) from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkError() from error


def read_confirm_token(token):
    """(subscriber id, subscriber token, list ids) of a confirmation link."""
    payload = read_expiring(token, salt=CONFIRM_SALT)
    try:
        return int(payload["s"]), str(payload["k"]), [int(pk) for pk in payload["l"]]
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError() from error


def manage_token(subscriber):
    return signing.Signer(salt=MANAGE_SALT).sign(f"{subscriber.pk}.{subscriber.token}")


def read_manage_token(token):
    """(subscriber id, subscriber token) of a preferences or unsubscribe link."""
    try:
        value = signing.Signer(salt=MANAGE_SALT).unsign(token)
        pk, _, secret = value.partition(".")
        return int(pk), secret
    except (signing.BadSignature, ValueError) as error:
        raise LinkError() from error


def absolute(path):
    return settings.SITE_URL + path


def _in_language(language, name, token):
    with translation.override(language):
        return absolute(reverse(name, args=[token]))


def confirm_url(subscriber, list_ids, language):
    return _in_language(language, "newsletters:confirm", confirm_token(subscriber, list_ids))


def manage_url(subscriber, language):
    return _in_language(language, "newsletters:preferences", manage_token(subscriber))


def unsubscribe_url(subscriber, language, newsletter=None):
    """The one-click link; with a newsletter, it leaves that list alone (RFC 8058)."""
    if newsletter is None:
        return _in_language(language, "newsletters:unsubscribe", manage_token(subscriber))
    with translation.override(language):
        path = reverse(
            "newsletters:unsubscribe_list", args=[manage_token(subscriber), newsletter.slug]
        )
    return absolute(path)
