from django import template
from django.utils.translation import gettext_lazy as _

from kpis.formatting import figure_change, figure_value

register = template.Library()

KEY_LABELS = {
    "due": _("Due"), "done": _("Done"), "reached": _("Reached"), "reached_rate": _("Reached (%)"),
    "satisfaction_rate": _("Satisfaction rate (%)"), "earned": _("Earned"), "redeemed": _("Redeemed"),
    "expired": _("Expired"), "sent": _("Sent"), "failed": _("Failed"), "skipped": _("Skipped"),
    "queued": _("Queued"), "reversed": _("Reversed"), "adjusted": _("Adjusted"),
}


@register.simple_tag
def kpi_value(value, kind):
    return figure_value(value, kind)


@register.simple_tag
def kpi_change(value, kind):
    return figure_change(value, kind)


@register.simple_tag
def kpi_change_class(value, higher_is_better):
    if value is None or value == 0:
        return "kpi-flat"
    good = (value > 0) == bool(higher_is_better)
    return "kpi-good" if good else "kpi-bad"


@register.simple_tag
def kpi_key_label(key):
    return KEY_LABELS.get(key, key)
