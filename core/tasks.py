from celery import shared_task

from core.services import job_exclusive, job_run_failed, job_run_finished, job_run_record, job_run_started


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> None:
    """Proves beat and a worker are alive: bumps the heartbeat row's counter."""
    job_run_record(name="heartbeat", result="ok")


@shared_task(name="core.tasks.database_backup")
def database_backup() -> str:
    """Nightly backup of the database and uploaded files into BACKUP_DIR (the newest BACKUP_KEEP kept).
    One at a time (an advisory lock: a second delivery running meanwhile does nothing), and a run
    within BACKUP_MIN_INTERVAL_HOURS of the last finished one does nothing (a late or repeated
    delivery of the same night's job). A failure (disk full, target unwritable, pg_dump error) is
    loud: the job's status says FAILED with the reason, the operators get an e-mail, the task fails;
    the previous backups are kept."""
    with job_exclusive("core.database_backup") as mine:
        if not mine:
            return "skipped: another backup is running"
        if _backup_finished_recently():
            return "skipped: a backup finished less than BACKUP_MIN_INTERVAL_HOURS ago"
        return _backup_now()


def _backup_finished_recently() -> bool:
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from core.models import JobRun

    recent = timezone.now() - dt.timedelta(hours=settings.BACKUP_MIN_INTERVAL_HOURS)
    return JobRun.objects.filter(name="backup", last_finished_at__gte=recent).exists()


def _backup_now() -> str:
    from pathlib import Path

    from django.conf import settings

    from core import backup

    job_run_started(name="backup")
    try:
        result = backup.database_backup(directory=Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP,
                                        media_root=Path(settings.MEDIA_ROOT), keys=settings.BACKUP_ENCRYPTION_KEYS)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"
        job_run_failed(name="backup", error=error)
        _tell_ops_the_backup_failed(error)
        raise
    summary = f"{result.path.name} {result.size} bytes"
    job_run_finished(name="backup", result=summary)
    return summary


def _tell_ops_the_backup_failed(error: str) -> None:
    from django.conf import settings
    from django.utils.translation import gettext as _

    from core.notifications import email_ops

    subject = _("[%(company)s CRM] The backup FAILED") % {"company": settings.COMPANY_NAME}
    reason = _("The backup into %(directory)s failed: %(error)s") % {"directory": settings.BACKUP_DIR, "error": error}
    advice = _("The previous backups were kept. Free space or fix the directory, then run “manage.py backup” "
               "(or wait for tonight's job).")
    email_ops(subject, f"{reason}\n\n{advice}")
