"""Anonymous public pages served whole from the shared cache (Redis), with an ETag.

A request is looked up when it could only get the page everyone gets: a GET or HEAD of
a page under a language prefix, with no session or messages cookie (a signed-in reader,
or one with a message waiting, always gets a page made for them). The key is the scheme,
host, path, query string and the encoding the compression middleware would choose for
the client; the entry holds the compressed bytes, so a hit costs one Redis round trip
(the entry and the content version in one MGET), no SQL query and no compression.

A page is kept when its answer is the same for every anonymous reader: 200, HTML, no
cookie set, no Cache-Control of its own (never_cache, a draft's `private`), varying on
nothing but the cookie and the encoding, and the reader was not signed in. It is
stamped with the content version read before it was made, so a change committed while
it was being made is not hidden by it.

Django's UpdateCacheMiddleware/FetchFromCacheMiddleware are not used: they read two keys
per hit (the Vary list, then the page) and know no content version; they key on the
value of every header the page varies on, so readers carrying a csrftoken cookie from the
sign-in page would each fill entries of their own; and they give browsers the same
lifetime as the server's copy, where the portal keeps its copy until the content changes
and lets browsers and proxies keep theirs a minute.

With Redis down the lookups miss and the writes are dropped (cpaor/cache.py): every page
is made for its request, as without this middleware.
"""

import functools
import hashlib
import uuid
from pathlib import Path

from compression_middleware.middleware import compressor
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language_from_path

from common.pagecache import VERSION_KEY

# What a kept page may vary on: the signed-in state (requests with a session cookie
# never reach the cache) and the encoding (part of the key).
_VARY_ALLOWED = {"cookie", "accept-encoding", "accept-language"}
# Query strings longer than this are rendered but not kept: nobody's link is that long,
# and each distinct one would be another entry.
MAX_QUERY = 300


@functools.cache
def build_id():
    """What this process was deployed with: its code, templates, compiled translations
    and static files' manifest (a kept page names the static files by their hash). A
    deploy or a restart after an edit must not answer with the pages of the code before
    it: they are under another build id. Read once per process, a few milliseconds."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    roots = {Path(d) for template in settings.TEMPLATES for d in template.get("DIRS", [])}
    # The portal's own apps (installed packages change only with the lock file, and
    # then with the code that needs them).
    roots |= {Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == base}
    roots |= {Path(path) for path in settings.LOCALE_PATHS}
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo"):
                digest.update(f"{path}:{path.stat().st_mtime_ns}\n".encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]


def _private_cookies():
    return (settings.SESSION_COOKIE_NAME, "messages")


def _lookup_key(request):
    """The key of the page this request would get, or None when it is not the page
    everyone gets."""
    if (
        settings.PAGE_CACHE_SECONDS <= 0
        or request.method not in ("GET", "HEAD")
        or "HTTP_AUTHORIZATION" in request.META
        or any(name in request.COOKIES for name in _private_cookies())
        or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY
        or not get_language_from_path(request.path_info)
    ):
        return None
    encoding = compressor(request.headers.get("Accept-Encoding", ""))[0] or "identity"
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    return f"page:{build_id()}:{encoding}:{digest}"


def _is_kept(request, response):
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Cache-Control")
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= _VARY_ALLOWED:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _public(response):
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_MAX_AGE,
        stale_while_revalidate=settings.PAGE_STALE_SECONDS,
    )


class PageCacheMiddleware:
    """Sits outside the compression middleware (it keeps the compressed bytes) and
    inside those that add per-request headers (request id, CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response
        if settings.PAGE_CACHE_SECONDS > 0:
            build_id()  # as the worker starts, not in its first reader's time

    def __call__(self, request):
        key = _lookup_key(request)
        if key is None:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            # A signed-in reader's page: no shared cache may keep it, and their browser
            # asks again rather than show it after they sign out.
            signed_in = user is not None and user.is_authenticated
            if signed_in and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if entry is not None and version is not None and entry["version"] == version:
            response = HttpResponse(entry["content"], status=200)
            for name, value in entry["headers"]:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return get_conditional_response(request, etag=response["ETag"], response=response)

        response = self.get_response(request)
        if not _is_kept(request, response):
            return response
        if version is None:
            candidate = uuid.uuid4().hex
            # Another process may set it first; its value is then the one to use.
            version = candidate if cache.add(VERSION_KEY, candidate, None) else None
            version = version or cache.get(VERSION_KEY)
        _public(response)
        # Strong: the entry holds one encoding's bytes, and its key names the encoding.
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        if version is not None:
            entry = {
                "version": version,
                "content": response.content,
                "headers": [(k, v) for k, v in response.items() if k != "X-Page-Cache"],
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
        return get_conditional_response(request, etag=response["ETag"], response=response)
