"""Thin Celery task: the daily early-warning run (idempotent, see ``warnings_raise``)."""

from celery import shared_task

from retention import services


@shared_task(name="retention.raise_warnings")
def raise_warnings() -> dict:
    return services.warnings_raise()
