"""Large volumes for benchmarks (``seed_demo --scale``): bulk-loaded customers and orders."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customers.demo.bulk import ORDER_COLUMNS, _bulk_load_mode, _copy_rows
from customers.demo.company import ensure_company
from customers.demo.history import _months_ago
from customers.demo.people import DemoFaker, mobile_from_index
from customers.models import Customer, Order, Review


def seed_scale(*, rng: random.Random, customers: int, orders: int, stdout=None, months: int = 14) -> dict:
    """Bulk-load ``customers`` customers and ``orders`` orders (plus ~60% reviews) for benchmarks,
    with no per-row validation but satisfying every database constraint. Mobiles already present
    are skipped; a third of the customers stop ordering early, so the dormancy sweep has work."""
    started = time.perf_counter()

    def say(msg):
        if stdout is not None:
            stdout.write(f"{msg} [{time.perf_counter() - started:.1f} s]")

    fake = DemoFaker(rng)
    company = ensure_company(rng=rng, drivers=100)
    anchor = timezone.now().replace(microsecond=0)
    start = _months_ago(anchor, months)
    span = (anchor - start).total_seconds()
    existing = set(Customer.objects.exclude(mobile=None).values_list("mobile", flat=True))
    owners = [u.pk for u in company.owners]
    first_new_id = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    plans = []  # (created, active_until, owner_id) per new customer, in insertion order

    def customer_rows():
        n = 0
        i = 0
        while n < customers:
            mobile = mobile_from_index(i)
            i += 1
            if mobile in existing:
                continue
            n += 1
            created = start - dt.timedelta(seconds=rng.uniform(0, 400 * 86400)) if rng.random() < 0.6 else \
                start + dt.timedelta(seconds=rng.uniform(0, span * 0.9))
            active_until = anchor
            if rng.random() < 0.33:
                active_until = anchor - dt.timedelta(days=rng.uniform(92, 330))
                created = min(created, active_until - dt.timedelta(days=20))
            owner = rng.choice(owners) if rng.random() < 0.45 else None
            plans.append((created, active_until, owner))
            female = rng.random() < 0.35
            yield (
                uuid.uuid4(), fake.full_name(female), mobile,
                "female" if female else "male", "individual", rng.choice(["own_app", "platform", "hotline"]),
                rng.random() < 0.6, "active", owner, created if owner else None, created, created,
            )

    o, c, r = (connection.ops.quote_name(m._meta.db_table) for m in (Order, Customer, Review))
    with transaction.atomic(), _bulk_load_mode(Customer, Order, Review):
        cols = ["public_id", "full_name", "mobile", "gender", "customer_type", "source", "marketing_consent",
                "status", "owner_id", "owner_since", "created_at", "updated_at"]
        n_customers = _copy_rows(Customer, cols, customer_rows())
        ids = list(Customer.objects.filter(pk__gt=first_new_id).order_by("pk").values_list("pk", flat=True))
        say(f"customers: {n_customers}")

        # Each order picks a customer by weight (heavy and light users), within the customer's life.
        weights = [rng.paretovariate(1.5) for _ in ids]
        cumulative, total = [], 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        drivers = [d.pk for d in company.drivers]
        platforms = [p.pk for p in company.platforms]
        addresses = [fake.address(rng.choice(["home", "office", "restaurant", "hotel"])) for _ in range(3000)]

        first_order_id = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        def order_rows():
            for j in range(orders):
                k = min(bisect.bisect_left(cumulative, rng.random() * total), len(ids) - 1)
                created, active_until, owner = plans[k]
                lo = max(created, start)
                if active_until <= lo:
                    lo = active_until - dt.timedelta(days=1)
                booked = lo + (active_until - lo) * rng.random()
                booked = booked.replace(microsecond=0) - dt.timedelta(hours=2)
                roll = rng.random()
                status = "completed" if roll < 0.88 else "cancelled" if roll < 0.96 else "no_show"
                km = round(rng.uniform(3, 40), 2)
                pickup, plat, plng = addresses[j % 3000]
                dropoff, dlat, dlng = addresses[(j * 7) % 3000]
                done = status == "completed"
                started = booked + dt.timedelta(minutes=15) if done else None
                finished = booked + dt.timedelta(minutes=30 + int(km * 2)) if done else None
                fee = Decimal(39 + max(0, int(km) - 10) * 4) if done else Decimal(0)
                yield (
                    platforms[j % len(platforms)], f"B{first_order_id + j + 1:010d}", ids[k], drivers[j % len(drivers)],
                    owner, status,
                    booked, started, finished, pickup, plat, plng, dropoff, dlat, dlng, Decimal(f"{km:.2f}"), fee,
                    booked, finished or booked,
                )

        n_orders = _copy_rows(Order, ORDER_COLUMNS, order_rows())
        say(f"orders: {n_orders}")

        with connection.cursor() as cursor:
            # ~60% of completed orders rated, spread over the five levels by a hash of the id.
            cursor.execute(
                f"INSERT INTO {r} (order_id, customer_id, rating, recommend_score, comment, source, created_at, "  # noqa: S608
                f"updated_at) SELECT id, customer_id, "
                f"CASE WHEN (id * 7919) %% 100 < 55 THEN 5 WHEN (id * 7919) %% 100 < 83 THEN 4 "
                f"WHEN (id * 7919) %% 100 < 92 THEN 3 WHEN (id * 7919) %% 100 < 97 THEN 2 ELSE 1 END, "
                f"(id * 31) %% 11, '', 'platform', finished_at, finished_at FROM {o} "
                f"WHERE id > %s AND status = 'completed' AND (id * 13) %% 10 < 6",
                [first_order_id],
            )
            n_reviews = cursor.rowcount
            say(f"reviews: {n_reviews}")
            # The activity mark (customers.services.order_dates): the rank-th most recent finish.
            mark = ("(array_agg(finished_at ORDER BY finished_at DESC))[%s]" if connection.vendor == "postgresql"
                    else f"(SELECT o2.finished_at FROM {o} o2 WHERE o2.customer_id = {o}.customer_id AND "
                         f"o2.status = 'completed' ORDER BY o2.finished_at DESC LIMIT 1 OFFSET %s - 1)")
            cursor.execute(
                f"UPDATE {c} SET first_order_at = a.first_at, last_order_at = a.last_at, "  # noqa: S608
                f"activity_mark_at = a.mark_at "
                f"FROM (SELECT customer_id, MIN(finished_at) AS first_at, MAX(finished_at) AS last_at, "
                f"{mark} AS mark_at FROM {o} "
                f"WHERE status = 'completed' GROUP BY customer_id) a WHERE a.customer_id = {c}.id AND {c}.id > %s",
                [max(settings.CUSTOMER_ACTIVITY_HIGH_ORDERS, 1), first_new_id],
            )
            say("first and last order dates")
    say("indexes and foreign keys rebuilt")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (c, o, r):
                cursor.execute(f"ANALYZE {table}")
    return {"customers": n_customers, "orders": n_orders, "reviews": n_reviews}
