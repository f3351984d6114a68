"""Benchmark: computing one month's KPI snapshots over 1,000,000 orders / 200,000 customers / 20,000
complaints on PostgreSQL.

    python bench/kpis_month.py                     # load (seed_demo --scale) and measure
    python bench/kpis_month.py --reuse             # keep the data of a previous run
    python bench/kpis_month.py --customers 20000 --orders 100000 --complaints 2000

Loads customers, orders and reviews with ``seed_demo --scale`` into a dedicated PostgreSQL database
(``--db``, default crm_kpis_bench, on the server of BENCH_DATABASE_URL or DATABASE_URL), then inserts
in SQL: complaints on every n-th order (20,000 by default, in every state, some reopened, some paused),
one points earning per completed order, tier history on a third of the customers, callbacks and care
messages. Then, in a fresh child process (so its peak memory is the computation's, not the loading's),
it times ``kpis.services.snapshot_compute_month`` for the last full month (company, teams, agents) and
a single hand-written SQL query for the three headline rates (satisfaction, complaint rate,
retention), checks that both give the same rates, and prints:

- seconds of the snapshot computation (target < 15 s), and its ratio to the hand-written query;
- the process's peak RSS (target < 300 MB) and the Python peak (tracemalloc);
- one dashboard request for that month (target < 200 ms; it reads snapshots only).
"""

import argparse
import json
import os
import subprocess
import sys
import time
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
from _kpis_breakdown import timed_breakdown, whole_history_check  # noqa: E402

HEADLINE_SQL = """
WITH bounds AS (SELECT %(start)s::timestamptz AS s, %(end)s::timestamptz AS e, %(prev)s::timestamptz AS ps)
SELECT
  (SELECT round(100.0 * count(*) FILTER (WHERE r.rating >= 4) / NULLIF(count(*), 0), 2)
     FROM {review} r JOIN {order} o ON o.id = r.order_id, bounds
    WHERE o.status = 'completed' AND o.finished_at >= bounds.s AND o.finished_at < bounds.e) AS satisfaction,
  (SELECT round(100.0 * (SELECT count(DISTINCT c.order_id) FROM {complaint} c, bounds
                          WHERE c.received_at >= bounds.s AND c.received_at < bounds.e)
          / NULLIF((SELECT count(*) FROM {order} o, bounds
                     WHERE o.status = 'completed' AND o.finished_at >= bounds.s AND o.finished_at < bounds.e), 0), 2))
     AS complaint_rate,
  (SELECT round(100.0 * count(*) FILTER (WHERE in_month) / NULLIF(count(*), 0), 2) FROM (
      SELECT o.customer_id, bool_or(o.finished_at >= bounds.s) AS in_month FROM {order} o, bounds
       WHERE o.status = 'completed' AND o.finished_at >= bounds.ps AND o.finished_at < bounds.e
       GROUP BY o.customer_id HAVING bool_or(o.finished_at < bounds.s)) x) AS retention
"""


def _columns(model, explicit: dict, jsonb) -> tuple[list, list, list]:
    """The INSERT … SELECT columns of ``model``: ``explicit`` SQL expressions, and every other NOT NULL
    column with the model's default as a parameter."""
    cols, vals, prm = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in explicit:
            cols.append(field.column)
            vals.append(explicit[field.column].replace("%", "%%"))
        elif not field.null:
            cols.append(field.column)
            vals.append("%s")
            default = field.get_default()
            prm.append(jsonb(default) if isinstance(default, dict | list) else default)
    return cols, vals, prm


def load_other_apps(connection, *, complaints: int) -> dict:
    """Complaints, points, tier history, callbacks and care messages, in SQL, consistent with the orders."""
    from psycopg.types.json import Jsonb

    from care.models import Message
    from complaints.models import Category, Complaint, Grade
    from customers.models import ContactLog, Customer, Order
    from loyalty.models import PointsEntry, TierChange

    orders, customers = Order._meta.db_table, Customer._meta.db_table
    counts = {}
    n_orders = Order.objects.count()
    every = max(n_orders // complaints, 1)
    grade_ids = list(Grade.objects.order_by("rank").values_list("pk", flat=True))
    category_ids = list(Category.objects.values_list("pk", flat=True))
    explicit = {
        "number": "'TSB' || lpad(o.id::text, 10, '0')",
        "received_at": "coalesce(o.finished_at, o.booked_at) + interval '2 hours'",
        "channel": "'hotline'",
        "customer_id": "o.customer_id", "order_id": "o.id", "driver_id": "o.driver_id", "platform_id": "o.platform_id",
        "category_id": f"(ARRAY{category_ids})[1 + o.id % {len(category_ids)}]",
        "grade_id": f"(ARRAY{grade_ids})[1 + (o.id / 7) % {len(grade_ids)}]",
        "min_grade_id": f"(ARRAY{grade_ids})[1]",
        "owner_role": "'客服专员'",
        "content": "'bench'",
        "status": "(ARRAY['received','acknowledged','investigating','resolved','closed','closed','closed',"
                  "'not_upheld'])[1 + o.id % 8]",
        "acknowledge_due_at": "coalesce(o.finished_at, o.booked_at) + interval '26 hours'",
        "resolve_due_at": "coalesce(o.finished_at, o.booked_at) + interval '74 hours'",
        "close_due_at": "coalesce(o.finished_at, o.booked_at) + interval '15 days'",
        "acknowledged_at": "CASE WHEN o.id % 8 >= 1 THEN coalesce(o.finished_at, o.booked_at) "
                           "+ (o.id % 40) * interval '1 hour' END",
        "resolved_at": "CASE WHEN o.id % 8 BETWEEN 3 AND 6 THEN coalesce(o.finished_at, o.booked_at) "
                       "+ (o.id % 120) * interval '1 hour' END",
        "closed_at": "CASE WHEN o.id % 8 BETWEEN 4 AND 6 THEN coalesce(o.finished_at, o.booked_at) "
                     "+ (o.id % 300) * interval '1 hour' END",
        "paused_seconds": "CASE WHEN o.id % 5 = 0 THEN 3600 ELSE 0 END",
        "reopen_count": "CASE WHEN o.id % 11 = 0 THEN 1 ELSE 0 END",
        "assignee_id": f"(SELECT owner_id FROM {customers} WHERE id = o.customer_id)",
        "created_at": "now()", "updated_at": "now()",
    }
    columns, values, params = [], [], []
    for field in Complaint._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in explicit:
            columns.append(field.column)
            values.append(explicit[field.column].replace("%", "%%"))  # the statement has parameters
        elif not field.null:
            columns.append(field.column)
            values.append("%s")
            params.append(field.get_default())
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {Complaint._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                    f"FROM {orders} o WHERE o.id %% {every} = 0 ORDER BY o.id LIMIT {complaints}", params)
        counts["complaints"] = cur.rowcount
        cur.execute(
            f"INSERT INTO {PointsEntry._meta.db_table} (customer_id, kind, points, source, order_id, earned_at, "
            f"available_at, reason, created_at) SELECT customer_id, 'earn', FLOOR(fee)::int, 'order:' || id, id, "
            f"finished_at, finished_at + interval '7 days', '', finished_at FROM {orders} "
            f"WHERE status = 'completed' AND fee >= 1 ON CONFLICT (source) DO NOTHING")
        counts["points_entries"] = cur.rowcount
        cur.execute(
            f"INSERT INTO {TierChange._meta.db_table} (customer_id, from_tier, to_tier, reason, note, changed_at) "
            f"SELECT id, 0, 1 + id % 3, 'rule', '', created_at + interval '30 days' FROM {customers} WHERE id % 3 = 0")
        counts["tier_changes"] = cur.rowcount
        # Every NOT NULL column without a value here gets the model's default (new columns stay covered).
        explicit_log = {
            "customer_id": "c.id", "agent_id": "c.owner_id", "channel": "'phone_out'", "purpose": "'callback'",
            "status": "'done'", "due_on": "(o.finished_at + interval '3 days')::date",
            "happened_at": "o.finished_at + interval '3 days'",
            "outcome": "CASE WHEN o.id % 4 = 0 THEN 'not_reached' ELSE 'reached' END",
            "satisfaction": "CASE WHEN o.id % 4 = 0 THEN NULL ELSE 1 + o.id % 5 END", "created_at": "now()",
        }
        cols, vals, prm = _columns(ContactLog, explicit_log, Jsonb)
        cur.execute(
            f"INSERT INTO {ContactLog._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(vals)} "
            f"FROM {orders} o JOIN {customers} c ON c.id = o.customer_id "
            f"WHERE o.id %% 20 = 1 AND o.status = 'completed' AND c.owner_id IS NOT NULL", prm)
        counts["callbacks"] = cur.rowcount
        explicit_msg = {
            "customer_id": "id", "body": "'bench'", "status": "(ARRAY['sent','sent','sent','failed','skipped'])"
            "[1 + id % 5]", "send_after": "created_at + (id % 400) * interval '1 day'",
            "sent_at": "CASE WHEN id % 5 < 3 THEN created_at + (id % 400) * interval '1 day' END",
            "last_attempt_at": "created_at + (id % 400) * interval '1 day'", "created_at": "created_at",
            "updated_at": "now()",
        }
        cols, vals, prm = _columns(Message, explicit_msg, Jsonb)
        cur.execute(f"INSERT INTO {Message._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(vals)} "
                    f"FROM {customers} WHERE id %% 2 = 0", prm)
        counts["care_messages"] = cur.rowcount
        for table in (Complaint._meta.db_table, PointsEntry._meta.db_table, TierChange._meta.db_table,
                      ContactLog._meta.db_table, Message._meta.db_table, orders, customers, "customers_review"):
            cur.execute(f"ANALYZE {table}")
    return counts


def time_dashboard(month) -> float:
    """Best of 5 full dashboard requests (login, permission, snapshots, template) for the month."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(
        username="bench_manager", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(f"/dashboard/?month={month:%Y-%m}")
        best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return best


def measure(args) -> int:
    """Child process: compute the month and the hand-written query; print the figures as JSON."""
    # No collectstatic here: the dashboard's static URLs come from the plain storage.
    os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    setup_django(bench_database_url(args.db))
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints.models import Complaint
    from core.dates import previous_month
    from customers.models import Order, Review
    from kpis.metrics.period import Period
    from kpis.models import MonthlySnapshot
    from kpis.rules import month_first_day, ratio
    from kpis.services import _tune_session_for_aggregation, snapshot_compute_month

    month = month_first_day(*previous_month(timezone.localdate()))
    period = Period.of(month)
    connection.ensure_connection()
    results = {"month": f"{month:%Y-%m}"}
    runs = []
    tracemalloc.start()
    for _ in range(args.repeat):
        start = time.perf_counter()
        outcome = snapshot_compute_month(month=month, force=True, note="benchmark")
        runs.append(time.perf_counter() - start)
    results["python_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    results["snapshot_seconds"] = min(runs)
    results["snapshot_runs"] = runs
    results["snapshots"] = outcome.snapshots
    sql = HEADLINE_SQL.format(review=Review._meta.db_table, order=Order._meta.db_table,
                              complaint=Complaint._meta.db_table)
    sql_runs = []
    # The same session settings as the computation (work_mem, no JIT), for a fair comparison.
    with transaction.atomic(), connection.cursor() as cur:
        _tune_session_for_aggregation()
        for _ in range(args.repeat):
            start = time.perf_counter()
            cur.execute(sql, {"start": period.start, "end": period.end, "prev": period.prev_start})
            row = cur.fetchone()
            sql_runs.append(time.perf_counter() - start)
    results["sql_seconds"] = min(sql_runs)
    snap = MonthlySnapshot.objects.get(month=month, scope_key="company")
    results["snapshot_rates"] = [str(snap.satisfaction_rate), str(snap.complaint_rate), str(snap.retention_rate)]
    results["sql_rates"] = [str(v) for v in row]
    results["orders_completed"] = snap.orders_completed
    results["complaints_total"] = snap.complaints_total
    results["dashboard_seconds"] = time_dashboard(month)
    results["breakdown"] = [[name, calls, seconds] for name, calls, seconds in timed_breakdown(month)[:8]]
    history = whole_history_check(period)
    snap = MonthlySnapshot.objects.get(month=month, scope_key="company")
    results["customers_check"] = {
        "snapshot": [snap.customers_new, str(snap.avg_clv)],
        "whole history": [history["new"], str(ratio(history["spend"], history["ever"]))]}
    results["peak_rss_mib"] = peak_memory_mb()
    print("RESULT " + json.dumps(results), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_kpis_bench")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the best is kept)")
    parser.add_argument("--reuse", action="store_true", help="reuse the bench database (data already loaded)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        return measure(args)

    url = bench_database_url(args.db)
    if not (args.reuse and database_exists(url)):
        create_database(url)
        setup_django(url)
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0)
        with timer() as box:
            call_command("seed_demo", "--scale", "--customers", str(args.customers), "--orders", str(args.orders),
                         "--seed", str(args.seed))
        print_figure("load customers and orders (seed_demo --scale)", box["seconds"], "s")
        with timer() as box, transaction.atomic():
            counts = load_other_apps(connection, complaints=args.complaints)
        print_figure("load complaints, points, tiers, callbacks, care (SQL)", box["seconds"], "s")
        print(f"    {counts}", flush=True)
    else:
        setup_django(url)
        from django.db import connection, transaction

        from complaints.models import Complaint

        if not Complaint.objects.exists():  # a previous run stopped after loading the orders
            with timer() as box, transaction.atomic():
                counts = load_other_apps(connection, complaints=args.complaints)
            print_figure("load complaints, points, tiers, callbacks, care (SQL)", box["seconds"], "s")
            print(f"    {counts}", flush=True)
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("customers_customer", "customers_order", "customers_review", "complaints_complaint"):
            cur.execute(f"SELECT count(*) FROM {table}")
            print_figure(f"rows in {table}", cur.fetchone()[0])
    connection.close()

    child = subprocess.run([sys.executable, __file__, "--measure", "--db", args.db, "--repeat", str(args.repeat)],
                           capture_output=True, text=True)
    line = next((x for x in child.stdout.splitlines() if x.startswith("RESULT ")), None)
    if child.returncode or line is None:
        print(child.stdout, child.stderr, file=sys.stderr)
        return 2
    r = json.loads(line[len("RESULT "):])
    print(f"month computed: {r['month']} ({r['orders_completed']} completed orders, {r['complaints_total']} "
          f"complaints, {r['snapshots']} snapshots: company, teams, agents)")
    print_figure("snapshot_compute_month: seconds (best)", r["snapshot_seconds"], "s", "< 15 s")
    print("    runs: " + ", ".join(f"{s:.2f}" for s in r["snapshot_runs"]))
    print_figure("hand-written SQL, 3 headline rates: seconds", r["sql_seconds"], "s")
    print_figure("ratio snapshot / hand-written query", r["snapshot_seconds"] / r["sql_seconds"], "x")
    print_figure("peak RSS of the computing process", r["peak_rss_mib"], "MiB", "< 300 MB")
    print_figure("Python peak during the computation (tracemalloc)", r["python_peak_mib"], "MiB")
    print_figure("dashboard request for that month (best of 5)", r["dashboard_seconds"] * 1000, "ms", "< 200 ms")
    print("    where the time goes (one run; function: calls, seconds):")
    for name, calls, seconds in r["breakdown"]:
        print(f"      {name}: {calls}, {seconds:.2f} s")
    check = r["customers_check"]
    customers_same = check["snapshot"] == check["whole history"]
    print(f"new customers, lifetime value: snapshot {check['snapshot']}, whole-history SQL {check['whole history']} "
          f"→ {'identical' if customers_same else 'DIFFERENT'}")
    same = r["snapshot_rates"] == r["sql_rates"] and customers_same
    print(f"headline rates (satisfaction, complaint rate, retention): snapshot {r['snapshot_rates']}, "
          f"hand-written SQL {r['sql_rates']} → {'identical' if same else 'DIFFERENT'}")
    ok = r["snapshot_seconds"] < 15 and r["peak_rss_mib"] < 300 and same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
