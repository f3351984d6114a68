"""A month's report as rows, written to CSV or Excel (from snapshots only)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import csv_text, xlsx_append
from kpis.selectors import dashboard_data
from kpis.templatetags.kpis_tags import KEY_LABELS

RANKING_COLUMNS = [
    ("label", gettext_lazy("Name")), ("complaints_handled", gettext_lazy("Complaints handled")),
    ("complaints_deadlines_met", gettext_lazy("Complaints within deadlines")),
    ("deadlines_met_rate", gettext_lazy("Deadlines met (%)")),
    ("callbacks_done", gettext_lazy("Callbacks done")),
    ("callback_satisfaction_rate", gettext_lazy("Callback satisfaction (%)")),
    ("owned_reviews_count", gettext_lazy("Reviews of owned customers")),
    ("owned_satisfaction_rate", gettext_lazy("Owned customers' satisfaction (%)")),
    ("orders_completed", gettext_lazy("Orders completed")),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate (%)")),
    ("appraisal_score", gettext_lazy("Appraisal score")),
]


# A figure's unit, and the unit of its change (a rate changes by percentage points).
UNITS = {"rate": (gettext_lazy("%"), gettext_lazy("percentage points")),
         "money": (gettext_lazy("yuan"), gettext_lazy("yuan")),
         "hours": (gettext_lazy("hours"), gettext_lazy("hours"))}


def _cell(value):
    if value is None:
        return ""
    return value


def _key_label(key) -> str:
    from kpis.metrics.loyalty import tier_labels

    return str(KEY_LABELS.get(key) or tier_labels().get(key) or key)  # the dashboard's labels


def _local(moment):
    """An aware time as Asia/Shanghai wall-clock time (a spreadsheet cell holds no time zone)."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def report_rows(data: dict) -> list[list]:
    """Header and figures: company cards with comparisons, JSON breakdowns, then the rankings."""
    snap = data["snapshot"]
    rows: list[list] = [
        [_("Service-quality report"), f"{data['month']:%Y-%m}"],
        [_("Computed at"), _local(snap.computed_at), _("Definition version"), snap.definition_version],
        [],
        [_("Figure"), _("Value"), _("Previous month"), _("Change vs previous month"), _("Same month last year"),
         _("Change vs same month last year"), _("Unit"), _("Unit of change")],
    ]
    for card in data["cards"]:
        unit, change_unit = (str(u) for u in UNITS.get(card["kind"], ("", "")))
        rows.append([str(card["label"]), _cell(card["value"]), _cell(card["previous"]), _cell(card["vs_previous"]),
                     _cell(card["last_year"]), _cell(card["vs_last_year"]), unit, change_unit])
    for title, items in ((_("Complaints by grade"), snap.complaints_by_grade),
                         (_("Complaints by category"), snap.complaints_by_category)):
        rows += [[], [title]]
        rows += [[item["name"], item["count"]] for item in (items or [])]
    for title, values in ((_("Customers per tier"), snap.tiers), (_("Points"), snap.points),
                          (_("Callbacks"), snap.callbacks), (_("Care messages"), snap.care_messages)):
        rows += [[], [title]]
        if values is None:
            rows.append([_("no data")])
        else:
            rows += [[_key_label(k), _cell(v)] for k, v in values.items()]
    for title, items in ((_("Team ranking"), data["teams"]), (_("Agent ranking"), data["agents"])):
        rows += [[], [title], [str(label) for _field, label in RANKING_COLUMNS]]
        rows += [[_cell(getattr(s, field)) for field, _label in RANKING_COLUMNS] for s in items]
    return rows


def month_report_rows(month) -> list[list] | None:
    """The month's report rows, or None when the month has no snapshot."""
    data = dashboard_data(month)
    return None if data is None else report_rows(data)


def report_csv(rows: list[list]) -> str:
    return csv_text(rows)  # escaped against formula injection, with a BOM for Excel


def report_xlsx(rows: list[list], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        xlsx_append(sheet, row)  # numbers stay numbers; text escaped against formula injection
    sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
