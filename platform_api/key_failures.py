"""Failed API-key attempts, limited per client address.

Someone probing for keys (or a platform stuck on a revoked key) sends a stream of bad
``Authorization: Api-Key …`` headers. Each failure adds one to a counter of the client's address for
the current fixed window (``API_KEY_FAILURE_RATE``, default ``20/min``); once the counter has reached
the limit, every request with an ``Api-Key`` header from that address is answered **429** with
``Retry-After`` (the seconds to the next window) *before* its key is looked up, valid or not, so a
blocked address can neither guess on nor make the database check keys for it.

The counters live in the API's cache (``API_THROTTLE_CACHE``: Redis when ``REDIS_URL`` is set, shared
by every web worker). A request with a good key reads the counter (one Redis ``GET``) and writes
nothing. **If the cache is down the check fails open** (the request is authenticated as usual, with a
warning in the log): a key's secret is 32 random characters checked against a SHA-512 hash, so the
limit is a brake on noise and load rather than the thing that keeps keys secret, and failing closed
would turn a Redis outage into an outage of every platform (the same choice as the per-platform rate
limits).

The client's address is ``REMOTE_ADDR`` or, behind ``TRUSTED_PROXY_COUNT`` reverse proxies, the
address the last trusted proxy saw (the N-th entry of X-Forwarded-For from the right); what a client
writes into X-Forwarded-For itself is never trusted.
"""

import logging
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.http import client_ip
from core.redis_client import redis_for

log = logging.getLogger(__name__)

_PREFIX = "apikeyfail"


def client_address(request) -> str:
    """The client's address as the trusted proxies saw it (core.http.client_ip, shared with the admin
    lockout and the public form)."""
    return client_ip(request)


def _rate() -> tuple[int, int]:
    return SimpleRateThrottle.parse_rate(None, getattr(settings, "API_KEY_FAILURE_RATE", "20/min"))


def _window(address: str, duration: int, now: float) -> str:
    return f"{_PREFIX}:{address}:{int(now // duration)}"


def _retry_after(duration: int, now: float) -> int:
    return max(1, int(duration - now % duration + 0.999))


def blocked_for(address: str) -> int | None:
    """Seconds until ``address`` may try keys again, or None when it is not blocked (or the cache
    cannot say: fail open, see the module docstring)."""
    limit, duration = _rate()
    now = time.time()
    key = _window(address, duration, now)
    try:
        cache, client = redis_for(settings.API_THROTTLE_CACHE)
        count = client.get(cache.make_and_validate_key(key)) if client is not None else cache.get(key)
    except Exception:  # noqa: BLE001 - cache down: fail open, loudly
        log.warning("API key failure counter unavailable; check skipped", exc_info=True)
        return None
    if count is not None and int(count) >= limit:
        return _retry_after(duration, now)
    return None


def failure_record(address: str) -> None:
    """Count one failed attempt of ``address`` (the next attempt is refused once the count has reached
    the limit: ``blocked_for``)."""
    _limit, duration = _rate()
    now = time.time()
    key = _window(address, duration, now)
    try:
        cache, client = redis_for(settings.API_THROTTLE_CACHE)
        if client is not None:
            full = cache.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.set(full, 0, ex=duration + 1, nx=True)
            pipe.incr(full)
            count = pipe.execute()[1]
        elif cache.add(key, 1, timeout=duration + 1):
            count = 1
        else:
            count = cache.incr(key)
    except Exception:  # noqa: BLE001 - cache down: fail open, loudly
        log.warning("API key failure counter unavailable; failure not counted", exc_info=True)
        return
    log.info("failed API key attempt from %s (%s in this window)", address, count)


def failure_counter_reset(address: str) -> None:
    """Forget the current window's failures of ``address`` (an operator unblocking a platform that
    fixed its key; tests)."""
    _limit, duration = _rate()
    try:
        from django.core.cache import caches

        caches[settings.API_THROTTLE_CACHE].delete(_window(address, duration, time.time()))
    except Exception:  # noqa: BLE001 - nothing to forget when the cache is down
        log.warning("API key failure counter unavailable; not reset", exc_info=True)
