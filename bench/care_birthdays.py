"""Benchmark: birthday selection among 1,000,000 customers, and enqueueing 100,000 holiday greetings.

    python bench/care_birthdays.py                  # 1,000,000 customers (bulk COPY), 100,000 greetings
    python bench/care_birthdays.py --reuse          # keep the customers of a previous run
    python bench/care_birthdays.py --customers 200000 --greetings 20000

Uses its own PostgreSQL database (``--db``, default crm_care_bench, on the server of
BENCH_DATABASE_URL or DATABASE_URL), migrated, with customers bulk-inserted by COPY: birthdays
spread over 1950–2005, 5% celebrating the lunar birthday, 60% with marketing consent.

1. Times ``care.services.birthday_customers(day)`` (the solar and the lunar query the 09:00 job
   runs), median of ``--rounds`` runs over different days including 28 February, and prints
   ``EXPLAIN ANALYZE`` of both queries with whether they use the care birthday indexes.
   Target: < 200 ms. The first call in a process also computes the lunar calendar of every birth
   year (lunar-python, ~15 ms a year, then cached): printed separately.
2. Times ``occasion_enqueue`` of a holiday occasion for ``--greetings`` customers (templates per
   tier rendered in Python, rows written with bulk_create in batches). Target 100,000 in < 60 s.
   The greetings are deleted afterwards so the run can be repeated.
"""

import argparse
import datetime as dt
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    bench_database_url,
    create_database,
    database_exists,
    median,
    print_figure,
    setup_django,
    timer,
)


def load_customers(n: int, rng: random.Random, *, offset: int = 0) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from customers.demo import DemoFaker, _copy_rows, mobile_from_index
    from customers.models import Customer

    fake = DemoFaker(rng)
    now = timezone.now()
    start = dt.date(1950, 1, 1).toordinal()
    span = dt.date(2005, 12, 31).toordinal() - start
    names = [fake.full_name(rng.random() < 0.4) for _ in range(5000)]

    def rows():
        for i in range(n):
            birthday = dt.date.fromordinal(start + rng.randrange(span)) if rng.random() < 0.9 else None
            yield (uuid.uuid4(), names[i % 5000], mobile_from_index(offset + i), birthday,
                   birthday is not None and rng.random() < 0.05, rng.random() < 0.6, "active", now, now)

    cols = ["public_id", "full_name", "mobile", "birthday", "birthday_is_lunar", "marketing_consent", "status",
            "created_at", "updated_at"]
    with transaction.atomic():
        count = _copy_rows(Customer, cols, rows())
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Customer._meta.db_table}")
    return count


def explain(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_care_bench")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--greetings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="reuse the bench database if it has data")
    args = parser.parse_args()

    url = bench_database_url(args.db)
    reuse = args.reuse and database_exists(url)
    if not reuse:
        create_database(url)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from care.models import Message, Occasion, OccasionTemplate
    from care.services import birthday_customers, occasion_enqueue
    from customers.models import Customer

    print(f"database: {args.db} (PostgreSQL {connection.cursor().connection.info.server_version})")
    call_command("migrate", verbosity=0)
    have = Customer.objects.count()
    if have < args.customers:
        with timer() as t:
            loaded = load_customers(args.customers - have, random.Random(args.seed + have), offset=have)
        print_figure("customers bulk-loaded (COPY)", loaded, "rows")
        print_figure("load time", t["seconds"], "s")
    total = Customer.objects.count()
    print_figure("customers in the table", total, "rows")

    # 1. birthday selection --------------------------------------------------------------------
    days = [dt.date(2027, 2, 28), dt.date(2027, 3, 12), dt.date(2026, 11, 23), dt.date(2027, 6, 15),
            dt.date(2027, 9, 15), dt.date(2027, 12, 31), dt.date(2027, 1, 1)][: max(args.rounds, 1)]
    with timer() as warm:
        solar, lunar = birthday_customers(dt.date(2027, 1, 15))
        list(solar.values_list("pk", flat=True)), list(lunar.values_list("pk", flat=True))
    print_figure("first call in a fresh process (ms)", warm["seconds"] * 1000, "ms")
    print("  (includes computing ~80 lunar years with lunar-python, cached per worker process)")
    times, found = [], []
    for day in days:
        with timer() as t:
            solar, lunar = birthday_customers(day)
            ids = list(solar.values_list("pk", flat=True)) + list(lunar.values_list("pk", flat=True))
        times.append(t["seconds"])
        found.append(len(ids))
    print_figure("birthday selection, median (ms)", median(times) * 1000, "ms", "< 200 ms")
    print_figure("birthday selection, slowest (ms)", max(times) * 1000, "ms")
    print_figure("birthday customers per day (median)", int(median(found)), "rows")
    solar, lunar = birthday_customers(dt.date(2027, 2, 28))
    for label, qs, index in (("solar", solar.values("pk"), "care_customer_birthday_md_idx"),
                             ("lunar", lunar.values("pk"), "care_customer_lunar_bday_idx")):
        plan = explain(qs)
        print(f"\nEXPLAIN ANALYZE, {label} birthdays on 2027-02-28 (uses {index}: {index in plan}):")
        print(plan)

    # 2. enqueue 100,000 holiday greetings -----------------------------------------------------
    occasion, _created = Occasion.objects.get_or_create(
        code="bench_holiday", defaults={"name": "压测节日", "kind": "fixed", "month": 12, "day": 31,
                                        "send_offset_days": 0, "is_active": False})
    OccasionTemplate.objects.get_or_create(occasion=occasion, tier="", defaults={
        "body": "{{ name }}您好！{{ company }}恭祝您{{ occasion }}快乐。{% if benefit %}{{ benefit }}{% endif %}",
        "benefit": "节日期间代驾立减10元", "coupon_kind": "fixed", "coupon_amount": 10, "coupon_valid_days": 7})
    Message.objects.filter(occasion=occasion).delete()
    last_pk = Customer.objects.order_by("pk").values_list("pk", flat=True)[args.greetings - 1]
    customers = Customer.objects.filter(pk__lte=last_pk)
    with timer() as t:
        created = occasion_enqueue(occasion=occasion, year=2027, occasion_date=dt.date(2027, 12, 31),
                                   customers=customers, now=timezone.now())
    in_db = Message.objects.filter(occasion=occasion, year=2027).count()
    print()
    print_figure("holiday greetings enqueued", in_db, "rows")
    print_figure("enqueue time (s)", t["seconds"], "s", "< 60 s")
    print_figure("enqueue rate", created / t["seconds"], "/s")
    with timer() as t2:
        again = occasion_enqueue(occasion=occasion, year=2027, occasion_date=dt.date(2027, 12, 31),
                                 customers=customers, now=timezone.now())
    print_figure("second run (nothing to do) (s)", t2["seconds"], "s")
    print_figure("second run created", again, "rows")
    Message.objects.filter(occasion=occasion).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
