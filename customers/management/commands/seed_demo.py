"""Fill the database with a believable demo company, or with large volumes for benchmarks.

    python manage.py seed_demo                 # ~20 staff, ~100 drivers, ~2,000 customers, 14 months
    python manage.py seed_demo --seed 7        # another (equally deterministic) company
    python manage.py seed_demo --if-empty      # what `make run` calls: nothing if customers exist
    python manage.py seed_demo --scale --customers 200000 --orders 1000000   # benchmarks (COPY)

Contract for the other apps (no edit of this file needed): after the customers part, the command
imports ``<app>.demo`` for app in loyalty, care, complaints, engage, retention, appraisal, kpis — in that
order (by name: customers imports no other app) — and calls

    seed(*, rng: random.Random, stdout) -> None

``rng`` is a generator of its own for that app, derived from ``--seed``, so one app's data does not
shift when another app changes its seeding. ``stdout`` is the command's output (write one line or
two of what was created). By then the database holds staff in every role (core.roles.Role groups,
StaffProfile with teams), platforms, drivers, customers with places, and completed/cancelled/no-show
orders with reviews over 14 months, first/last order dates and dormancy already computed. The
customers part writes no OrderEvent rows: each app derives its own history (points, tiers, greetings,
complaints, snapshots) from the orders directly, idempotently. ``seed`` runs in its own transaction
and must not assume it is the first run on that database only through ``--if-empty``. With
``--scale`` only the customers part runs (the other apps' seeds are not called).
"""

import importlib
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.services import job_run_finished, job_run_started, job_run_unfinished
from customers import demo
from customers.models import Customer

SEED_MARKER = "seed_demo"
SQLITE_WRITER_PAUSE = 1.0  # seconds
DEMO_APPS = ("loyalty", "care", "complaints", "engage", "retention", "appraisal", "kpis")


class Command(BaseCommand):
    help = "Create demo data (a believable company), or large volumes for benchmarks with --scale."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same company)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when customers already exist")
        parser.add_argument("--customers", type=int, default=None,
                            help="number of customers (demo: 2000; --scale: 200000)")
        parser.add_argument("--orders", type=int, default=1_000_000, help="--scale only: number of orders")
        parser.add_argument("--drivers", type=int, default=100)
        parser.add_argument("--password", default=None,
                            help="shared password of the demo staff (default: generated and printed)")
        parser.add_argument("--scale", action="store_true",
                            help="bulk-load large volumes for benchmarks (no demo apps, no validation)")

    def handle(self, *args, seed, if_empty, customers, orders, drivers, password, scale, **options):
        has_customers = Customer.objects.exists()
        if if_empty and has_customers:
            if job_run_unfinished(name=SEED_MARKER):
                self.stderr.write(self.style.WARNING(
                    "An earlier demo seeding stopped before it finished, so the demo data is incomplete. "
                    "To start over on the embedded database: make clean && make run"
                ))
            else:
                self.stdout.write("Customers already exist: no demo data added.")
            return
        started = time.perf_counter()
        if scale:
            with transaction.atomic():  # all or nothing
                counts = demo.seed_scale(rng=random.Random(seed), customers=customers or 200_000, orders=orders,
                                         stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(
                f"Scale data loaded in {time.perf_counter() - started:.1f} s: "
                + ", ".join(f"{k}={v}" for k, v in counts.items())
            ))
            return
        if has_customers:
            raise CommandError("The database already has customers: seed the demo company into an empty database "
                               "(or pass --if-empty).")
        # Each part commits on its own (the server, worker and beat run beside the seeding in `make run`);
        # the marker tells a later --if-empty run whether the whole company got there.
        job_run_started(name=SEED_MARKER)
        company = demo.seed(rng=random.Random(seed), stdout=self.stdout, customers=customers or 2000,
                            drivers=drivers, password=password)
        self.stdout.write(f"  (customers part: {time.perf_counter() - started:.1f} s)")
        for offset, app in enumerate(DEMO_APPS, start=1):
            module = importlib.import_module(f"{app}.demo")
            if connection.vendor == "sqlite" and not connection.in_atomic_block:
                # SQLite has one writer at a time and its lock waiters poll: a short pause between the
                # parts lets beat and the worker (running beside `make run`'s seeding) write in between.
                time.sleep(SQLITE_WRITER_PAUSE)
            app_started = time.perf_counter()
            with transaction.atomic():
                module.seed(rng=random.Random(seed * 100 + offset), stdout=self.stdout)
            self.stdout.write(f"  ({app} part: {time.perf_counter() - app_started:.1f} s)")
        elapsed = time.perf_counter() - started
        job_run_finished(name=SEED_MARKER, result=f"demo company created in {elapsed:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Demo company created in {elapsed:.1f} s."))
        self.stdout.write("Demo staff (all share one password):")
        for username, role, _team, _takes in demo.STAFF_PLAN:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write(self.style.SUCCESS(f"Demo password: {company.password}"))
