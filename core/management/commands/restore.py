from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backups_in, database_restore, media_restore


class Command(BaseCommand):
    help = ("Replace the database's contents with a backup made by `manage.py backup` (PostgreSQL: in one "
            "transaction; SQLite: stop the server and workers first). --latest takes the newest in BACKUP_DIR.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the backup file (crm-….dump or crm-….sqlite3, maybe ….enc)")
        parser.add_argument("--latest", action="store_true", help="the newest backup in --dir")
        parser.add_argument("--dir", default=str(settings.BACKUP_DIR), help="for --latest (default BACKUP_DIR)")
        parser.add_argument("--database-url", help="restore into this database instead (e.g. a scratch copy)")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files as they are")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, latest, dir, database_url, no_media, yes, **options):
        if latest:
            found = backups_in(Path(dir))
            if not found:
                raise CommandError(f"no backup in {dir}")
            path = found[-1]
        if not path:
            raise CommandError("name a backup file, or use --latest")
        target = database_url or "the configured database"
        if not yes and input(f"Replace everything in {target} with {path}? Type yes: ").strip() != "yes":
            raise CommandError("not restored")
        try:
            database_restore(path=Path(path), database_url=database_url, keys=settings.BACKUP_ENCRYPTION_KEYS)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {path} into {target}")
        if no_media or database_url:
            return
        try:
            restored = media_restore(backup=Path(path), media_root=Path(settings.MEDIA_ROOT),
                                     keys=settings.BACKUP_ENCRYPTION_KEYS)
        except BackupError as exc:
            raise CommandError(f"database restored, uploaded files not: {exc}") from exc
        if restored:
            self.stdout.write(f"uploaded files restored into {settings.MEDIA_ROOT}")
