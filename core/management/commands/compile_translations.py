from django.core.management.base import BaseCommand

from devtools.compile_messages import compile_all


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo with polib (same as `python devtools/compile_messages.py`)."

    def handle(self, *args, **options):
        self.stdout.write(f"Compiled {compile_all()} catalogue(s).")
