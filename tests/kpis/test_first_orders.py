"""The KPI month reads new customers and customers ever from ``Customer.first_order_at`` (kept by
ingestion) rather than the whole order history: it must count what the history says when that
history changes under it: a platform cancels a customer's only completed order (a refund), or an
agent merges a duplicate whose order is older than the kept customer's first."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer, Order
from customers.services.merging import customer_merge
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.customers.api.payloads import order_payload
from tests.kpis import builders as b
from tests.platform_api.clients import client_a, platform, platform_key  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def test_new_customers_and_lifetime_value_follow_refunds_and_merges(client_a):  # noqa: F811 - the fixture
    # given a customer whose only completed order (¥100) the platform then cancels (a refund),
    refunded = order_payload(status="completed", fee="100.00")
    assert client_a.post(URL, refunded, format="json").status_code == 201
    assert client_a.post(URL, {**refunded, "status": "cancelled"}, format="json").status_code == 200
    # a customer whose first completed order (¥50) is this month,
    first = order_payload(status="completed", fee="50.00")
    assert client_a.post(URL, first, format="json").status_code == 201
    finished = Order.objects.get(external_id=first["external_id"]).finished_at
    month = timezone.localtime(finished).date().replace(day=1)
    # and a customer with an order this month (¥30) merged with a duplicate who ordered (¥70) three
    # months before,
    kept, duplicate = b.customer(), b.customer()
    b.order(kept, finished=finished, fee="30.00")
    b.order(duplicate, finished=finished - dt.timedelta(days=92), fee="70.00")
    customer_merge(kept=kept, duplicate=duplicate, reason="same person")
    Customer.objects.update(created_at=b.at(2020, 1, 1))

    # when the month is computed
    snapshot_compute_month(month=month, as_of=max(timezone.now(), finished + dt.timedelta(seconds=1)))
    company = MonthlySnapshot.objects.get(month=month, scope_key="company")

    # then the refunded customer is neither new nor a customer ever, the merged one is not new (their
    # first order is the duplicate's), and lifetime value is (50 + 30 + 70) / 2 customers
    assert company.customers_active == 2
    assert company.customers_new == 1
    assert company.avg_clv == Decimal("75.00")
    # and in the month of the duplicate's order the kept customer is the new one
    earlier = timezone.localtime(finished - dt.timedelta(days=92)).date().replace(day=1)
    snapshot_compute_month(month=earlier, as_of=timezone.now())
    before = MonthlySnapshot.objects.get(month=earlier, scope_key="company")
    assert (before.customers_active, before.customers_new, before.avg_clv) == (1, 1, Decimal("70.00"))
