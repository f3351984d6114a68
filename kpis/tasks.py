"""Thin beat tasks: they pick the month and call the service (idempotent: upsert per month and scope)."""

from celery import shared_task
from django.utils import timezone

from core.dates import previous_month
from core.services import job_run_record
from kpis.rules import month_first_day
from kpis.services import snapshot_compute_month


def _previous_month_day():
    year, month = previous_month(timezone.localdate())
    return month_first_day(year, month)


@shared_task(name="kpis.compute_previous_month")
def compute_previous_month() -> str:
    """1st of the month, 00:30: the previous month's snapshots."""
    result = snapshot_compute_month(month=_previous_month_day())
    summary = f"{result.month:%Y-%m}: {result.snapshots} snapshots" if result.computed else result.reason
    job_run_record(name="kpis.compute_previous_month", result=summary)
    return summary


@shared_task(name="kpis.recompute_previous_month")
def recompute_previous_month() -> str:
    """Days 2–10: recompute the previous month so late ratings count; a frozen month is left alone."""
    result = snapshot_compute_month(month=_previous_month_day())
    summary = f"{result.month:%Y-%m}: {result.snapshots} snapshots" if result.computed else str(result.reason)
    job_run_record(name="kpis.recompute_previous_month", result=summary)
    return summary


@shared_task(name="kpis.compute_running_month")
def compute_running_month() -> str:
    """Daily: the running month to date, with the previous month's same days for the dashboard's
    like-for-like comparison and the supervisors' start pages (this month so far)."""
    result = snapshot_compute_month(month=timezone.localdate().replace(day=1))
    summary = f"{result.month:%Y-%m}: {result.snapshots} snapshots" if result.computed else str(result.reason)
    job_run_record(name="kpis.compute_running_month", result=summary)
    return summary
