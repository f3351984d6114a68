"""Per-platform rate limits (DRF throttling), answered with 429 and ``Retry-After``.

Rates come from settings (``API_THROTTLE_RATES``, from the environment) and are read on every
request, so ``override_settings`` and a restart with new env values apply. Scopes:

- ``platform``: every request of one platform (all its keys together);
- ``platform_batch``: the batch endpoint, which carries up to 500 orders a call;
- ``staff``: staff users reading through the API.

Counters live in the ``API_THROTTLE_CACHE`` cache (Redis when ``REDIS_URL`` is set, so all
gunicorn workers share them). If that cache is unreachable the request is let through: a rate
limiter must not turn a Redis outage into a platform outage.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from customers.api.auth import platform_of

log = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    scope = "platform"

    def __init__(self):
        # Rates and cache are looked up per request (not frozen at import like DRF's defaults).
        self.cache = caches[getattr(settings, "API_THROTTLE_CACHE", "default")]
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - cache down: let the request through, loudly
            log.warning("API throttle cache unavailable; request let through", exc_info=True)
            return True


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
        scope = "platform" if platform is not None else (
            "staff" if user is not None and getattr(user, "is_authenticated", False) else "anon"
        )
        if scope != self.scope:
            self.scope = scope
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class PlatformBatchRateThrottle(_SettingsRateThrottle):
    """An extra limit for the batch endpoint (each call carries many orders)."""

    scope = "platform_batch"

    def get_cache_key(self, request, view):
        platform = platform_of(request)
        return f"throttle_batch_{platform.pk}" if platform is not None else None
