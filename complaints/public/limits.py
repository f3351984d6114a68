"""The public pages' limits, by the client address the trusted proxies report (core.http.client_ip)
and by mobile. All fail closed: core.ratelimit raises RateLimitUnavailable when the cache is down."""

from django.conf import settings

from core import ratelimit
from core.http import client_ip

HOUR, DAY = 3600, 86400


def form_attempts(request) -> int:
    return ratelimit.count("complaint-form-ip", client_ip(request))


def form_attempt(request) -> int:
    """Count a POST of the complaint form from this address; returns the count including it."""
    return ratelimit.hit("complaint-form-ip", client_ip(request), window=HOUR)


def address_over_limit(previous_attempts: int) -> bool:
    return previous_attempts >= settings.COMPLAINT_PUBLIC_FORM_PER_HOUR


def needs_challenge(attempts: int) -> bool:
    return attempts >= settings.COMPLAINT_PUBLIC_CAPTCHA_AFTER


def mobile_over_limit(mobile: str) -> bool:
    limit = settings.COMPLAINT_PUBLIC_FORM_PER_MOBILE_PER_DAY
    return ratelimit.hit("complaint-form-mobile", mobile, window=DAY) > limit


def status_lookup_over_limit(request, number: str) -> bool:
    """Lookups per address, and per complaint number (guessing one number's mobile from many addresses)."""
    limit = settings.COMPLAINT_PUBLIC_STATUS_PER_HOUR
    by_address = ratelimit.hit("complaint-status-ip", client_ip(request), window=HOUR)
    by_number = ratelimit.hit("complaint-status-number", number, window=HOUR)
    return by_address > limit or by_number > limit


def status_write_over_limit(request) -> bool:
    """Replies and answers sent from the status page, per address."""
    hits = ratelimit.hit("complaint-status-write", client_ip(request), window=HOUR)
    return hits > settings.COMPLAINT_PUBLIC_STATUS_PER_HOUR
