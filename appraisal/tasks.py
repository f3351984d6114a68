"""Thin Celery task: the previous month's appraisals (idempotent, see ``appraisals_compute_month``)."""

from celery import shared_task

from appraisal import services


@shared_task(name="appraisal.compute_previous_month")
def compute_previous_month() -> dict:
    return services.appraisals_compute_previous_month()
