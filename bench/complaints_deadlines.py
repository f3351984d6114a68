"""Benchmark: the hourly complaint deadline job over 100,000 open complaints (target < 30 s).

    python bench/complaints_deadlines.py                     # 100,000 open complaints
    python bench/complaints_deadlines.py --complaints 20000 --batch 1000

Creates a dedicated PostgreSQL database (``--db``, default crm_complaints_bench, on the server of
BENCH_DATABASE_URL or DATABASE_URL), migrates it and bulk-loads open complaints in a realistic mix:
40 % within their deadlines, 25 % not acknowledged after 36 h (flagged), 25 % not resolved after
4 days (escalated one grade up), 10 % past the 15-day close deadline as well (escalated and
flagged). Then times ``complaints.services.deadlines_process`` (the task's whole work), checks that
every due complaint was handled once, and times a second run (idempotent: nothing to do).
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    bench_database_url,
    create_database,
    peak_memory_mb,
    print_figure,
    setup_django,
    timer,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_complaints_bench")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None, help="batch size (default COMPLAINT_DEADLINE_BATCH)")
    args = parser.parse_args()

    url = bench_database_url(args.db)
    create_database(url)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from complaints.models import Category, Complaint, Grade, TimelineEntry
    from complaints.services import deadlines_process

    print(f"database: {args.db} (PostgreSQL {connection.cursor().connection.info.server_version})")
    call_command("migrate", verbosity=0)
    grades = list(Grade.objects.order_by("rank"))
    category = Category.objects.get(code="driver_attitude")
    now = timezone.now()
    S = Complaint.Status
    mix = [  # (share, status, age, acknowledged)
        (0.40, S.INVESTIGATING, dt.timedelta(hours=5), True),
        (0.25, S.RECEIVED, dt.timedelta(hours=36), False),
        (0.25, S.INVESTIGATING, dt.timedelta(days=4), True),
        (0.10, S.RESOLUTION_PROPOSED, dt.timedelta(days=16), True),
    ]
    # Loaded in SQL (generate_series), one INSERT per slice of the mix; deadlines from the grade rows.
    table = Complaint._meta.db_table
    offset = 0
    with timer() as load:
        with connection.cursor() as cursor:
            for share, status, age, acknowledged in mix:
                count = int(args.complaints * share)
                cursor.execute(
                    f"""
                    INSERT INTO {table} (number, received_at, channel, complainant_name, complainant_mobile,
                        category_id, content, demand, grade_id, min_grade_id, owner_role, status,
                        acknowledge_due_at, resolve_due_at, close_due_at, acknowledged_at, paused_seconds,
                        cause, responsibility, resolution_measures, customer_informed_by, not_upheld_reason,
                        reopen_count, created_at, updated_at)
                    SELECT 'TS9901-' || lpad(i::text, 6, '0'), r.received, 'hotline', '压测',
                        '139' || lpad(i::text, 8, '0'), %s, 'bench', '', g.id, %s, g.owner_role, %s,
                        r.received + make_interval(hours => g.acknowledge_hours),
                        r.received + make_interval(hours => g.resolve_hours),
                        r.received + make_interval(hours => g.close_hours),
                        CASE WHEN %s THEN r.received + interval '2 hours' END, 0, '', '', '', '', '', 0, %s, %s
                    FROM generate_series(%s, %s) AS i
                    CROSS JOIN LATERAL (SELECT %s::timestamptz - %s::interval - make_interval(secs => i %% 3600)
                                        AS received) r
                    JOIN {Grade._meta.db_table} g ON g.rank = 1 + i %% 4
                    """,
                    [category.pk, grades[0].pk, status, acknowledged, now, now, offset, offset + count - 1, now,
                     age],
                )
                offset += count
    n = offset
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
    print_figure("open complaints loaded", n)
    print_figure("load time", load["seconds"], "s")
    expected = {
        "acknowledge_overdue": int(args.complaints * 0.25),
        "escalated": int(args.complaints * 0.25) + int(args.complaints * 0.10),
        "close_overdue": int(args.complaints * 0.10),
    }

    with timer() as first:
        counts = deadlines_process(batch_size=args.batch)
    with timer() as second:
        again = deadlines_process(batch_size=args.batch)

    print_figure("deadline job, first run", first["seconds"], "s", "< 30 s")
    for key, value in counts.items():
        print_figure(f"  {key}", value)
    print_figure("deadline job, second run (nothing due)", second["seconds"], "s")
    print_figure("  handled again on the second run", sum(again.values()), "", "0")
    print_figure("timeline entries written", TimelineEntry.objects.count())
    print_figure("peak memory", peak_memory_mb(), "MiB")
    ok = (first["seconds"] < 30 and sum(again.values()) == 0
          and all(counts[k] == v for k, v in expected.items()))
    print("RESULT:", "PASS" if ok else f"FAIL (expected {expected})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
