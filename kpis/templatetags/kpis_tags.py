from django import template
from django.utils.translation import gettext_lazy as _

from core import formats

register = template.Library()

KEY_LABELS = {
    "due": _("Due"), "done": _("Done"), "reached": _("Reached"), "reached_rate": _("Reached (%)"),
    "satisfaction_rate": _("Satisfaction rate (%)"), "earned": _("Earned"), "redeemed": _("Redeemed"),
    "expired": _("Expired"), "sent": _("Sent"), "failed": _("Failed"), "skipped": _("Skipped"),
    "queued": _("Queued"), "reversed": _("Reversed"), "adjusted": _("Adjusted"),
}


@register.simple_tag
def kpi_value(value, kind):
    return formats.figure(value, kind)  # counts without ".00", money as ¥1,234.00, hours in 小时


@register.simple_tag
def kpi_change(value, kind):
    return formats.change(value, kind)  # a rate's change in 个百分点


@register.simple_tag
def kpi_change_class(value, higher_is_better):
    if value is None or value == 0:
        return "kpi-flat"
    good = (value > 0) == bool(higher_is_better)
    return "kpi-good" if good else "kpi-bad"


@register.simple_tag
def kpi_key_label(key):
    return KEY_LABELS.get(key, key)
