from celery import shared_task

from core.services import job_run_record


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> None:
    """Proves beat and a worker are alive: bumps the heartbeat row's counter."""
    job_run_record(name="heartbeat", result="ok")


@shared_task(name="core.tasks.database_backup")
def database_backup() -> str:
    """Nightly backup of the database and uploaded files into BACKUP_DIR (the newest BACKUP_KEEP kept).
    A run within BACKUP_MIN_INTERVAL_HOURS of the last finished one does nothing (a late or repeated
    delivery of the same night's job)."""
    import datetime as dt
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from core import backup
    from core.models import JobRun
    from core.services import job_run_finished, job_run_started

    recent = timezone.now() - dt.timedelta(hours=settings.BACKUP_MIN_INTERVAL_HOURS)
    if JobRun.objects.filter(name="backup", last_finished_at__gte=recent).exists():
        return "skipped: a backup finished less than BACKUP_MIN_INTERVAL_HOURS ago"
    job_run_started(name="backup")
    result = backup.database_backup(directory=Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP,
                                    media_root=Path(settings.MEDIA_ROOT), keys=settings.BACKUP_ENCRYPTION_KEYS)
    summary = f"{result.path.name} {result.size} bytes"
    job_run_finished(name="backup", result=summary)
    return summary
