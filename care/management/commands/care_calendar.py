from django.core.management.base import BaseCommand, CommandError

from care import rules
from care.selectors import care_calendar


class Command(BaseCommand):
    help = "Print the year's care occasions with their dates, one per line: YYYY-MM-DD name"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        if not rules.MIN_LUNAR_YEAR < year < rules.MAX_LUNAR_YEAR:
            raise CommandError(f"year must be between {rules.MIN_LUNAR_YEAR + 1} and {rules.MAX_LUNAR_YEAR - 1}")
        for date, name in care_calendar(year):
            self.stdout.write(f"{date.isoformat()} {name}")
