"""Behaviour that depends on PostgreSQL: the birthday indexes, COPY-based bulk enqueue with
ON CONFLICT, and row locks when two workers deliver the same message."""

import datetime as dt
import threading

import pytest
from django.db import connection

from care.models import Message, Occasion
from care.services import birthday_customers, message_deliver, occasion_enqueue
from care.services.greetings import messages_bulk_insert
from customers.models import Customer
from tests.care.conftest import local
from tests.factories import CustomerFactory

pytestmark = pytest.mark.postgres


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: ask whether the index *can* serve
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_birthday_queries_can_use_the_care_indexes():
    CustomerFactory(birthday=dt.date(1985, 2, 28))
    CustomerFactory(birthday=dt.date(1960, 3, 2), birthday_is_lunar=True)
    solar, lunar = birthday_customers(dt.date(2027, 2, 28))
    assert "care_customer_birthday_md_idx" in plan(solar.values("pk"))
    assert "care_customer_lunar_bday_idx" in plan(lunar.values("pk"))


@pytest.mark.django_db
def test_bulk_enqueue_counts_only_new_rows_and_ignores_existing_greetings():
    occasion = Occasion.objects.get(code="national_day")
    customers = [CustomerFactory(marketing_consent=True) for _ in range(3)]
    assert occasion_enqueue(occasion=occasion, year=2027, occasion_date=dt.date(2027, 10, 1),
                            customers=Customer.objects.all(), now=local(2027, 9, 30, 9)) == 3
    # a racing second writer with the same rows inserts nothing
    row = Message.objects.filter(customer=customers[0]).values(
        *[f.attname for f in Message._meta.concrete_fields if f.attname != "id"]).get()
    assert messages_bulk_insert([row]) == 0
    assert Message.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_message_send_it_once(sms_log):
    message = Message.objects.create(customer=CustomerFactory(), body="您好", requires_consent=False,
                                     send_after=local(2026, 11, 23, 9))
    results, barrier = [], threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            results.append(message_deliver(message_id=message.pk, now=local(2026, 11, 23, 10)).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["noop", "sent"]
    assert len(sms_log) == 1
