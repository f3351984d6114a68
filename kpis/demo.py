"""Demo snapshots: the monthly figures of every demo month, computed from the demo data the other apps
seeded (called last by ``seed_demo``). Idempotent: a second run recomputes open months and leaves
frozen ones as they are."""

import random

from django.db.models import Min
from django.utils import timezone

from customers.models import Order
from kpis.rules import add_months
from kpis.services import snapshot_compute_range


def seed(*, rng: random.Random, stdout=None) -> None:
    first = Order.objects.filter(status=Order.Status.COMPLETED).aggregate(first=Min("finished_at"))["first"]
    if first is None:
        if stdout is not None:
            stdout.write("kpis: no completed orders, no snapshots")
        return
    this_month = timezone.localdate().replace(day=1)
    start = max(timezone.localdate(first).replace(day=1), add_months(this_month, -24))
    results = snapshot_compute_range(first=start, last=this_month)
    if stdout is not None:
        done = [r for r in results if r.computed]
        stdout.write(f"kpis: {len(done)} months of snapshots ({start:%Y-%m} … {this_month:%Y-%m}), "
                     f"{sum(r.snapshots for r in done)} snapshots")
