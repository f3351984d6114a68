"""Who may see which personal data of a customer, in one place.

Every door that shows or searches personal data asks here: the admin (changelists, search,
autocomplete, list filters, sorting, history, the customer page), exports, duplicate checks and
their error messages. The rules:

- **Mobiles** are whole only for ``customers.view_full_mobile``. Anyone else sees ``138****8000`` and
  may search a mobile only by the full number (exact match), at most MASKED_MOBILE_SEARCH_LIMIT times
  per MASKED_MOBILE_SEARCH_WINDOW_SECONDS; a partial number finds nothing, and no filter or sort may
  touch a mobile column (each would leak hidden digits a bit at a time).
- **ID numbers and birth dates** are whole only for ``customers.view_sensitive``. Everyone else sees
  the last 4 characters of the ID number and the birthday as month-day (``03-07``), and may not
  filter or sort by either.

A field is a mobile when its name is ``mobile`` or ends in ``_mobile`` (customers, drivers,
complainants); sensitive when it is ``birthday`` or starts with ``id_number``.
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from core.masking import mask_birthday, mask_mobile
from customers.errors import CustomerError
from customers.validators import try_normalise_mobile

log = logging.getLogger(__name__)

FULL_MOBILE_PERM = "customers.view_full_mobile"
SENSITIVE_PERM = "customers.view_sensitive"


class SearchRefused(CustomerError):
    default_code = "search_refused"


# --- who sees what ------------------------------------------------------------------------------
def can_see_full_mobile(user) -> bool:
    return bool(user is not None and user.has_perm(FULL_MOBILE_PERM))


def can_see_sensitive(user) -> bool:
    return bool(user is not None and user.has_perm(SENSITIVE_PERM))


def mobile_for(user, mobile: str | None) -> str:
    """The mobile as this user may see it: whole, or masked."""
    return (mobile or "") if can_see_full_mobile(user) else mask_mobile(mobile)


def birthday_for(user, birthday) -> str:
    """The birthday as this user may see it: the date (``1990-03-07``), or month-day (``03-07``).
    Takes a date or its ISO text (key-field change requests keep ISO text)."""
    if not birthday:
        return ""
    if isinstance(birthday, str):
        try:
            birthday = dt.date.fromisoformat(birthday)
        except ValueError:
            return ""
    return birthday.isoformat() if can_see_sensitive(user) else mask_birthday(birthday)


def is_mobile_field(field) -> bool:
    name = getattr(field, "name", "") or ""
    return not getattr(field, "is_relation", False) and _is_mobile_name(name)


def is_sensitive_field(field) -> bool:
    name = getattr(field, "name", "") or ""
    return not getattr(field, "is_relation", False) and _is_sensitive_name(name)


def lookup_target(model, lookup: str):
    """The model field an ORM path (``customer__mobile__startswith``) ends on, or None."""
    field = None
    for part in lookup.lstrip("-=^@").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # a lookup or transform (startswith, year, …) on the field found so far
        if not field.is_relation or field.related_model is None:
            break
        model = field.related_model
    return field


def _is_mobile_name(name: str) -> bool:
    return name == "mobile" or name.endswith("_mobile")


def _is_sensitive_name(name: str) -> bool:
    return name == "birthday" or name.startswith("id_number")


def hidden_from(user, model, lookup: str) -> bool:
    """True when ``lookup`` reaches a field ``user`` may not see whole: filtering or sorting by it
    would leak what the mask hides. Judged by the names along the path, so a key inside a JSON
    field (``changes__birthday__startswith``) counts as well as a column (``customer__mobile``)."""
    parts = lookup.lstrip("-=^@").split(LOOKUP_SEP)
    if any(_is_mobile_name(p) for p in parts) and not can_see_full_mobile(user):
        return True
    return any(_is_sensitive_name(p) for p in parts) and not can_see_sensitive(user)


# --- searching a mobile without seeing it -------------------------------------------------------
def masked_mobile_search_term(user, term: str) -> str | None:
    """For a user who sees mobiles masked: the normalised mobile when ``term`` is a whole mobile (the
    only mobile search such a user may make), counted against their rate limit; None when ``term`` is
    not a whole mobile (then no mobile column may be searched with it). Raises SearchRefused over
    the limit, and when the limit cannot be checked because the cache is down (fails closed)."""
    mobile = try_normalise_mobile(term or "")
    if mobile is None:
        return None
    _count_mobile_search(user)
    return mobile


def _count_mobile_search(user) -> None:
    limit = settings.MASKED_MOBILE_SEARCH_LIMIT
    window = settings.MASKED_MOBILE_SEARCH_WINDOW_SECONDS
    key = f"masked-mobile-search:{user.pk}:{int(time.time() // window)}"
    cache = caches[settings.MASKED_MOBILE_SEARCH_CACHE]
    try:
        cache.add(key, 0, timeout=window + 60)
        count = cache.incr(key)
    except Exception as exc:  # the cache (Redis) is down or refused: do not search unlimited
        log.warning("mobile search limit unavailable: %s", type(exc).__name__)
        raise SearchRefused(_("Searching by mobile is unavailable right now because its limit cannot be "
                              "checked; try again later."), field="q") from exc
    if count > limit:
        raise SearchRefused(
            _("You have reached the limit of %(limit)s searches by mobile per %(minutes)s minutes for roles "
              "that see mobiles masked; try again later.") % {"limit": limit, "minutes": max(window // 60, 1)},
            field="q",
        )
