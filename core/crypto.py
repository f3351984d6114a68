"""Encryption of sensitive fields (ID numbers) and the HMAC blind index beside them.

Keys come from the environment (``FIELD_ENCRYPTION_KEYS``: Fernet keys, comma-separated, newest
first). Every listed key can decrypt; the first encrypts. To rotate: put a new key first, keep the
old one after it, run ``manage.py rotate_encryption_keys``, then drop the old key.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: sensitive fields cannot be encrypted.")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured key can decrypt this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key (MultiFernet.rotate)."""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed hash for equality lookups and uniqueness on an encrypted column."""
    key = (settings.BLIND_INDEX_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, value.upper().encode(), hashlib.sha256).hexdigest()
