"""A worker killed mid-task (issue 16, fault 1): a real ``celery worker`` (the Procfile's, on a Redis
broker of its own and the test's PostgreSQL database) gets order events, birthday greetings and a
KPI month, and is SIGKILLed inside one of them; once a new worker starts, every effect happened
exactly once: points entries, tier changes, messages sent, snapshots, job runs.

How "mid-task" is made certain: the test holds a row lock the task needs partway (one customer's
loyalty account inside the batch of events, so the events before it are done and committed; a
birthday customer's row while the greetings are written; the month's job lock) and kills the worker
while it waits.
The killed task's message was never acknowledged (``acks_late``): the broker hands it to the new
worker once it is CELERY_VISIBILITY_TIMEOUT old (lowered to seconds here); beat's 5-minute jobs (the
events sweep, the message dispatcher) run as well, as they would. A COMMIT the killed worker had
already sent still completes (PostgreSQL checks the deferred foreign keys at COMMIT, where it waited
on the test's lock): the greetings are then written but not handed over, and the redelivered run
writes none; the dispatcher sends them, once. The greetings job hands its messages over itself; killed
after that hand-over committed but before the delivery tasks reached the broker, the dispatcher hands
them again once they are CARE_REDISPATCH_AFTER_SECONDS old (lowered to seconds here, and beat's
5-minute jobs run every 5 s).
The worker is killed only once it has received the three tasks: kombu's Redis transport takes a message
off its queue (BRPOP) and then records it as unacknowledged, and a message taken in that instant dies
with the worker (docs/operations.md, "A worker killed"). Slow: ~20 s each."""

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from care.models import Message, Occasion
from core.models import JobRun
from customers.models import Customer, OrderEvent
from kpis.models import MonthlySnapshot
from loyalty.models import LoyaltyAccount, PointsEntry, TierChange
from tests.faults import (
    RedisServer,
    celery_worker,
    process_env,
    reference_rows,
    send_task,
    side_connection,
    tasks_received,
    wait_until,
    waiting_backend,
)
from tests.kpis import builders as b

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORDERS = 6
JOBS = ("customers.process_order_events", "care.birthday_greetings", "kpis.compute_previous_month")
LOCKED = 3  # the worker stops at the third order's customer


def given_work() -> dict:
    reference_rows()
    now = timezone.now()
    customers = [b.customer() for _ in range(ORDERS)]
    for c in customers:
        OrderEvent.objects.create(order=b.order(c, finished=now - dt.timedelta(hours=2), fee="1888.00"),
                                  kind=OrderEvent.Kind.COMPLETED)
    locked = LoyaltyAccount.objects.create(customer=customers[LOCKED - 1])
    offset = Occasion.objects.get(kind=Occasion.Kind.BIRTHDAY).send_offset_days
    birthday = (timezone.localdate() + dt.timedelta(days=offset)).replace(year=1988)
    born_today = [b.customer() for _ in range(2)]
    Customer.objects.filter(pk__in=[c.pk for c in born_today]).update(birthday=birthday, marketing_consent=True)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    agent = b.staff("kpi_agent", team=b.team("夜班组"))
    c = b.customer(owner=agent)
    b.review(b.order(c, finished=b.at(last_month.year, last_month.month, 10), credited_owner=agent), 5, 9)
    kpi_job = JobRun.objects.create(name=f"kpis.compute:{last_month:%Y-%m}")  # the month's job lock row
    # The row the test locks to stop the worker inside each kind of work.
    return {"order events": ("SELECT 1 FROM loyalty_loyaltyaccount WHERE customer_id = %s FOR UPDATE",
                             locked.customer_id),
            "greetings": ("SELECT 1 FROM customers_customer WHERE id = %s FOR UPDATE", born_today[1].pk),
            "KPI month": ("SELECT 1 FROM core_jobrun WHERE id = %s FOR UPDATE", kpi_job.pk)}


def not_done() -> list[str]:
    """What the workers have still to do (empty when all is done)."""
    left = {
        "order events": OrderEvent.objects.filter(processed_at__isnull=True).exists(),
        "greetings sent": Message.objects.filter(status=Message.Status.SENT).count() != 2,
        "KPI snapshots": not MonthlySnapshot.objects.exists(),
        "job runs": JobRun.objects.filter(name__in=["care.birthday_greetings",
                                                    "kpis.compute_previous_month"]).count() != 2,
    }
    return [name for name, missing in left.items() if missing]


def log_tail(path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def effects() -> dict:
    return {
        "points entries": PointsEntry.objects.count(),
        "points entries per source": sorted(set(Counter(PointsEntry.objects.values_list("source", flat=True))
                                                .values())),
        "event attempts": sorted(set(OrderEvent.objects.values_list("attempts", flat=True))),
        "tier changes": sorted(TierChange.objects.values_list("customer_id", "to_tier")),
        "messages": sorted(Message.objects.values_list("status", "attempts")),
        "snapshots": sorted(MonthlySnapshot.objects.values_list("scope_key", flat=True)),
        # One row per job. Its run counter is not an effect: under load a task the killed worker had
        # reserved can be redelivered after the visibility timeout and run once more, finding nothing
        # left to do (the messages, snapshots and points above show that it did nothing twice).
        "job runs": sorted(JobRun.objects.filter(name__in=["care.birthday_greetings", "kpis.compute_previous_month"])
                           .values_list("name", flat=True)),
    }


@pytest.mark.parametrize("killed_in", ["order events", "greetings", "KPI month"])
def test_a_worker_killed_mid_task_leaves_every_effect_exactly_once_after_a_new_worker_starts(tmp_path, killed_in):
    lock_sql, row = given_work()[killed_in]
    redis = RedisServer().start()
    # A message handed to a worker that died before delivering it is handed again after
    # CARE_REDISPATCH_AFTER_SECONDS (an hour in production; seconds here, as beat's ticks are).
    env = process_env(redis.url, CARE_REDISPATCH_AFTER_SECONDS=5)
    first = second = None
    try:
        with side_connection() as locker, side_connection() as side:
            with locker.transaction():
                locker.execute(lock_sql, [row])
                for task in JOBS:
                    send_task(redis.url, task)
                # Three processes: the worker fetches the three tasks at once, and the test kills it
                # only once it has received all three (see the module docstring).
                first = celery_worker(env, tmp_path / "worker-1.log", concurrency=3).start()
                waiting_backend(side, timeout=60)
                wait_until(lambda: len(set(tasks_received(tmp_path / "worker-1.log")) & set(JOBS)) == 3,
                           timeout=60, what="the first worker to receive the three tasks")
                done_before_kill = OrderEvent.objects.filter(processed_at__isnull=False).count()
                first.kill()
        if killed_in == "order events":
            assert done_before_kill == LOCKED - 1  # killed mid-batch: some events done, not all

        second = celery_worker(env, tmp_path / "worker-2.log").start()
        next_tick = [0.0]

        def finished() -> bool:
            if time.monotonic() >= next_tick[0]:  # beat's 5-minute jobs, every 5 s here
                for task in ("customers.sweep_order_events", "care.dispatch_messages"):
                    send_task(redis.url, task)
                next_tick[0] = time.monotonic() + 5
            return not not_done()

        try:
            wait_until(finished, timeout=90, what="the new worker to finish the work", every=0.5)
        except AssertionError as exc:  # say what was left and what the workers logged
            raise AssertionError(f"{exc}; not done: {not_done()}\n--- worker 1:\n{log_tail(tmp_path / 'worker-1.log')}"
                                 f"\n--- worker 2:\n{log_tail(tmp_path / 'worker-2.log')}") from exc
        settled = effects()
        time.sleep(6)  # past another visibility timeout: a late redelivery would show now
        assert effects() == settled
    finally:
        for worker in (first, second):
            if worker is not None:
                worker.stop()
        redis.stop()

    assert settled["points entries"] >= ORDERS and settled["points entries per source"] == [1]
    assert settled["event attempts"] == [1]  # the killed attempt was rolled back with its connection
    assert len(settled["tier changes"]) == len(set(settled["tier changes"]))
    assert settled["messages"] == [(Message.Status.SENT, 1)] * 2
    assert len(settled["snapshots"]) == len(set(settled["snapshots"])) >= 1
    assert settled["job runs"] == ["care.birthday_greetings", "kpis.compute_previous_month"]
