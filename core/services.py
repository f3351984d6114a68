from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import JobRun


def job_run_record(*, name: str, result: str = "") -> JobRun:
    """Record that a scheduled job ran. Safe under concurrency: the row is unique per job and the
    counter is incremented in SQL."""
    now = timezone.now()
    with transaction.atomic():
        run, _created = JobRun.objects.get_or_create(name=name)
        JobRun.objects.filter(pk=run.pk).update(
            runs=F("runs") + 1, last_started_at=now, last_finished_at=timezone.now(), last_result=result
        )
    run.refresh_from_db()
    return run
