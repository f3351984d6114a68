"""One redis-py client per Redis-backed Django cache and process, for hot paths.

Django's ``RedisCache`` builds a new ``redis.Redis`` object for every operation: the connection comes
from a pool, but building the object (its table of response callbacks) cost more than the round trip
itself. The platform API's throttle and the order-event queue flag run on every push, so they use this
client instead: the same connection pool, safe to share between threads.
"""

import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

_clients: dict = {}
_lock = threading.Lock()


def redis_for(alias: str):
    """``(cache, client)`` for the cache ``alias`` when it is a Redis cache, else ``(cache, None)``.
    Keys given to the client must go through ``cache.make_and_validate_key`` (prefix and version)."""
    cache = caches[alias]
    if not isinstance(cache, RedisCache):
        return cache, None
    client = _clients.get(alias)
    if client is None:
        with _lock:
            client = _clients.get(alias)
            if client is None:
                client = _clients[alias] = cache._cache.get_client(write=True)
    return cache, client
