from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

KEY_LABELS = {
    "due": _("Due"), "done": _("Done"), "reached": _("Reached"), "reached_rate": _("Reached (%)"),
    "satisfaction_rate": _("Satisfaction rate (%)"), "earned": _("Earned"), "redeemed": _("Redeemed"),
    "expired": _("Expired"), "sent": _("Sent"), "failed": _("Failed"), "skipped": _("Skipped"),
    "queued": _("Queued"), "reversed": _("Reversed"), "adjusted": _("Adjusted"),
}


@register.simple_tag
def kpi_value(value, kind):
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value}%"
    if kind == "money":
        return f"¥{Decimal(value):,.2f}"
    if kind == "hours":
        return f"{value} h"
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.simple_tag
def kpi_change(value, kind):
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    unit = {"rate": " pp", "hours": " h", "money": ""}.get(kind, "")
    return f"{sign}{value}{unit}"


@register.simple_tag
def kpi_change_class(value, higher_is_better):
    if value is None or value == 0:
        return "kpi-flat"
    good = (value > 0) == bool(higher_is_better)
    return "kpi-good" if good else "kpi-bad"


@register.simple_tag
def kpi_key_label(key):
    return KEY_LABELS.get(key, key)
