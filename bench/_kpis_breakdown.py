"""Where the KPI month's time goes: each metric function of ``kpis.metrics`` timed over one
computation (calls and seconds, summed per function), and the customer figures checked against
their whole-history definition (new customers of M, lifetime value), which the computation reads
from ``Customer.first_order_at`` and an index instead."""

import functools
import importlib
import pkgutil
import time
from collections import defaultdict

WHOLE_HISTORY_SQL = """
SELECT count(*) FILTER (WHERE first_at >= %(start)s) AS new, count(*) AS ever, sum(spend) AS spend
  FROM (SELECT customer_id, min(finished_at) AS first_at, sum(fee) AS spend FROM {order}
         WHERE status = 'completed' AND finished_at < %(end)s GROUP BY customer_id) per_customer
"""


def timed_breakdown(month) -> list[tuple[str, int, float]]:
    """Compute ``month`` once with every metric function timed; [(name, calls, seconds)], slowest first."""
    import kpis.metrics
    from kpis.services import snapshot_compute_month

    spent: dict[str, list] = defaultdict(lambda: [0, 0.0])
    originals = []
    for info in pkgutil.iter_modules(kpis.metrics.__path__):
        module = importlib.import_module(f"kpis.metrics.{info.name}")
        for name, fn in list(vars(module).items()):
            if callable(fn) and getattr(fn, "__module__", "") == module.__name__ and not isinstance(fn, type):
                originals.append((module, name, fn))

                def wrapper(*args, _fn=fn, _key=f"{info.name}.{name}", **kwargs):
                    start = time.perf_counter()
                    try:
                        return _fn(*args, **kwargs)
                    finally:
                        spent[_key][0] += 1
                        spent[_key][1] += time.perf_counter() - start

                setattr(module, name, functools.wraps(fn)(wrapper))
    try:
        snapshot_compute_month(month=month, force=True, note="benchmark breakdown")
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)
    # Nested calls (a metric calling another) count in both: the figures show where, not a sum.
    return sorted(((k, v[0], v[1]) for k, v in spent.items()), key=lambda r: -r[2])


def whole_history_check(period) -> dict:
    """New customers, customers ever and lifetime spend by the whole-history definition."""
    from django.db import connection

    from customers.models import Order

    with connection.cursor() as cur:
        cur.execute(WHOLE_HISTORY_SQL.format(order=Order._meta.db_table), {"start": period.start, "end": period.end})
        new, ever, spend = cur.fetchone()
    return {"new": new, "ever": ever, "spend": spend}
