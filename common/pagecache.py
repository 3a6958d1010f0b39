"""What the whole-page cache needs from the apps: a version to move, and forms that need
no cookie.

Anonymous public pages are kept whole in the shared cache (cpaor/pagecache.py), each
entry stamped with the content version it was made under. A service that changes what
a public page shows calls public_pages_changed(); once its transaction commits, the
version moves and every kept page is made again on its next request. One key for all
pages: a change is rare next to the reading, and a missed page costs one render.

A page kept whole is the same bytes for every reader, so it cannot carry a CSRF cookie
or token. The public forms on those pages (newsletter subscription, revealing a contact's
address) are made safe without one by same_origin_post, below.
"""

import functools
import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

VERSION_KEY = "pages:version"


def public_pages_changed() -> None:
    """Forget every kept public page once the current transaction commits (at once
    outside one). Safe to call several times: each call is one cache write."""
    transaction.on_commit(_new_version)


def _new_version():
    # A new random value rather than incr(): nothing to race on, and a version lost with
    # Redis cannot come back equal to one that pages were kept under.
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _is_same_origin(request):
    """The browser says where the form was posted from: Sec-Fetch-Site (every current
    browser), else Origin, else Referer (older ones). A request with none of them is no
    browser's cross-site form, the only attack CSRF is about, and is let through."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    source = request.headers.get("Origin", request.headers.get("Referer"))
    if source is None:
        return True
    if source in ("", "null"):  # an opaque origin: a sandboxed frame, a data: page
        return False
    parts = urlsplit(source)
    origin = f"{parts.scheme}://{parts.netloc}"
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def same_origin_post(view):
    """CSRF protection for a public form shown on cached pages: a POST from another
    site's page is refused (403), one from the portal's own pages goes through without
    a token, so the page showing the form needs no cookie.

    For the forms it guards this is enough: what a forged post could do there is what
    anyone may do from the portal's own page (ask for a newsletter, which sends a
    confirmation and subscribes no one until the link in it is followed; see an address
    the page offers to show), and their own limits (per-address rate, honeypot) stay.
    """

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not _is_same_origin(request):
            logger.warning("pagecache: refused a cross-site POST to %s", request.path)
            # The page any refused CSRF check gets (CSRF_FAILURE_VIEW), status 403.
            failure = import_string(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason="Origin checking failed (a cross-site form).")
        return view(request, *args, **kwargs)

    return wrapper


class PublicPagesAdminMixin:
    """For the ModelAdmins of what public pages show and no service writes (initiatives,
    the strategy, newsletter lists, topics): every save or delete through the admin,
    its inlines and list_editable included, makes the kept pages be made again.

    In the admin rather than in post_save receivers: the admin is where these records
    change, the call is seen where it happens, and the seed and the tests, which write
    thousands of rows, do not move the version at each one."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_pages_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        public_pages_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_pages_changed()
