"""Per-platform rate limits (DRF throttling), answered with 429 and ``Retry-After``.

Rates come from settings (``API_THROTTLE_RATES``, from the environment) and are read on every
request, so ``override_settings`` and a restart with new env values apply. Scopes:

- ``platform``: every request of one platform (all its keys together);
- ``platform_batch``: the batch endpoint, which carries up to 500 orders a call;
- ``staff``: staff users reading through the API.

Each limit is a fixed-window counter (one integer per platform and window; ``Retry-After`` is the
time to the next window). Counters live in the ``API_THROTTLE_CACHE`` cache (Redis when ``REDIS_URL`` is set, so all
gunicorn workers share them). If that cache is unreachable the request is let through: a rate
limiter must not turn a Redis outage into a platform outage.
"""

import logging
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from core.redis_client import redis_for
from platform_api.auth import platform_of

log = logging.getLogger(__name__)


def window_key(base: str, duration: int, now: float | None = None) -> str:
    """The counter of ``base`` for the fixed window (of ``duration`` seconds) that holds ``now``."""
    now = time.time() if now is None else now
    return f"{base}:{int(now // duration)}"


def _count(alias: str, key: str, duration: int) -> int:
    """Add one to the window's counter and return it. On Redis: ``SET NX EX`` + ``INCR`` in one round
    trip (an integer, whatever the rate: DRF's default keeps a list of every request time of the
    window and sends it back and forth on each request). Elsewhere: the cache's add/incr."""
    cache, client = redis_for(alias)
    if client is not None:
        full = cache.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(full, 0, ex=duration + 1, nx=True)
        pipe.incr(full)
        return pipe.execute()[1]
    if cache.add(key, 1, timeout=duration + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between: this request opens the window again
        cache.add(key, 1, timeout=duration + 1)
        return 1


class _SettingsRateThrottle(BaseThrottle):
    """A fixed-window counter per client and scope (rates such as ``1200/min``); ``wait()`` is the
    time to the next window, sent as ``Retry-After``."""

    scope = "platform"
    parse_rate = SimpleRateThrottle.parse_rate

    def __init__(self):
        # Rates and cache are looked up per request (not frozen at import like DRF's defaults).
        self.cache_alias = getattr(settings, "API_THROTTLE_CACHE", "default")
        self.wait_seconds = None

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view):
        raise NotImplementedError

    def allow_request(self, request, view):
        rate = self.get_rate()
        key = self.get_cache_key(request, view)
        if rate is None or key is None:
            return True
        num_requests, duration = self.parse_rate(rate)
        now = time.time()
        try:
            count = _count(self.cache_alias, window_key(key, duration, now), duration)
        except Exception:  # noqa: BLE001 - cache down: let the request through, loudly
            log.warning("API throttle cache unavailable; request let through", exc_info=True)
            return True
        if count <= num_requests:
            return True
        self.wait_seconds = max(1, int(duration - now % duration + 0.999))
        return False

    def wait(self):
        return self.wait_seconds


class PlatformRateThrottle(_SettingsRateThrottle):
    """Counts every request of a platform; staff users by user id under the ``staff`` rate."""

    scope = "platform"

    def get_cache_key(self, request, view):
        platform = platform_of(request)
        if platform is not None:
            return f"throttle_platform_{platform.pk}"
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return f"throttle_staff_{user.pk}"
        return f"throttle_anon_{self.get_ident(request)}"

    def allow_request(self, request, view):
        platform = platform_of(request)
        user = getattr(request, "user", None)
        self.scope = "platform" if platform is not None else (
            "staff" if user is not None and getattr(user, "is_authenticated", False) else "anon"
        )
        return super().allow_request(request, view)


class PlatformBatchRateThrottle(_SettingsRateThrottle):
    """An extra limit for the batch endpoint (each call carries many orders)."""

    scope = "platform_batch"

    def get_cache_key(self, request, view):
        platform = platform_of(request)
        return f"throttle_batch_{platform.pk}" if platform is not None else None
