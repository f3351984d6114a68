"""What `make run` does before it starts the processes, in one Django start-up instead of three:
``migrate``, ``setup_roles``, ``ensure_admin`` (each still runs on its own as before)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database, create the staff roles and the administrator (what `make run` needs)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, stdout=self.stdout, stderr=self.stderr)
        call_command("setup_roles", stdout=self.stdout, stderr=self.stderr)
        call_command("ensure_admin", stdout=self.stdout, stderr=self.stderr)
