import time

from django.core.management.base import BaseCommand
from django.db import transaction

from customers.models import Customer
from customers.services.order_dates import customer_refresh_order_dates


class Command(BaseCommand):
    help = ("Recompute every customer's first and last completed order and activity mark from their orders "
            "(run once after changing CUSTOMER_ACTIVITY_HIGH_ORDERS). Works in chunks, each its own transaction.")

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=5000, help="customers per transaction (default 5000)")

    def handle(self, *args, chunk, **options):
        started, done, last = time.perf_counter(), 0, 0
        while True:
            ids = list(Customer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            with transaction.atomic():
                customer_refresh_order_dates(customer_ids=ids)
            done, last = done + len(ids), ids[-1]
        self.stdout.write(f"refreshed {done} customers in {time.perf_counter() - started:.1f} s")
