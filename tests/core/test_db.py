"""The database toolkit's bulk writes equal what the ORM (and django-simple-history) write."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from core.db import history_created_rows, upsert
from customers.models import Customer, OrderEvent
from customers.services.events import order_events_emit, order_events_record
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

_IGNORED = {"history_id", "history_date", "id", "public_id", "created_at", "updated_at"}  # own values


def _history_row(customer_id):
    row = Customer.history.model.objects.filter(id=customer_id).values().get()
    return {k: v for k, v in row.items() if k not in _IGNORED}


def test_bulk_history_rows_equal_simple_historys_own(django_user_model):
    # given: a customer saved through the ORM, which django-simple-history records
    now = timezone.now().replace(microsecond=0)
    fields = {"full_name": "王小明", "mobile": "13912345678", "source": Customer.Source.PLATFORM,
              "created_at": now, "updated_at": now}
    by_orm = Customer(**fields)
    by_orm._change_reason = "platform API: demo"
    by_orm.save()
    # when: the same customer's row is inserted in bulk with its history row written by the toolkit
    row = {**fields, "public_id": uuid.uuid4(), "mobile": "13912345679"}
    [(pk,)] = upsert(Customer, [row], conflict=["mobile"], returning=["id"])
    history_created_rows(Customer, [{**row, "id": pk}], when=now, reason="platform API: demo")
    # then: both history rows hold the same values (apart from ids and the mobile)
    orm_row, bulk_row = _history_row(by_orm.pk), _history_row(pk)
    assert bulk_row.pop("mobile") == "13912345679" and orm_row.pop("mobile") == "13912345678"
    assert bulk_row == orm_row
    assert bulk_row["history_type"] == "+" and bulk_row["history_user_id"] is None


def test_events_are_recorded_once_per_order_and_kind_whichever_door():
    order = OrderFactory()
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    order_events_record([(order.pk, OrderEvent.Kind.COMPLETED), (order.pk, OrderEvent.Kind.REVIEWED)])
    events = list(OrderEvent.objects.filter(order=order).values_list("kind", "processed_at", "attempts"))
    assert sorted(events) == [(OrderEvent.Kind.COMPLETED, None, 0), (OrderEvent.Kind.REVIEWED, None, 0)]
    assert OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.REVIEWED).created_at > (
        timezone.now() - dt.timedelta(minutes=1))
    assert connection.vendor in ("sqlite", "postgresql")
