"""Rewrite the README's scheduled-jobs table from CELERY_BEAT_SCHEDULE, or check it (--check)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.beat_table import jobs_table, missing_descriptions, readme_with_table


class Command(BaseCommand):
    help = "Rewrite the scheduled-jobs table in README.md from CELERY_BEAT_SCHEDULE (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit with an error when the README differs.")
        parser.add_argument("--readme", default=str(Path(settings.BASE_DIR) / "README.md"))

    def handle(self, *args, check=False, readme=None, **options):
        if missing := missing_descriptions(settings.CELERY_BEAT_SCHEDULE):
            raise CommandError(f"beat entries without a description: {', '.join(missing)}")
        path = Path(readme)
        text = path.read_text(encoding="utf-8")
        try:
            wanted = readme_with_table(text, jobs_table(settings.CELERY_BEAT_SCHEDULE))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if wanted == text:
            self.stdout.write("README scheduled-jobs table is up to date.")
            return
        if check:
            raise CommandError("README's scheduled-jobs table differs from CELERY_BEAT_SCHEDULE: "
                               "run manage.py beat_table")
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"Rewrote the scheduled-jobs table in {path}.")
