"""A Redis cache that degrades instead of failing: a Redis outage must not answer 500.

What uses the cache here: the session store (``cached_db``: the database is the record, the
cache a read-through copy), the take-home link's rate limit and the API's throttle. When Redis
cannot be reached, ``DegradingRedisCache``:

- answers reads with a miss (sessions are then read from the database),
- drops writes, and answers counters with 0 (rate limits fail open: a flood is briefly not
  limited, which is better than every page failing),
- logs one warning when Redis goes away and one line when it is back, and for
  ``RETRY_SECONDS`` after a failure does not try Redis at all, so requests do not each wait
  for a connection timeout,
- remembers the keys it failed to write or delete, and deletes them first when Redis is back:
  a session changed or ended during the outage (logout) is not served stale from the cache
  afterwards. (That list lives in the process that missed the write; if that process exits
  during the outage, such a key can be stale until it expires.)

Connections time out after ``SOCKET_TIMEOUT_SECONDS`` and are not retried by the client.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
SOCKET_TIMEOUT_SECONDS = 0.5
MAX_DIRTY_KEYS = 10_000


def _outage_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._errors = _outage_errors()
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic time before which Redis is not tried
        self._down = False
        self._dirty: set[tuple[Any, Any]] = set()  # (key, version) we failed to change

    # -- the breaker ---------------------------------------------------------------------------

    def _call(self, operation, fallback, *, changes=()):
        """Run ``operation()`` against Redis; on an outage, return ``fallback`` and remember
        the keys in ``changes`` as possibly stale."""
        if time.monotonic() < self._down_until:
            self._remember(changes)
            return fallback
        try:
            if self._dirty:
                self._clean()
            result = operation()
        except self._errors as exc:
            self._remember(changes)
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
                first = not self._down
                self._down = True
            if first:
                logger.warning(
                    "cache: Redis unreachable (%s); sessions are read from the database and "
                    "rate limits are not enforced until it is back",
                    exc,
                )
            return fallback
        if self._down:
            with self._lock:
                self._down = False
            logger.info("cache: Redis is reachable again")
        return result

    def _remember(self, changes) -> None:
        if changes and len(self._dirty) < MAX_DIRTY_KEYS:
            with self._lock:
                self._dirty.update(changes)

    def _clean(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        try:
            for key, version in dirty:
                super().delete(key, version=version)
        except BaseException:
            with self._lock:
                self._dirty.update(dirty)
            raise

    # -- the cache API -------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(DegradingRedisCache, self).add(key, value, timeout, version),
            False,
            changes=[(key, version)],
        )

    def get(self, key, default=None, version=None):
        return self._call(
            lambda: super(DegradingRedisCache, self).get(key, default, version), default
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(DegradingRedisCache, self).set(key, value, timeout, version),
            None,
            changes=[(key, version)],
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._call(
            lambda: super(DegradingRedisCache, self).delete(key, version),
            False,
            changes=[(key, version)],
        )

    def get_many(self, keys, version=None):
        return self._call(lambda: super(DegradingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call(lambda: super(DegradingRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be counted reads 0: rate limits fail open.
        return self._call(
            lambda: super(DegradingRedisCache, self).incr(key, delta, version),
            0,
            changes=[(key, version)],
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call(
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version),
            keys,
            changes=[(key, version) for key in keys],
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call(
            lambda: super(DegradingRedisCache, self).delete_many(keys, version),
            None,
            changes=[(key, version) for key in keys],
        )

    def clear(self):
        return self._call(lambda: super(DegradingRedisCache, self).clear(), False)
