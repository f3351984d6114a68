"""Authentication of the platform API: ``Authorization: Api-Key <key>``.

Keys are ``PlatformAPIKey`` rows (djangorestframework-api-key: stored hashed with SHA-512, shown
once, revocable, optionally expiring, several per platform for rotation). A valid key makes
``request.user`` a ``PlatformPrincipal`` and sets ``request.platform``; staff users logged in to
the admin (session) are authenticated by DRF's ``SessionAuthentication`` after this class, and
``request.platform`` is then ``None``.

Cost per request: one indexed query (key by prefix, with its platform) and one SHA-512. The key's
``last_used_at`` is written at most once per ``API_KEY_TOUCH_SECONDS`` (60 s by default), with a
conditional UPDATE, so a busy platform does not write a row per request. Failed attempts are limited
per client address (``platform_api.key_failures``: one cache read per request).
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.db import fetch_compiled
from customers.models import Platform, PlatformAPIKey
from platform_api import key_failures
from platform_api.key_failures import client_address

KEYWORD = "Api-Key"


class PlatformPrincipal:
    """``request.user`` for a platform: authenticated, never staff, no Django permissions."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, platform: Platform, api_key: PlatformAPIKey):
        self.platform = platform
        self.api_key = api_key
        self.pk = self.id = None
        self.username = f"platform:{platform.code}"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perms, obj=None) -> bool:
        return False

    def __str__(self):
        return self.username


def platform_of(request) -> Platform | None:
    """The platform behind this request, or None (a staff user, or not authenticated)."""
    user = getattr(request, "user", None)
    return getattr(user, "platform", None)


def _touch(api_key: PlatformAPIKey) -> None:
    now = timezone.now()
    interval = timedelta(seconds=getattr(settings, "API_KEY_TOUCH_SECONDS", 60))
    if api_key.last_used_at is None or now - api_key.last_used_at >= interval:
        # Conditional: among concurrent requests only one writes, and never moves it backwards.
        from django.db.models import Q

        PlatformAPIKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - interval),
                                      pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


_PROBE = "\x01probe"


def _key_query(prefix: str):
    return PlatformAPIKey.objects.select_related("platform").filter(prefix=prefix, revoked=False).order_by("pk")[:1]


def _key_with_platform(prefix: str) -> PlatformAPIKey | None:
    """The unrevoked key with this prefix, its platform loaded with it (``select_related``). On
    PostgreSQL the statement is compiled once per process (``core.db``; compiling it was a fifth of a
    single push's CPU) and the instances are built as the ORM builds them."""
    if connection.vendor != "postgresql":
        return next(iter(_key_query(prefix)), None)
    row = fetch_compiled("platform-api-key", _key_query, prefix, probe=_PROBE)
    if row is None:
        return None
    key_fields = [f.attname for f in PlatformAPIKey._meta.concrete_fields]
    api_key = PlatformAPIKey.from_db(connection.alias, key_fields, row[:len(key_fields)])
    api_key.platform = Platform.from_db(connection.alias, [f.attname for f in Platform._meta.concrete_fields],
                                        row[len(key_fields):])
    return api_key


def _valid_key(header: list[bytes]) -> PlatformAPIKey:
    """The key of an ``Api-Key`` header, if valid and its platform active; else AuthenticationFailed."""
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Api-Key <key>”."))
    try:
        key = header[1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise exceptions.AuthenticationFailed() from exc
    prefix, dot, _secret = key.partition(".")
    if not dot or not prefix:
        raise exceptions.AuthenticationFailed()
    api_key = _key_with_platform(prefix)
    if api_key is None or api_key.has_expired or not api_key.is_valid(key):
        raise exceptions.AuthenticationFailed()
    if not api_key.platform.is_active:
        raise exceptions.AuthenticationFailed(_("This platform has been deactivated."))
    return api_key


class PlatformAPIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        address = client_address(request)
        wait = key_failures.blocked_for(address)
        if wait is not None:  # too many bad keys from this address: not even looked up
            raise exceptions.Throttled(wait=wait)
        try:
            api_key = _valid_key(header)
        except exceptions.AuthenticationFailed:
            key_failures.failure_record(address)
            raise
        _touch(api_key)
        principal = PlatformPrincipal(api_key.platform, api_key)
        request.platform = api_key.platform
        request._request.platform = api_key.platform
        return principal, api_key

    def authenticate_header(self, request):
        return KEYWORD


class PlatformAPIKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of the scheme (drf-spectacular finds subclasses on import)."""

    target_class = PlatformAPIKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Api-Key <key> (keys from `manage.py create_platform` / `create_platform_key`)"}
