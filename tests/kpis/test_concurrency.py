"""Two computations of the same month at once (a late beat run and a manual command) leave exactly one
snapshot per scope: the job lock serialises them and the unique key backs it."""

import datetime as dt
import threading

import pytest
from django.db import connection

from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

OCT = dt.date(2026, 10, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_computations_of_a_month_leave_one_snapshot_per_scope():
    agent = b.staff("agent_p", team=b.team("并发组"))
    c = b.customer(owner=agent)
    b.review(b.order(c, finished=b.at(2026, 10, 3), credited_owner=agent), 5, 10)
    b.callback(c, agent, happened=b.at(2026, 10, 4), satisfaction=4)
    errors, barrier = [], threading.Barrier(4)

    def compute():
        try:
            barrier.wait()
            snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 2))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=compute) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = list(MonthlySnapshot.objects.filter(month=OCT).values_list("scope_key", flat=True))
    assert sorted(keys) == sorted({"company", f"team:{agent.staff_profile.team_id}", f"agent:{agent.pk}"})
