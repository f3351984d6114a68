"""The monthly complaint analysis sign-off (000; 001 篇5: 每月十日前汇总上月份结案的案件): last month's
closed cases grouped by category and by cause (the cause list), a sign-off record with findings and
improvement actions, a reminder on the 5th and a late flag after the 10th. Kept apart from
``complaints.services`` (the complaint workflow): it reads complaints, it never changes one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ComplaintError, NotAllowed
from complaints.models import AnalysisMonth, Complaint
from core.dates import month_bounds, previous_month
from core.notifications import email_staff_after_commit
from core.services import job_run_record

PERM = "complaints.sign_off_analysis"


# --- reads ---------------------------------------------------------------------------------------
def closed_cases_analysis(year: int, month: int) -> dict:
    """The month's closed complaints counted by category and by cause (one grouped query each); a
    complaint without a cause from the list counts as "not categorised"."""
    start, end = month_bounds(year, month)
    closed = Complaint.objects.filter(closed_at__gte=start, closed_at__lt=end)

    def by(field: str) -> list[dict]:
        rows = closed.values(field).annotate(total=Count("id")).order_by("-total", field)
        return [{"key": r[field] or _("Not categorised"), "total": r["total"]} for r in rows]

    return {"total": closed.count(), "by_category": by("category__name"), "by_cause": by("cause_category__name")}


def sign_off_staff() -> QuerySet:
    """Active staff who may sign off the analysis (by group or own permission; superusers aside)."""
    app, codename = PERM.split(".")
    has = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app)
    return get_user_model().objects.filter(has, is_active=True).distinct()


# --- writes --------------------------------------------------------------------------------------
def analysis_month_get(year: int, month: int) -> AnalysisMonth:
    return AnalysisMonth.objects.get_or_create(month=dt.date(year, month, 1))[0]


@transaction.atomic
def analysis_sign_off(*, analysis: AnalysisMonth, actor, findings: str) -> AnalysisMonth:
    """Sign off a month: the findings are required; a month is signed off once. Who and when are kept."""
    if not actor.has_perm(PERM):
        raise NotAllowed(_("You are not allowed to sign off the complaint analysis."))
    if not (findings or "").strip():
        raise ComplaintError(_("Write the findings before signing off."), field="findings", code="required")
    analysis = AnalysisMonth.objects.select_for_update().get(pk=analysis.pk)
    if analysis.signed_off_at:
        raise ComplaintError(_("This month is already signed off."), code="signed_off")
    if analysis.month >= timezone.localdate().replace(day=1):
        raise ComplaintError(_("A month is analysed once it is over."), field="month")
    analysis.findings, analysis.signed_off_by, analysis.signed_off_at = findings.strip(), actor, timezone.now()
    analysis.save()
    return analysis


def _last_month_locked(today: dt.date) -> AnalysisMonth:
    year, month = previous_month(today)
    analysis_month_get(year, month)
    return AnalysisMonth.objects.select_for_update().get(month=dt.date(year, month, 1))


def _link(analysis: AnalysisMonth) -> str:
    return reverse("admin:complaints_analysismonth_change", args=[analysis.pk])


def analysis_reminder_send(*, now=None) -> int:
    """From COMPLAINT_ANALYSIS_REMIND_DAY (the 5th) on: once per month, remind who may sign off that last
    month's analysis is due by COMPLAINT_ANALYSIS_DUE_DAY. Returns 1 when it reminded, else 0."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    if today.day >= settings.COMPLAINT_ANALYSIS_REMIND_DAY:
        with transaction.atomic():
            analysis = _last_month_locked(today)
            if not analysis.signed_off_at and not analysis.reminded_at:
                analysis.reminded_at = now
                analysis.save(update_fields=["reminded_at"])
                email_staff_after_commit(
                    _("Complaint analysis of %(month)s: sign off by the %(day)sth") % {
                        "month": analysis, "day": settings.COMPLAINT_ANALYSIS_DUE_DAY},
                    _("Last month's closed complaints by category and cause, findings and improvement actions: "
                      "%(link)s") % {"link": _link(analysis)}, sign_off_staff())
                sent = 1
    job_run_record(name="complaints.analysis_reminder", result=f"{today}: reminded={sent}")
    return sent


def analysis_overdue_flag(*, now=None) -> int:
    """After COMPLAINT_ANALYSIS_DUE_DAY: last month's analysis not signed off is flagged late, once, and
    who may sign off is told. Returns 1 when it flagged, else 0."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    flagged = 0
    if today.day > settings.COMPLAINT_ANALYSIS_DUE_DAY:
        with transaction.atomic():
            analysis = _last_month_locked(today)
            if not analysis.signed_off_at and not analysis.flagged_late_at:
                analysis.flagged_late_at = now
                analysis.save(update_fields=["flagged_late_at"])
                email_staff_after_commit(
                    _("Complaint analysis of %(month)s is late") % {"month": analysis},
                    _("It was due by the %(day)sth: %(link)s") % {
                        "day": settings.COMPLAINT_ANALYSIS_DUE_DAY, "link": _link(analysis)}, sign_off_staff())
                flagged = 1
    job_run_record(name="complaints.analysis_overdue", result=f"{today}: flagged={flagged}")
    return flagged
