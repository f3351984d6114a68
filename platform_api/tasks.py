"""Beat jobs of the platform API (imported by the worker through ``CELERY_IMPORTS``)."""

from celery import shared_task

from core.services import job_run_record
from platform_api.idempotency import idempotency_records_purge


# The task keeps the name it had when the base lived in customers/api/: beat's stored schedule (django-celery-beat)
# and running workers know it by that name.
@shared_task(name="customers.api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Hourly: delete Idempotency-Key records older than API_IDEMPOTENCY_TTL_HOURS."""
    deleted = idempotency_records_purge()
    job_run_record(name="purge_idempotency_keys", result=f"deleted={deleted}")
    return deleted
