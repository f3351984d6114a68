"""Fixed-window counters in the shared cache for public pages. They fail closed: when the cache
cannot be reached, ``RateLimitUnavailable`` is raised and the page answers "try later" instead of
letting unlimited traffic through."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)


class RateLimitUnavailable(Exception):
    """The counter store is down: the caller must refuse the request."""


def limiter_cache():
    return caches[getattr(settings, "PUBLIC_RATE_LIMIT_CACHE", "api")]


def _key(scope: str, ident: str) -> str:
    # Mobiles and addresses are not kept in the cache in plain text.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def _call(func, *args):
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - any cache failure means "unavailable"
        log.warning("rate limit store unavailable: %s", type(exc).__name__)
        raise RateLimitUnavailable from exc


def hit(scope: str, ident: str, *, window: int) -> int:
    """Count one more event for ``ident`` in the current window; returns the count including it."""
    cache, key = limiter_cache(), _key(scope, ident)
    if _call(cache.add, key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: this event starts the next one
        _call(cache.add, key, 1, window)
        return 1
    except Exception as exc:  # noqa: BLE001 - any other cache failure means "unavailable"
        log.warning("rate limit store unavailable: %s", type(exc).__name__)
        raise RateLimitUnavailable from exc


def count(scope: str, ident: str) -> int:
    """The current count without adding to it."""
    return int(_call(limiter_cache().get, _key(scope, ident)) or 0)


def claim(scope: str, ident: str, *, window: int) -> bool:
    """True the first time ``ident`` is claimed in ``window`` seconds, False while the claim stands."""
    return bool(_call(limiter_cache().add, _key(scope, ident), 1, window))


def release(scope: str, ident: str) -> None:
    """Give a claim back (the work it guarded failed)."""
    _call(limiter_cache().delete, _key(scope, ident))
