"""Benchmark: the dormancy sweep against the bare UPDATE it amounts to, and the phone search plan.

    python bench/customers_sweep.py                       # 200,000 customers, 1,000,000 orders
    python bench/customers_sweep.py --reuse               # keep the data of a previous run
    python bench/customers_sweep.py --customers 20000 --orders 100000 --rounds 5

Loads data with ``seed_demo --scale`` into a dedicated PostgreSQL database (``--db``, default
crm_bench_customers, on the server of BENCH_DATABASE_URL or DATABASE_URL), then, in this one process
and on the same data state, times ``customers.services.dormancy_sweep`` and the bare
``UPDATE … WHERE status='active' AND last order before the cutoff`` it amounts to. Every timed run is
rolled back and the table vacuumed, so each run sees the same rows. Targets: sweep < 10 s and
≤ 1.5 × the bare UPDATE. Then EXPLAINs ``Customer.objects.filter(mobile=…)`` and says whether the
plan uses an index.
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    backend_cpu_seconds,
    bench_database_url,
    create_database,
    database_exists,
    median,
    peak_memory_mb,
    print_figure,
    setup_django,
    timer,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_bench_customers")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="reuse the bench database if it has data")
    args = parser.parse_args()

    url = bench_database_url(args.db)
    reuse = args.reuse and database_exists(url)
    if not reuse:
        create_database(url)
    setup_django(url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from customers.models import Customer, Order, OwnershipChange
    from customers.services import dormancy_sweep
    from customers.validators import try_normalise_mobile

    print(f"database: {args.db} (PostgreSQL {connection.cursor().connection.info.server_version})")
    call_command("migrate", verbosity=0)  # a reused database gets the migrations added since
    if not reuse or not Customer.objects.exists():
        results = {}
        with timer("seed", results):
            call_command("seed_demo", scale=True, customers=args.customers, orders=args.orders, seed=args.seed,
                         verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        print_figure("seed_demo --scale", results["seed"][0], "s")
        print_figure("peak memory while seeding", peak_memory_mb(), "MiB")
    customers, orders = Customer.objects.count(), Order.objects.count()
    print_figure("customers", customers)
    print_figure("orders", orders)

    table = connection.ops.quote_name(Customer._meta.db_table)

    def vacuum():
        with connection.cursor() as cursor:
            for model in (Customer, OwnershipChange):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    now = timezone.now()
    cutoff = now - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS)
    # The statement the sweep amounts to: every due customer becomes dormant and leaves its owner.
    bare_sql = (
        f"UPDATE {table} SET status = 'dormant', status_reason = %s, owner_id = NULL, owner_since = NULL, "  # noqa: S608
        "updated_at = %s WHERE status = 'active' "
        "AND (last_order_at < %s OR (last_order_at IS NULL AND created_at < %s))"
    )

    def run_bare():
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, ["No completed order for 90 days", now, cutoff, cutoff])
            return {"dormant": cursor.rowcount}

    def run_sweep():
        return dormancy_sweep(now=now)

    def once(fn):
        with transaction.atomic():
            cpu_before = backend_cpu_seconds(connection)
            with timer() as box:
                outcome = fn()
            cpu_after = backend_cpu_seconds(connection)
            transaction.set_rollback(True)  # restore the same data state for the next run
        vacuum()
        cpu = None if cpu_before is None else cpu_after - cpu_before
        return box["seconds"], cpu, outcome

    vacuum()
    once(run_bare)  # warm the cache; not counted
    timings = {"bare": [], "sweep": []}
    cpu = {"bare": [], "sweep": []}
    outcomes = {}
    for r in range(args.rounds):
        order = (("bare", run_bare), ("sweep", run_sweep)) if r % 2 == 0 else (("sweep", run_sweep), ("bare", run_bare))
        for name, fn in order:
            seconds, cpu_seconds, outcomes[name] = once(fn)
            timings[name].append(seconds)
            if cpu_seconds is not None:
                cpu[name].append(cpu_seconds)
            server = f" (server CPU {cpu_seconds:.3f} s)" if cpu_seconds is not None else ""
            print(f"  round {r + 1} {name:<6} {seconds:.3f} s{server}  {outcomes[name]}", flush=True)
    sweep, bare = median(timings["sweep"]), median(timings["bare"])
    print_figure("dormancy sweep (median)", sweep, "s", "< 10 s")
    print_figure("bare UPDATE (median)", bare, "s")
    print_figure("ratio sweep / bare UPDATE", sweep / bare, "x", "<= 1.5")
    if cpu["sweep"] and cpu["bare"]:
        # What each costs the server without waiting for a core (meaningful on a busy machine).
        print_figure("dormancy sweep, server CPU (median)", median(cpu["sweep"]), "s")
        print_figure("bare UPDATE, server CPU (median)", median(cpu["bare"]), "s")
        print_figure("ratio of server CPU", median(cpu["sweep"]) / median(cpu["bare"]), "x")
    print_figure("customers made dormant", outcomes["sweep"]["dormant"])
    print_figure("owned customers released to the pool", outcomes["sweep"]["released_to_pool"])

    # Phone search: whatever the agent types, one normalised equality lookup on the unique index.
    mobile = Customer.objects.order_by("pk").values_list("mobile", flat=True)[customers // 2]
    typed = f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    qs = Customer.objects.filter(mobile=try_normalise_mobile(typed))
    plan = qs.explain(analyze=True)
    print(f"EXPLAIN ANALYZE Customer.objects.filter(mobile=…) for {typed!r}:")
    print("  " + plan.replace("\n", "\n  "))
    uses_index = "Index" in plan and "Seq Scan" not in plan
    print_figure("phone search uses an index", "yes" if uses_index else "NO")
    with timer() as box:
        for _ in range(200):
            list(qs.all())  # a fresh query each time (no result cache)
    print_figure("phone search, mean of 200", box["seconds"] / 200 * 1000, "ms")
    print_figure("peak memory", peak_memory_mb(), "MiB")
    ok = sweep < 10 and sweep / bare <= 1.5 and uses_index
    print("RESULT:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
