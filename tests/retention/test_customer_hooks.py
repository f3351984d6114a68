"""Early warnings when customers merges two records of one person or anonymises a customer (the handlers
in ``retention/receivers.py``), driven through the real customers services: a customer with warnings
can be merged, the kept customer holds them with one open warning per kind and one callback task for
it; anonymising removes the staff's free-text note and keeps the warnings in the figures."""

import datetime as dt

import pytest

from core.roles import Role
from customers.models import ContactLog
from customers.services import customer_anonymise, customer_merge
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from retention.models import CustomerWarning
from retention.services import warning_work, warnings_raise
from tests.factories import StaffFactory
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

NOW = b.at(2026, 11, 20, 7, 10)
K = CustomerWarning.Kind


def complained_twice(customer, days=(2, 9)):
    for n in days:
        b.complaint(received=NOW - dt.timedelta(days=n), cust=customer)


def rated_low_twice(customer):
    for rating in (2, 1):
        b.review(b.order(customer, finished=NOW - dt.timedelta(days=3)), rating)


def merge(kept, duplicate):
    return customer_merge(kept=kept, duplicate=duplicate, actor=StaffFactory(role=Role.CS_SUPERVISOR),
                          reason="同一位客户，两个手机号")


def test_a_customer_with_warnings_is_merged_and_the_kept_one_has_one_open_warning_per_kind():
    agent = b.staff("am", role=Role.CS_AGENT)
    kept, duplicate = b.customer(owner=agent), b.customer(owner=agent)
    complained_twice(kept)
    complained_twice(duplicate, days=(3, 10))
    rated_low_twice(duplicate)
    warnings_raise(now=NOW)
    by = {(w.customer_id, w.kind): w for w in CustomerWarning.objects.all()}
    kept_complaints, dup_complaints, dup_low = by[kept.pk, K.COMPLAINTS], by[duplicate.pk, K.COMPLAINTS], by[
        duplicate.pk, K.LOW_RATINGS]

    record = merge(kept, duplicate)

    # Every warning is the kept customer's; the two open complaint warnings about one person are one.
    warnings = CustomerWarning.objects.filter(customer=kept)
    assert CustomerWarning.objects.count() == warnings.count() == 2
    assert {(w.pk, w.status) for w in warnings} == {(kept_complaints.pk, "open"), (dup_low.pk, "open")}
    assert not CustomerWarning.objects.filter(pk=dup_complaints.pk).exists()
    assert (record.moved["retention_warnings"], record.moved["retention_warnings_dropped"]) == (1, 1)
    # The owner's list: one callback per open warning (the dropped one's task is cancelled).
    scheduled = ContactLog.objects.filter(customer=kept, status=ContactLog.Status.SCHEDULED, agent=agent)
    assert sorted(scheduled.values_list("reason_key", flat=True)) == sorted(
        [f"warning:{kept_complaints.pk}", f"warning:{dup_low.pk}"])
    assert ContactLog.objects.get(reason_key=f"warning:{dup_complaints.pk}").status == ContactLog.Status.CANCELLED
    # The next run raises nothing new for the merged person: their evidence was already warned on.
    assert warnings_raise(now=NOW + dt.timedelta(hours=1)) == {"frequency_drop": 0, "low_ratings": 0,
                                                                "complaints": 0}


def test_a_worked_warning_of_the_duplicate_moves_as_history_beside_an_open_one():
    agent = b.staff("am", role=Role.CS_AGENT)
    kept, duplicate = b.customer(owner=agent), b.customer(owner=agent)
    complained_twice(kept)
    complained_twice(duplicate, days=(3, 10))
    warnings_raise(now=NOW)
    worked = CustomerWarning.objects.get(customer=duplicate)
    warning_work(warning=worked, actor=agent, outcome="resolved", note="已道歉", now=NOW + dt.timedelta(hours=2))

    merge(kept, duplicate)

    rows = CustomerWarning.objects.filter(customer=kept).order_by("status")
    assert [(w.kind, w.status) for w in rows] == [(K.COMPLAINTS, "open"), (K.COMPLAINTS, "worked")]
    assert rows[1].pk == worked.pk and rows[1].outcome_note == "已道歉"


def test_anonymising_removes_the_outcome_note_but_the_warnings_still_count():
    agent = b.staff("am", role=Role.CS_AGENT)
    customer = b.customer(owner=agent)
    complained_twice(customer)
    warnings_raise(now=NOW)
    warning = CustomerWarning.objects.get()
    warning_work(warning=warning, actor=agent, outcome="retained", note="张先生说下周搬到浦东世纪大道100号",
                 now=NOW + dt.timedelta(hours=2))

    customer_anonymise(customer=customer, reason="客户申请注销")

    warning.refresh_from_db()
    assert (warning.kind, warning.status, warning.outcome, warning.outcome_note) == (
        K.COMPLAINTS, "worked", "retained", "")
    assert warning.reason == "2 次投诉（30 天内）"  # the job's own words, no personal data
    snapshot_compute_month(month=dt.date(2026, 11, 1), as_of=b.at(2026, 12, 1, 0, 30))
    row = MonthlySnapshot.objects.get(month=dt.date(2026, 11, 1), scope_key="company")
    assert (row.warnings_raised, row.warnings_worked) == (1, 1)
