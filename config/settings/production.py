"""The settings every process runs with (web, worker, beat, manage.py): base + celery, and the refusals
to start without secrets when DEBUG is off (production). Development is the same module with DEBUG=1
(the .env that `make run` writes), which allows the development defaults."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOW_DEV_SECRET, BLIND_INDEX_KEY, DEBUG, FIELD_ENCRYPTION_KEYS, env
from .celery import *  # noqa: F403
from .rules import *  # noqa: F403

if not DEBUG and not ALLOW_DEV_SECRET:
    if not env.str("SECRET_KEY", default=""):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (production).")
    # The blind index (HMAC of mobiles and ID numbers) must not fall back to SECRET_KEY in production:
    # rotating SECRET_KEY would silently break every lookup, and one leaked key would expose both.
    if not BLIND_INDEX_KEY:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be set when DEBUG is off (production).")
