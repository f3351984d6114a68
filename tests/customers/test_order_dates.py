"""A customer's order dates: one behaviour, proved the same for the ORM and the PostgreSQL statement
on the same data (customers.services.order_dates)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from core.db import Writes
from customers.models import Customer, Order
from customers.services.order_dates import _refresh_orm, _refresh_sql, customer_refresh_order_dates
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

FIELDS = ("last_order_at", "first_order_at", "activity_mark_at", "status", "status_reason")


def _customers():
    """Given: customers in every case the refresh distinguishes."""
    now = timezone.now()
    stale = now - dt.timedelta(days=3)
    long_ago = now - dt.timedelta(days=900)
    never = CustomerFactory(last_order_at=stale, first_order_at=stale)  # dates with no completed order left
    two = CustomerFactory()
    OrderFactory(customer=two, booked_at=now - dt.timedelta(days=40))
    OrderFactory(customer=two, booked_at=now - dt.timedelta(days=2))
    OrderFactory(customer=two, status=Order.Status.BOOKED, booked_at=now, finished_at=None)
    cancelled = CustomerFactory(last_order_at=stale, first_order_at=stale)  # its only completed order refunded
    OrderFactory(customer=cancelled, status=Order.Status.CANCELLED, booked_at=stale)
    woken = CustomerFactory(status=Customer.Status.DORMANT, status_reason="asleep")
    OrderFactory(customer=woken, booked_at=now - dt.timedelta(days=1))
    asleep = CustomerFactory(status=Customer.Status.DORMANT, status_reason="asleep")
    OrderFactory(customer=asleep, booked_at=long_ago)
    regular = CustomerFactory()  # more completed orders than the activity mark's rank (4)
    for days in (1, 8, 15, 22, 29, 36):
        OrderFactory(customer=regular, booked_at=now - dt.timedelta(days=days))
    return [never.pk, two.pk, cancelled.pk, woken.pk, asleep.pk, regular.pk]


def _state(ids):
    return {row["pk"]: row for row in Customer.objects.filter(pk__in=ids).values("pk", *FIELDS)}


def test_refresh_clears_dates_when_no_completed_order_is_left_and_wakes_only_recent_orderers():
    ids = _customers()
    assert customer_refresh_order_dates(customer_ids=ids) == 6
    state = _state(ids)
    assert state[ids[0]]["last_order_at"] is None and state[ids[0]]["first_order_at"] is None
    assert state[ids[2]]["last_order_at"] is None
    assert state[ids[1]]["first_order_at"] < state[ids[1]]["last_order_at"]
    assert state[ids[3]]["status"] == Customer.Status.ACTIVE
    assert state[ids[4]]["status"] == Customer.Status.DORMANT
    # the activity mark is the 4th most recent completed order (22 days ago), none with fewer than 4
    assert state[ids[1]]["activity_mark_at"] is None
    assert (now_days := (timezone.now() - state[ids[5]]["activity_mark_at"]).days) in (21, 22), now_days


@pytest.mark.postgres
@pytest.mark.parametrize("queued", [False, True])
def test_sql_refresh_equals_the_orm_refresh_on_the_same_data(queued):
    ids = _customers()
    with transaction.atomic():
        sid = transaction.savepoint()
        assert _refresh_orm(ids) == 6
        by_orm = _state(ids)
        transaction.savepoint_rollback(sid)
    assert _state(ids) != by_orm  # (the rollback restored the given state)
    writes = Writes() if queued else None
    count = _refresh_sql(ids, writes)
    if queued:
        writes.send()
    else:
        assert count == 6
    assert _state(ids) == by_orm


def test_the_migration_fills_every_customers_activity_mark_as_the_refresh_would():
    # customers/migrations/0019: existing customers get their mark (on PostgreSQL one window-function
    # UPDATE, elsewhere the ORM), the same value the refresh keeps from then on.
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("customers.migrations.0019_activity_mark")
    ids = _customers()
    customer_refresh_order_dates(customer_ids=ids)
    expected = _state(ids)
    Customer.objects.filter(pk__in=ids).update(activity_mark_at=None)
    # (the two things of a schema editor the data step uses; SQLite's cannot open inside a test's transaction)
    editor = SimpleNamespace(connection=connection,
                             execute=lambda sql, params: connection.cursor().execute(sql, params))
    migration.fill_activity_mark(apps, editor)
    assert _state(ids) == expected
    assert expected[ids[5]]["activity_mark_at"] is not None
