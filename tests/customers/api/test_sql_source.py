"""The bulk statements of order ingestion send each column as one PostgreSQL array literal: awkward
values (quotes, backslashes, braces, commas, the word NULL, Chinese text, time zones) arrive intact."""

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from core.db import rows_source as _source
from customers.models import Customer, Order

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _round_trip(fields, columns):
    source, params = _source(fields, columns)
    with connection.cursor() as cursor:
        cursor.execute(source, params)
        return cursor.fetchall()


def test_text_values_that_look_like_array_syntax_arrive_unchanged():
    field = Order._meta.get_field("pickup_address")
    values = ['上海市"外滩"1号', "a,b", "{x}", "back\\slash", "NULL", "", None, " padded ", "it's"]
    rows = _round_trip([field], [values])
    assert [r[0] for r in rows] == values


def test_times_numbers_uuids_and_booleans_arrive_as_the_same_values():
    when = [dt.datetime(2026, 10, 15, 21, 5, 7, 123456, tzinfo=SHANGHAI), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None]
    fees = [Decimal("98.00"), Decimal("0.10"), Decimal("1E+2")]
    ids = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    counts = [1, -2, 3_000_000_000]
    flags = [True, False, None]
    fields = [Order._meta.get_field("booked_at"), Order._meta.get_field("fee"), Customer._meta.get_field("public_id"),
              Order._meta.get_field("id"), Customer._meta.get_field("birthday_is_lunar")]
    rows = _round_trip(fields, [when, fees, ids, counts, flags])
    assert [r[0] for r in rows] == when
    assert [r[1] for r in rows] == fees
    assert [r[2] for r in rows] == ids
    assert [r[3] for r in rows] == counts
    assert [r[4] for r in rows] == flags
