from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from customers.models import Platform
from customers.services.platforms import platform_key_create


class Command(BaseCommand):
    help = "Add an API key to a platform (by name or code) and print it once, e.g. to rotate keys."

    def add_arguments(self, parser):
        parser.add_argument("platform", help="the platform's name or code")
        parser.add_argument("--name", default="", help="a label for the key")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, platform, name, expires_in_days, **options):
        found = Platform.objects.filter(Q(name=platform) | Q(code=platform)).first()
        if found is None:
            raise CommandError(f"No platform named {platform!r}; create it with create_platform.")
        key_obj, key = platform_key_create(platform=found, name=name, expires_in_days=expires_in_days)
        self.stdout.write(f"new key {key_obj.prefix}… for {found.name} (code {found.code})")
        self.stdout.write("API key (store it now; it cannot be shown again):")
        self.stdout.write(key)
