"""How a figure reads on the dashboard and the start pages: counts as whole numbers with thousands
separators (never "1,234.00"), money as ¥1,234.00, rates in %, changes of rates in percentage points."""

from decimal import Decimal

from django.utils.translation import gettext as _


def _number(value) -> str:
    if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
        return f"{int(value):,}"
    return f"{value:,}"


def figure_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value}%"
    if kind == "money":
        return f"¥{Decimal(value):,.2f}"
    if kind == "hours":
        return _("%(n)s h") % {"n": value}
    if kind == "count":
        return f"{int(value):,}"
    return _number(value)


def figure_change(value, kind: str) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    if kind == "count":
        return f"{sign}{int(value):,}"
    if kind == "rate":
        return _("%(n)s pp") % {"n": f"{sign}{value}"}
    if kind == "hours":
        return _("%(n)s h") % {"n": f"{sign}{value}"}
    if kind == "money":
        return f"{sign}¥{Decimal(value):,.2f}"
    return f"{sign}{_number(value)}"
