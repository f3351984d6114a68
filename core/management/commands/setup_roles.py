from django.core.management.base import BaseCommand

from core.roles import sync_roles


class Command(BaseCommand):
    help = "Create the staff roles (groups) and set their permissions from core/roles.py. Idempotent."

    def handle(self, *args, **options):
        sync_roles(stdout=self.stdout)
