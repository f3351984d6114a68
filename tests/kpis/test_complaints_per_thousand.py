"""Beside the seed's complaint ratio (orders with a complaint), the dashboard shows every complaint
received — with or without an order — per 1,000 completed orders (issue 17, item 11)."""

import datetime as dt
from decimal import Decimal

import pytest

from core.roles import Role
from kpis.models import MonthlySnapshot
from kpis.rules import per_thousand
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def october():
    cust = b.customer()
    orders = [b.order(cust, finished=b.at(2026, 10, day)) for day in (3, 4, 5, 6)]
    # one complaint about an order, two by hotline with no order (the customer did not know it)
    b.complaint(received=b.at(2026, 10, 7), order_=orders[0])
    b.complaint(received=b.at(2026, 10, 8))
    b.complaint(received=b.at(2026, 10, 9))
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    return MonthlySnapshot.objects.get(month=OCT, scope_key="company")


def test_complaints_without_an_order_count_per_thousand_orders(october):
    assert october.complaint_rate == Decimal("25.00")  # the seed's ratio: 1 order of 4 had a complaint
    assert october.complaints_per_1000_orders == Decimal("750.00")  # 3 complaints per 4 orders


def test_the_dashboard_shows_both_figures(client, october):
    client.force_login(b.staff("manager", role=Role.OPERATIONS_MANAGER))
    cards = {c["field"]: c for c in client.get("/dashboard/?month=2026-10").context["data"]["cards"]}
    assert cards["complaint_rate"]["value"] == Decimal("25.00")
    assert cards["complaints_per_1000_orders"]["value"] == Decimal("750.00")


def test_per_thousand_is_unknown_without_orders():
    assert per_thousand(3, 0) is None and per_thousand(1, 3) == Decimal("333.33")
