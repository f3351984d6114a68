from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import JobRun


class Command(BaseCommand):
    help = "Print when each scheduled job last ran (proves beat and a worker are running)."

    def handle(self, *args, **options):
        rows = list(JobRun.objects.all())
        if not rows:
            self.stdout.write("No scheduled job has run yet.")
        for run in rows:
            when = timezone.localtime(run.last_finished_at).isoformat() if run.last_finished_at else "-"
            self.stdout.write(f"{run.name}\truns={run.runs}\tlast={when}\t{run.last_result}")
