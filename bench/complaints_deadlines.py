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

    from complaints.models import Category, Channel, Complaint, Grade, TimelineEntry
    from complaints.services import compute_deadlines, deadlines_process

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
    rows, n = [], 0
    with timer() as load:
        for share, status, age, acknowledged in mix:
            for _ in range(int(args.complaints * share)):
                grade = grades[n % 4]  # the four grades below crisis, so every escalation has a target
                received = now - age - dt.timedelta(seconds=n % 3600)
                deadlines, _warning = compute_deadlines(grade=grade, start=received)
                rows.append(Complaint(
                    number=f"TS9901-{n:06d}", received_at=received, channel=Channel.HOTLINE,
                    complainant_name="压测", complainant_mobile=f"139{n:08d}", category=category,
                    content="bench", grade=grade, min_grade=grades[0], owner_role=grade.owner_role,
                    status=status, acknowledged_at=received + dt.timedelta(hours=2) if acknowledged else None,
                    **deadlines,
                ))
                n += 1
        Complaint.objects.bulk_create(rows, batch_size=5000)
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
