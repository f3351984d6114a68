"""Numbers under concurrent intake (PostgreSQL: real row locks between connections)."""

import threading

import pytest
from django.db import connection

from complaints.models import Channel, Complaint
from complaints.services import complaint_create
from tests.complaints.factories import category


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_intake_gets_gap_free_unique_numbers():
    # Given 8 threads taking 5 complaints each at the same time
    cat = category()
    errors, barrier = [], threading.Barrier(8)

    def worker(index):
        try:
            barrier.wait()
            for n in range(5):
                complaint_create(channel=Channel.HOTLINE, category=cat, content=f"并发投诉 {index}-{n}",
                                 complainant_name="钱多多", complainant_mobile=f"139{index:04d}{n:04d}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then all 40 are numbered 0001…0040 in one month, none twice, none skipped
    assert errors == []
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    prefix = numbers[0][:7]
    assert numbers == [f"{prefix}{i:04d}" for i in range(1, 41)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_intakes_spread_evenly_over_the_after_sales_role():
    # Given four after-sales agents with nothing open, and 8 driver-conduct complaints at once
    from collections import Counter

    from core.roles import Role
    from tests.factories import StaffFactory

    members = [StaffFactory(role=Role.AFTER_SALES) for _ in range(4)]
    cat = category("driver_attitude")
    errors, barrier = [], threading.Barrier(8)

    def worker(index):
        try:
            barrier.wait()
            complaint_create(channel=Channel.HOTLINE, category=cat, content=f"司机态度 {index}",
                             complainant_name="钱多多", complainant_mobile=f"1390000{index:04d}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then each takes exactly two: intakes serialise, so none sees a stale load
    assert errors == []
    loads = Counter(Complaint.objects.values_list("assignee_id", flat=True))
    assert loads == {m.pk: 2 for m in members}
