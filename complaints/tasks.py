from celery import shared_task

from complaints.services import deadlines_process


@shared_task(name="complaints.process_deadlines")
def process_deadlines() -> dict:
    """Hourly: escalate and flag complaints past their deadlines (idempotent, bounded batches)."""
    return deadlines_process()
