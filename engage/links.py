"""Signed public links (``django.core.signing``): the token carries the row's id, is signed with a
salt per kind of link (a survey token does not open an RSVP page) and stamped, so a link older than
``ENGAGE_LINK_MAX_AGE_DAYS`` is refused even if the row's own expiry was later extended."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SURVEY = "survey"
RSVP = "rsvp"


def token_make(kind: str, pk: int) -> str:
    return signing.dumps(pk, salt=f"engage.{kind}", compress=True)


def token_read(kind: str, token: str) -> int | None:
    """The id in a valid, unexpired token of ``kind``; None for anything else."""
    try:
        value = signing.loads(token, salt=f"engage.{kind}", max_age=settings.ENGAGE_LINK_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return value if isinstance(value, int) else None


def public_url(path: str) -> str:
    """An absolute address for a message (SMS needs the whole link)."""
    return settings.ENGAGE_PUBLIC_BASE_URL.rstrip("/") + path
