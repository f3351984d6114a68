from django.core.management.base import BaseCommand, CommandError

from customers.errors import CustomerError
from customers.models import Platform
from customers.services.platforms import platform_create


class Command(BaseCommand):
    help = "Create a platform and print its first API key (shown once; only a hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the platform's name, e.g. 滴滴代驾")
        parser.add_argument("--code", default="", help="short code (letters, digits, -); made from the name if omitted")
        parser.add_argument("--kind", default=Platform.Kind.THIRD_PARTY, choices=Platform.Kind.values)
        parser.add_argument("--key-name", default="initial key")

    def handle(self, *args, name, code, kind, key_name, **options):
        try:
            platform, key = platform_create(name=name, code=code, kind=kind, key_name=key_name)
        except CustomerError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"platform: {platform.name} (code {platform.code}, id {platform.pk})")
        self.stdout.write("API key (store it now; it cannot be shown again):")
        self.stdout.write(key)
