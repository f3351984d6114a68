from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.dates import parse_month
from kpis.errors import KpiError
from kpis.rules import month_first_day
from kpis.services import snapshot_compute_range


def _month(value: str):
    try:
        return month_first_day(*parse_month(value))
    except ValueError as exc:
        raise CommandError(_("Not a month (YYYY-MM): %(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    help = "Compute (or recompute) the monthly service-quality snapshots: --month 2026-10, or --from/--to."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="one month, YYYY-MM")
        parser.add_argument("--from", dest="first", help="first month of a range, YYYY-MM")
        parser.add_argument("--to", dest="last", help="last month of a range, YYYY-MM")
        parser.add_argument("--force", action="store_true",
                            help="also recompute months already frozen (recorded with --note)")
        parser.add_argument("--note", default="", help="why a frozen month is recomputed")

    def handle(self, *args, month=None, first=None, last=None, force=False, note="", **options):
        if month and (first or last):
            raise CommandError(_("Give either --month or --from/--to, not both."))
        if month:
            first = last = month
        if not (first and last):
            raise CommandError(_("Give --month YYYY-MM, or --from YYYY-MM --to YYYY-MM."))
        if force and not note:
            raise CommandError(_("--force needs --note (the reason is recorded)."))
        try:
            results = snapshot_compute_range(first=_month(first), last=_month(last), force=force,
                                             note=note or "manage.py compute_kpis --force")
        except KpiError as exc:
            raise CommandError(str(exc)) from exc
        for r in results:
            if r.computed:
                self.stdout.write(f"{r.month:%Y-%m}: {r.snapshots} snapshots in {r.seconds:.2f} s")
            else:
                self.stdout.write(f"{r.month:%Y-%m}: skipped ({r.reason})")
