"""Numbers as Chinese staff read them, in one place: counts without ".00" and with thousands
separators (1,234), money as ¥1,234.00, rates as 12.5%, changes of a rate in 个百分点, durations in
小时. Used by the dashboard's tags and the template filters in core.templatetags.formats."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def count(value) -> str:
    """1234 / Decimal("1234.00") → "1,234"; a fraction keeps its digits (2.5 → "2.5")."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def money(value) -> str:
    """Decimal("1234.5") → "¥1,234.50"; a negative amount → "-¥1,234.50"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(number):,.2f}"


def rate(value) -> str:
    number = _decimal(value)
    return EMPTY if number is None else f"{count(number)}%"


def hours(value) -> str:
    number = _decimal(value)
    return EMPTY if number is None else _("%(value)s hours") % {"value": count(number)}


def signed(text: str, value) -> str:
    number = _decimal(value)
    return f"+{text}" if number is not None and number > 0 else text


def figure(value, kind: str) -> str:
    """A figure of the given kind: "rate", "money", "hours", "count" or "number"."""
    return {"rate": rate, "money": money, "hours": hours}.get(kind, count)(value)


def change(value, kind: str) -> str:
    """A change between two figures, signed: "+1.5个百分点", "-¥20.00", "+3", "-2小时"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if kind == "rate":
        return signed(_("%(value)s percentage points") % {"value": count(number)}, number)
    return signed(figure(number, kind), number)


def countdown(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """“3 h 20 min left” or “overdue 1 d 2 h”, for lists and the page."""
    if due is None:
        return "—"
    now = now or timezone.now()
    delta = due - now
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = (gettext("%(d)s d %(h)s h") % {"d": days, "h": hours} if days
            else gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes})
    return gettext("%(t)s left") % {"t": text} if delta.total_seconds() >= 0 else gettext("overdue %(t)s") % {"t": text}
