"""The managers' dashboard and its exports. They read snapshots only."""

import datetime as dt

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import parse_month
from core.db_routing import reads_from_replica
from core.models import ExportRecord
from core.services import export_record
from core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from kpis.engagement import campaign_rows, engagement_links, reviews_by_source_rows, survey_rows
from kpis.exports import month_report_rows, report_csv, report_xlsx
from kpis.metrics.loyalty import tier_labels
from kpis.rules import month_first_day
from kpis.selectors import dashboard_data, default_month, snapshot_months
from kpis.templatetags.kpis_tags import KEY_LABELS

PERMISSION = "kpis.view_dashboard"


def _requested_month(request, months: list[dt.date]) -> dt.date | None:
    value = request.GET.get("month")
    if value:
        try:
            return month_first_day(*parse_month(value))
        except ValueError:
            return None
    return default_month(months, today=_today())


def _today() -> dt.date:
    return timezone.localdate()


def _in_order(values: dict | None) -> dict | None:
    """The stored JSON objects do not keep their key order; show them in the order of KEY_LABELS."""
    if values is None:
        return None
    order = list(KEY_LABELS)
    return dict(sorted(values.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@reads_from_replica
def dashboard(request):
    months = snapshot_months()
    month = _requested_month(request, months)
    data = dashboard_data(month) if month else None
    status = 200 if data or not request.GET.get("month") else 404
    context = {
        **admin.site.each_context(request),
        "data": data, "month": month, "months": months, "title": _("Service-quality dashboard"),
        "bad_month": bool(request.GET.get("month")) and data is None,
    }
    if data:
        snap = data["snapshot"]
        context["data_groups"] = [
            (_("Callbacks"), _in_order(snap.callbacks), data["links"].get("callbacks")),
            (_("Points"), _in_order(snap.points), data["links"].get("points")),
            (_("Care messages"), _in_order(snap.care_messages), data["links"].get("care_messages")),
        ]
        links = engagement_links()
        context["engagement"] = {"by_source": reviews_by_source_rows(snap)}
        context["engagement_groups"] = [
            ("surveys", _("Surveys"), survey_rows(snap), links["surveys"]),
            ("campaigns", _("Campaign reach"), campaign_rows(snap), links["campaigns"]),
        ]
        context["rankings"] = [(_("Team ranking"), data["teams"]), (_("Agent ranking"), data["agents"])]
        context["chart_data"] = {
            "trend": data["trend"],
            "complaints_by_category": snap.complaints_by_category or [],
            "complaints_by_grade": snap.complaints_by_grade or [],
            "tiers": snap.tiers or {},
            "tier_labels": tier_labels(),
            "labels": {"complaints": _("Complaints"), "customers": _("Customers")},
        }
    return render(request, "kpis/dashboard.html", context, status=status)


def _export(request, fmt: str):
    months = snapshot_months()
    month = _requested_month(request, months)
    rows = month_report_rows(month) if month else None
    if rows is None:
        raise Http404(_("No figures for that month."))
    if fmt == "xlsx":
        response = HttpResponse(report_xlsx(rows, title=f"{month:%Y-%m}"), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(report_csv(rows), content_type=CSV_CONTENT_TYPE)
    export_record(user=request.user, kind=ExportRecord.Kind.KPIS, fmt=fmt, row_count=len(rows),
                  query=request.GET.urlencode())
    response["Content-Disposition"] = f'attachment; filename="kpis-{month:%Y-%m}.{fmt}"'
    return response


@login_required
@permission_required(PERMISSION, raise_exception=True)
@reads_from_replica
def export_csv(request):
    return _export(request, "csv")


@login_required
@permission_required(PERMISSION, raise_exception=True)
@reads_from_replica
def export_xlsx(request):
    return _export(request, "xlsx")
