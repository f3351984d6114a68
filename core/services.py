from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.models import ExportRecord, JobRun


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


def job_run_started(*, name: str) -> None:
    """Record that a long job has started (its finish is recorded by ``job_run_finished``); a row
    started but not finished means the job stopped midway."""
    JobRun.objects.update_or_create(name=name, defaults={
        "last_started_at": timezone.now(), "last_finished_at": None, "last_result": ""})


def job_run_finished(*, name: str, result: str = "") -> None:
    JobRun.objects.filter(name=name).update(last_finished_at=timezone.now(), runs=F("runs") + 1, last_result=result)


def job_run_failed(*, name: str, error: str) -> None:
    """Record that the job's run failed: ``last_finished_at`` stays empty (the run did not finish) and
    the result says FAILED with the reason, as ``manage.py job_status`` and the admin show it."""
    JobRun.objects.filter(name=name).update(last_finished_at=None, last_result=f"FAILED: {error}"[:2000])


def job_run_unfinished(*, name: str) -> bool:
    """True when the job's last run started and never finished."""
    return JobRun.objects.filter(name=name, last_started_at__isnull=False, last_finished_at__isnull=True).exists()


def job_lock(name: str) -> JobRun:
    """Inside a transaction: lock the job's row so two runs of the same job serialise (PostgreSQL
    ``SELECT … FOR UPDATE``; SQLite serialises writers by itself). Returns the locked row."""
    JobRun.objects.get_or_create(name=name)
    return JobRun.objects.select_for_update().get(name=name)


def export_record(*, user, kind: str, fmt: str, row_count: int, query: str = "") -> ExportRecord:
    """Record one export (who, when, what, filter, rows, format). Call it in the same request that
    builds the file, before the response leaves: no file without its record."""
    return ExportRecord.objects.create(user=user, kind=kind, format=fmt, row_count=row_count, query=query[:2000])


@contextmanager
def job_exclusive(name: str):
    """A PostgreSQL session advisory lock named after the job, for a job that runs outside one
    transaction (a backup): yields True to the one caller holding it and False, at once, to any other
    caller meanwhile; released on exit (and by PostgreSQL if the process dies). SQLite (embedded
    mode, one worker): always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [name])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])
            except DatabaseError:  # the session is gone, and its lock with it: keep the job's own error
                pass
