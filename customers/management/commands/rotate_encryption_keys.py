"""Re-encrypt every ID number under the newest key.

Rotation: put the new Fernet key FIRST in FIELD_ENCRYPTION_KEYS (keep the old one after it), run
``python manage.py rotate_encryption_keys``, then remove the old key. Safe to run again."""

from django.core.management.base import BaseCommand

from customers.services import encryption_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored ID number under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        count = encryption_keys_rotate(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} ID numbers under the newest key."))
