"""The cache backend for REDIS_URL: Redis, and this process's memory while Redis is away.

Nothing a decision rests on lives in the cache (reglab/caches.py), so losing Redis must not
cost a page: the rate limits' counts and the programme version are then kept per process
(in a LocMemCache shared by the process's threads), a warning is logged once, and Redis is
tried again every RETRY_SECONDS; the first call that reaches it again logs that and goes on
with Redis. What that means for each use while Redis is away: a rate limit holds per process
rather than for the whole site, and an edit made on another server shows here within
caches.KEPT_SECONDS instead of at once.

Short socket timeouts (settings) keep a Redis that hangs, rather than refuses, from holding
up more than one request per process every RETRY_SECONDS.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Per process and Redis location: until when (time.monotonic()) Redis is not tried again.
# Django gives each thread its own cache object; they share this.
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


def _where(location: str) -> str:
    # The host and port only: a URL may carry a password.
    parts = urlsplit(location)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


class RedisClientKept(RedisCacheClient):
    """Django's client, with one redis.Redis object per connection pool instead of a new one
    for every call: building one fills a dict of ~170 response callbacks, about a fifth of the
    Python calls of a programme page served from memory (bench/inprocess.py). A redis.Redis
    object may be shared: it takes a connection from its pool for each command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisWithLocalFallback(BaseCache):
    """RedisCache, falling back to a LocMemCache on a connection error (see the module)."""

    def __init__(self, server, params):
        super().__init__(params)
        self._location = server
        # No retries inside redis-py (by default three, with backoff): this class retries.
        options = {"retry": Retry(NoBackoff(), 0), **params.get("OPTIONS", {})}
        self._redis = RedisCache(server, {**params, "OPTIONS": options})
        self._redis._class = RedisClientKept  # the class RedisCache builds its client from
        # Same key prefix and version as Redis; one store per process (LocMemCache keeps its
        # data under its name).
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._local = LocMemCache(f"reglab-redis-fallback:{server}", local)

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= _down_until.get(self._location, 0.0):
            try:
                result = getattr(self._redis, method)(*args, **kwargs)
            except UNREACHABLE as error:
                self._went_away(error)
            else:
                if self._location in _down_until:
                    self._came_back()
                return result
        return getattr(self._local, method)(*args, **kwargs)

    def _went_away(self, error: Exception) -> None:
        with _state_lock:
            first = self._location not in _down_until
            _down_until[self._location] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Redis at %s is unreachable (%s): using this process's memory for the cache "
                "(rate limits per process) and trying Redis again every %s s",
                _where(self._location),
                error,
                RETRY_SECONDS,
            )

    def _came_back(self) -> None:
        with _state_lock:
            back = _down_until.pop(self._location, None) is not None
        if back:
            logger.warning(
                "Redis at %s is reachable again: the cache is shared again", _where(self._location)
            )

    # The cache's operations; everything else BaseCache builds from these.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._local.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self._redis.close(**kwargs)
