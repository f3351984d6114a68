"""What staff and public views share about the request: where a redirect may go, and which address
the request came from behind the trusted proxies."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

log = logging.getLogger(__name__)


def safe_next(request, fallback: str, *, param: str = "next") -> str:
    """The ``next`` target from POST (or GET), if it stays on this site; otherwise ``fallback``.
    Refuses other hosts, other schemes, ``//evil.example`` and backslash tricks (Django's
    ``url_has_allowed_host_and_scheme``, with HTTPS required when the request is secure)."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def redirect_next(request, fallback: str, *, param: str = "next") -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback, param=param))


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address as the trusted proxies saw it. With ``TRUSTED_PROXY_COUNT`` = N > 0, the
    N-th entry of X-Forwarded-For counted from the right (each trusted proxy appends the address it
    received from; whatever the client wrote itself stands further left and is ignored). With 0,
    or when the header is shorter than N (the request did not pass the proxies), REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        log.warning("X-Forwarded-For has %s hops, %s trusted proxies expected: using REMOTE_ADDR",
                    len(hops), count)
        return remote
    return _valid_ip(hops[-count]) or remote


def client_ip_for_axes(request, *args, **kwargs) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the admin lockout counts the same address."""
    return client_ip(request)
