"""Per-client limits on public forms, counted in the shared cache (Redis).

A fixed window per (group, client address): simple, shared by every web process, and
one round trip per request. A limited request gets 429 with a page that says when to
try again, the same for everyone, so the answer never tells whether an e-mail is known.

Without a cache the limits fail open: the request goes through and a warning is logged.
The forms they guard are double opt-in or reviewed by staff, so a Redis outage must not
turn every public form into a server error.
"""

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """ "5/h" -> (5, 3600); "10/15m" -> (10, 900)."""
    count, _, period = rate.partition("/")
    number = period[:-1] or "1"
    return int(count), int(number) * UNITS[period[-1]]


def client_address(request):
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    TRUSTED_PROXY_COUNT proxies (load balancer, ingress) each append to
    X-Forwarded-For; anything to their left was written by the client and is ignored.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(group, key, rate):
    """Count one request; return seconds to wait if over the limit, else 0."""
    limit, window = parse_rate(rate)
    now = int(time.time())
    start = now - now % window
    digest = hashlib.sha256(f"{group}:{key}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{group}:{digest}:{start}"
    try:
        cache.add(cache_key, 0, timeout=window + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window + 5)
            count = 1
    except Exception as exc:  # any cache failure: let the request through
        logger.warning("ratelimit: %s not counted, the cache failed: %r", group, exc)
        return 0
    if count > limit:
        return start + window - now
    return 0


def too_many_requests(request, retry_after):
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request, "429.html", {"retry_after": retry_after, "minutes": minutes}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(group, rate="5/h", methods=("POST",)):
    """Limit a function view to `rate` requests per client address for `methods`.

    group names the counter, so several views can share one limit. The limits can be
    switched off as a whole with RATELIMIT_ENABLED=False (the test suite does, except
    in the tests of the limits themselves).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if settings.RATELIMIT_ENABLED and request.method in methods:
                wait = hit(group, client_address(request), rate)
                if wait:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
