"""Admin pages beside the complaint list: the monthly analysis (and its Excel export), a driver's
complaint history, and the one door to attachment files."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from complaints import selectors
from core.dates import parse_month, previous_month
from core.db_routing import reads_from_replica
from core.models import ExportRecord
from core.services import export_record
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_bytes

BREAKDOWNS = [
    ("by_category", gettext_noop("Category")),
    ("by_grade", gettext_noop("Grade")),
    ("by_channel", gettext_noop("Channel")),
    ("by_cause", gettext_noop("Cause")),
    ("by_responsibility", gettext_noop("Responsibility")),
    ("by_driver", gettext_noop("Driver")),
    ("by_platform", gettext_noop("Platform")),
]


def _month(request) -> tuple[int, int]:
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        return previous_month()


def _require_analysis(request):
    if not request.user.has_perm("complaints.view_analysis"):
        raise PermissionDenied


@reads_from_replica
def analysis_view(request):
    """The monthly analysis (by default the previous month, due by the 10th)."""
    _require_analysis(request)
    year, month = _month(request)
    data = selectors.complaint_analysis(year=year, month=month)
    peak = max([row["total"] for row in data["trend"]] + [1])
    for row in data["trend"]:
        row["width"] = round(100 * row["total"] / peak)
    sections = [(gettext(title), data[key]) for key, title in BREAKDOWNS]
    context = {
        **admin.site.each_context(request),
        "title": gettext("Complaint analysis %(year)s-%(month)02d") % {"year": year, "month": month},
        "data": data, "sections": sections, "month_value": f"{year}-{month:02d}",
        "kpi": selectors.complaint_kpi_figures(year=year, month=month),
    }
    return TemplateResponse(request, "admin/complaints/analysis.html", context)


@reads_from_replica
def analysis_export(request):
    """The same analysis as an Excel workbook, one sheet per breakdown (text cells escaped against
    formula injection by core.spreadsheets; every export recorded)."""
    _require_analysis(request)
    year, month = _month(request)
    data = selectors.complaint_analysis(year=year, month=month)
    sheets = [(gettext("Trend"), [
        [gettext("Month"), gettext("Complaints"), gettext("Upheld"), gettext("Closed late")],
        *([row["month"], row["total"], row["upheld"], row["overdue_closed"]] for row in data["trend"]),
    ])]
    for key, title in BREAKDOWNS:
        sheets.append((gettext(title), [
            [gettext(title), gettext("Complaints"), gettext("Upheld"), gettext("Not upheld")],
            *([str(row["key"] or "—"), row["total"], row["upheld"], row["not_upheld"]] for row in data[key]),
        ]))
    sheets.append((gettext("Top drivers"), [
        [gettext("Driver"), gettext("Employee number"), gettext("Upheld complaints")],
        *([row["driver__name"], row["driver__employee_no"], row["upheld"]] for row in data["top_drivers"]),
    ]))
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    export_record(user=request.user, kind=ExportRecord.Kind.COMPLAINT_ANALYSIS, fmt="xlsx",
                  row_count=sum(len(rows) - 1 for _title, rows in sheets), query=request.GET.urlencode())
    response["Content-Disposition"] = f'attachment; filename="complaints-{year}-{month:02d}.xlsx"'
    return response


def driver_history_view(request, driver_id: int):
    """A driver's complaints, actions and yearly service score."""
    from customers.models import Driver

    if not request.user.has_perm("complaints.view_complaint"):
        raise PermissionDenied
    driver = get_object_or_404(Driver, pk=driver_id)
    year = timezone.localdate().year
    score, flagged = selectors.driver_service_score(driver_id=driver.pk, year=year)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Complaint history of %(driver)s") % {"driver": driver},
        "driver": driver, "year": year, "score": score, "flagged": flagged,
        "complaints": selectors.driver_complaint_history(driver)[:200],
        "actions": selectors.driver_actions(driver)[:100],
    }
    return TemplateResponse(request, "admin/complaints/driver_history.html", context)


def attachment_download(request, name: str):
    """An attachment's file, for staff who may read complaints only. Always a download under the name
    it was uploaded with, typed by its checked content and sandboxed: an uploaded file never runs as a
    page of this site. (MEDIA_URL is not served at all.)"""
    from complaints.models import Attachment

    if not request.user.has_perm("complaints.view_complaint"):
        raise PermissionDenied
    attachment = get_object_or_404(Attachment, file=name)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.original_name or name.rsplit("/", 1)[-1],
                            content_type=attachment.content_type or "application/octet-stream")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
