"""Benchmark: the monthly tier review and the points expiry over 200,000 customers / 1,000,000 orders.

    python bench/loyalty_review.py                      # 200,000 customers, 1,000,000 orders
    python bench/loyalty_review.py --reuse              # keep the data of a previous run
    python bench/loyalty_review.py --customers 20000 --orders 100000

Loads customers and orders with ``seed_demo --scale`` into a dedicated PostgreSQL database
(``--db``, default crm_loyalty_bench, on the server of BENCH_DATABASE_URL or DATABASE_URL), then
bulk-inserts in SQL a points ledger consistent with the orders (one earning per completed order,
pending 7 days), older credits 25–29 months old on every second customer (so the expiry has work),
redemptions on every tenth, and loyalty accounts that hold a tier above what the rules give on a
third of the customers (some already warned once), so the review has upgrades, warnings and
downgrades to write. Then times, on that state:

- ``loyalty.services.monthly_tier_review`` (first run of the month, then the idempotent re-run);
- ``loyalty.services.points_expire`` (first run, then the re-run).

Targets: each under 60 s. Prints seconds, rows written and peak memory (tracemalloc peak of Python
allocations during the job, and the process's peak RSS).
"""

import argparse
import os
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    bench_database_url,
    create_database,
    database_exists,
    peak_memory_mb,
    print_figure,
    setup_django,
    timer,
)


def load_ledger_and_accounts(connection) -> dict:
    from customers.models import Customer, Order
    from loyalty.models import LoyaltyAccount, PointsEntry

    ledger, orders, customers = PointsEntry._meta.db_table, Order._meta.db_table, Customer._meta.db_table
    accounts = LoyaltyAccount._meta.db_table
    counts = {}
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {ledger} (customer_id, kind, points, source, order_id, earned_at, available_at, reason, "
            f"created_at) SELECT customer_id, 'earn', FLOOR(fee)::int, 'order:' || id, id, finished_at, "
            f"finished_at + interval '7 days', '', finished_at FROM {orders} "
            f"WHERE status = 'completed' AND finished_at IS NOT NULL AND fee >= 1 ON CONFLICT (source) DO NOTHING")
        counts["earnings"] = cur.rowcount
        cur.execute(
            f"INSERT INTO {ledger} (customer_id, kind, points, source, earned_at, available_at, reason, created_at) "
            f"SELECT id, 'earn', 50 + (id % 450), 'bench-old:' || id, t, t, '', t FROM ("
            f"  SELECT id, now() - interval '25 months' - (id % 120) * interval '1 day' AS t FROM {customers} "
            f"  WHERE id % 2 = 0) c ON CONFLICT (source) DO NOTHING")
        counts["old_credits"] = cur.rowcount
        cur.execute(
            f"INSERT INTO {ledger} (customer_id, kind, points, source, earned_at, available_at, reason, created_at) "
            f"SELECT id, 'redemption', -40, 'bench-redeem:' || id, t, t, '', t FROM ("
            f"  SELECT id, now() - interval '20 months' AS t FROM {customers} WHERE id % 10 = 0) c "
            f"ON CONFLICT (source) DO NOTHING")
        counts["redemptions"] = cur.rowcount
        cur.execute(
            f"INSERT INTO {accounts} (customer_id, tier, tier_since, missed_reviews, manual_reason, updated_at) "
            f"SELECT id, 1 + (id % 3), now() - interval '6 months', (id / 3) % 2, '', now() FROM {customers} "
            f"WHERE id % 3 = 0 ON CONFLICT (customer_id) DO NOTHING")
        counts["accounts"] = cur.rowcount
        cur.execute(f"ANALYZE {ledger}")
        cur.execute(f"ANALYZE {accounts}")
        cur.execute(f"ANALYZE {orders}")
        cur.execute(f"ANALYZE {customers}")
    return counts


def run_job(label, job, results):
    tracemalloc.start()
    with timer(label, results) as box:
        outcome = job()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print_figure(f"{label}: seconds", box["seconds"], "s", "< 60 s")
    print_figure(f"{label}: Python peak (tracemalloc)", peak / 2**20, "MiB")
    print(f"    {outcome}", flush=True)
    box["outcome"] = outcome
    return box["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_loyalty_bench")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="reuse the bench database (data already loaded)")
    args = parser.parse_args()

    url = bench_database_url(args.db)
    reuse = args.reuse and database_exists(url)
    if not reuse:
        create_database(url)
    # Tasks the jobs enqueue (dedicated-agent batches) stay in this process: timed separately below.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from customers.models import Customer, Order
    from loyalty import services
    from loyalty.models import LoyaltyAccount, PointsEntry, TierChange

    print(f"database: {args.db} (PostgreSQL {connection.cursor().connection.info.server_version})", flush=True)
    if not reuse:
        call_command("migrate", verbosity=0)
        with timer() as box:
            call_command("seed_demo", "--scale", "--customers", str(args.customers), "--orders", str(args.orders),
                         "--seed", str(args.seed))
        print_figure("load customers and orders (seed_demo --scale)", box["seconds"], "s")
    with connection.cursor() as cur:  # a reused database starts the loyalty part afresh
        cur.execute(f"TRUNCATE {PointsEntry._meta.db_table}, {LoyaltyAccount._meta.db_table}, "
                    f"{TierChange._meta.db_table} CASCADE")
    with timer() as box, transaction.atomic():
        counts = load_ledger_and_accounts(connection)
    print_figure("load ledger and accounts (SQL)", box["seconds"], "s")
    print(f"    {counts}", flush=True)
    print_figure("customers", Customer.objects.count())
    print_figure("orders", Order.objects.count())
    print_figure("ledger lines", PointsEntry.objects.count())
    print_figure("loyalty accounts before the review", LoyaltyAccount.objects.count())

    now = timezone.now()
    results: dict = {}
    worst = max(
        run_job("monthly tier review", lambda: services.monthly_tier_review(now=now), results),
        run_job("monthly tier review, re-run", lambda: services.monthly_tier_review(now=now), results),
        run_job("points expiry", lambda: services.points_expire(now=now), results),
        run_job("points expiry, re-run", lambda: services.points_expire(now=now), results),
    )
    # What the review hands to background tasks: dedicated agents for customers who reached gold.
    reached = list(TierChange.objects.filter(reason=TierChange.Reason.REVIEW, changed_at=now, from_tier__lt=2,
                                             to_tier__gte=2).values_list("customer_id", flat=True))
    sample = reached[:2000]
    assigned = {}
    seconds = run_job(f"dedicated agents (background task), {len(sample)} of {len(reached)}",
                      lambda: assigned.setdefault("n", services.dedicated_agents_assign(customer_ids=sample)),
                      results)
    if assigned.get("n"):
        print_figure("dedicated agents: ms per customer assigned", 1000 * seconds / assigned["n"], "ms")
    print_figure("process peak RSS", peak_memory_mb(), "MiB")
    print_figure("slowest job", worst, "s", "< 60 s")
    return 0 if worst < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
