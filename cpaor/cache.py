"""The cache backend: Django's Redis cache, which a Redis outage degrades instead of breaking.

The cache holds nothing that cannot be lost: per-client form limits (ours and allauth's)
and short-lived health results. When Redis does not answer, a read misses, a write is
dropped, add() reports success (as if the key had been stored and then lost at once) and
incr() finds no key, so every limit lets the request through: the public forms keep
working, each failure is logged as a warning, and nothing becomes a 500. After a failure
the server is left alone for a few seconds, so an unreachable Redis costs one timeout per
process per pause rather than one per cache call. /readyz reads Redis directly and still
reports it down.
"""

import contextlib
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds a process skips a Redis server that failed, before trying it again.
PAUSE_SECONDS = 5.0

_down_until = {}  # servers -> monotonic time until which they are skipped
_lock = threading.Lock()


class _Unavailable(Exception):
    pass


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._name = ",".join(servers)

    def _call(self, operation, *args):
        if _down_until.get(self._name, 0) > time.monotonic():
            raise _Unavailable
        try:
            return getattr(super(), operation)(*args)
        except RedisError as exc:
            with _lock:
                already = _down_until.get(self._name, 0) > time.monotonic()
                _down_until[self._name] = time.monotonic() + PAUSE_SECONDS
            if not already:
                logger.warning(
                    "cache: Redis at %s is unavailable (%s); limits let requests through "
                    "for the next %.0f s",
                    self._name,
                    exc,
                    PAUSE_SECONDS,
                )
            raise _Unavailable from exc

    def add(self, key, value, timeout):
        try:
            return self._call("add", key, value, timeout)
        except _Unavailable:
            return True

    def get(self, key, default):
        try:
            return self._call("get", key, default)
        except _Unavailable:
            return default

    def set(self, key, value, timeout):
        with contextlib.suppress(_Unavailable):
            self._call("set", key, value, timeout)

    def touch(self, key, timeout):
        try:
            return self._call("touch", key, timeout)
        except _Unavailable:
            return False

    def delete(self, key):
        try:
            return self._call("delete", key)
        except _Unavailable:
            return False

    def get_many(self, keys):
        try:
            return self._call("get_many", keys)
        except _Unavailable:
            return {}

    def has_key(self, key):
        try:
            return self._call("has_key", key)
        except _Unavailable:
            return False

    def incr(self, key, delta):
        try:
            return self._call("incr", key, delta)
        except _Unavailable:
            raise ValueError("Key not found (the cache is unavailable)") from None

    def set_many(self, data, timeout):
        with contextlib.suppress(_Unavailable):
            self._call("set_many", data, timeout)

    def delete_many(self, keys):
        with contextlib.suppress(_Unavailable):
            self._call("delete_many", keys)

    def clear(self):
        try:
            return self._call("clear")
        except _Unavailable:
            return False


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
