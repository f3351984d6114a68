from celery import shared_task

from core.services import job_run_record


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> None:
    """Proves beat and a worker are alive: bumps the heartbeat row's counter."""
    job_run_record(name="heartbeat", result="ok")
