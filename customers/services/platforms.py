"""Platforms and their API keys (the admin and the operator commands call these)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from customers.errors import CustomerError
from customers.models import Platform, PlatformAPIKey


def _unique_code(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:40] or "platform"
    code, n = base, 1
    while Platform.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def platform_create(*, name: str, code: str = "", kind: str = Platform.Kind.THIRD_PARTY,
                    key_name: str = "initial key") -> tuple[Platform, str]:
    """Create a platform and its first API key. Returns (platform, plain key): the key is shown once
    and only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise CustomerError(_("Give the platform a name."), field="name", code="required")
    if Platform.objects.filter(name=name).exists():
        raise CustomerError(_("A platform with this name already exists."), field="name", code="duplicate")
    if kind not in Platform.Kind.values:
        raise CustomerError(_("Unknown platform kind."), field="kind", code="invalid_choice")
    code = (code or "").strip() or _unique_code(name)
    if Platform.objects.filter(code=code).exists():
        raise CustomerError(_("A platform with this code already exists."), field="code", code="duplicate")
    platform = Platform.objects.create(name=name, code=code, kind=kind)
    _key, plain = platform_key_create(platform=platform, name=key_name)
    return platform, plain


def platform_key_create(*, platform: Platform, name: str = "", expires_in_days: int | None = None
                        ) -> tuple[PlatformAPIKey, str]:
    """A new key for the platform (for rotation: create the new one, switch, revoke the old)."""
    expiry = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    name = (name or "").strip() or timezone.localtime().strftime("key %Y-%m-%d %H:%M")
    return PlatformAPIKey.objects.create_key(platform=platform, name=name[:50], expiry_date=expiry)


def platform_keys_revoke(*, keys) -> int:
    """Revoke keys (irreversible); requests with them answer 401 at once. Returns how many."""
    return PlatformAPIKey.objects.filter(pk__in=[k.pk for k in keys], revoked=False).update(revoked=True)
