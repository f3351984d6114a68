from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = ("Back up the database (pg_dump, or SQLite's online backup) and the uploaded files into BACKUP_DIR, "
            "keeping the newest BACKUP_KEEP backups. Safe while the system runs.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BACKUP_DIR), help="where to write (default BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=settings.BACKUP_KEEP,
                            help="how many backups to keep (default BACKUP_KEEP)")
        parser.add_argument("--no-media", action="store_true", help="the database only, not the uploaded files")

    def handle(self, *args, dir, keep, no_media, **options):
        try:
            result = database_backup(directory=Path(dir), keep=keep, keys=settings.BACKUP_ENCRYPTION_KEYS,
                                     media_root=None if no_media else Path(settings.MEDIA_ROOT))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        encrypted = ", encrypted" if settings.BACKUP_ENCRYPTION_KEYS else ""
        self.stdout.write(f"backup: {result.path} ({result.size / 1024 / 1024:.1f} MiB{encrypted}, "
                          f"{result.seconds:.1f} s)")
        if result.media:
            self.stdout.write(f"uploaded files: {result.media}")
        for old in result.removed:
            self.stdout.write(f"removed old backup: {old.name}")
