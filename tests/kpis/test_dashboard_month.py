"""The dashboard opens on the last complete month; a month still running is marked as such and
compared like for like (month to date against the same days of the previous month)."""

import datetime as dt
import re

import pytest

from core.roles import Role
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def months():
    """Orders on 5 Sep; 3 and 20 Oct; 2 Nov. September and October computed complete, November on
    4 November at noon (month to date)."""
    c = b.customer()
    b.order(c, finished=b.at(2026, 9, 5))
    b.order(c, finished=b.at(2026, 10, 3))
    b.order(c, finished=b.at(2026, 10, 20))
    b.order(c, finished=b.at(2026, 11, 2))
    snapshot_compute_month(month=dt.date(2026, 9, 1), as_of=b.at(2026, 10, 2))
    snapshot_compute_month(month=dt.date(2026, 10, 1), as_of=b.at(2026, 11, 2))
    snapshot_compute_month(month=dt.date(2026, 11, 1), as_of=b.at(2026, 11, 4, 12))


@pytest.fixture
def on_4_november(monkeypatch):
    monkeypatch.setattr("kpis.views._today", lambda: dt.date(2026, 11, 4))


@pytest.fixture
def analyst_client(client):
    client.force_login(b.staff("analyst", role=Role.DATA_ANALYST))
    return client


def cards(response):
    return {card["field"]: card for card in response.context["data"]["cards"]}


def test_the_dashboard_opens_on_the_last_complete_month_not_the_running_one(analyst_client, months, on_4_november):
    response = analyst_client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["data"]["month"] == dt.date(2026, 10, 1)
    assert response.context["data"]["partial"] is None
    assert 'id="kpi-partial"' not in response.content.decode()


def test_the_running_month_compares_month_to_date_with_the_same_days_of_last_month(analyst_client, months):
    response = analyst_client.get("/dashboard/?month=2026-11")
    data = response.context["data"]
    orders = cards(response)["orders_completed"]
    # 1 order on 1–4 November 12:00 against 1 order on 1–4 October 12:00 (not the 2 of all October)
    assert orders["value"] == 1 and orders["previous"] == 1 and orders["vs_previous"] == 0
    assert orders["vs_last_year"] is None  # a partial month is not compared with a full one
    assert data["partial"]["until"] == b.at(2026, 11, 4, 12)
    assert data["partial"]["previous_until"] == b.at(2026, 10, 4, 12)
    html = response.content.decode()
    assert 'id="kpi-partial"' in html and "kpi-partial-tag" in html


def test_a_complete_month_compares_with_the_whole_previous_month_and_counts_read_without_decimals(
        analyst_client, months):
    response = analyst_client.get("/dashboard/?month=2026-10")
    orders = cards(response)["orders_completed"]
    assert orders["vs_previous"] == 1  # 2 in October against 1 in September
    html = response.content.decode()
    card = re.search(r'data-field="orders_completed">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert "+1<" in card and ".00" not in card


def test_same_days_stop_at_the_end_of_a_shorter_previous_month():
    from kpis.metrics.period import Period
    from kpis.services import same_days_period

    period = Period.of(dt.date(2027, 3, 1))
    same = same_days_period(period, as_of=b.at(2027, 3, 31, 10))
    assert same.month == dt.date(2027, 2, 1) and same.end == b.at(2027, 3, 1, 0)
    assert same_days_period(period, as_of=b.at(2027, 4, 1, 0)) is None


def test_the_daily_job_computes_the_running_month_with_its_same_days_once_however_often_it_runs():
    from django.utils import timezone

    from kpis.models import MonthlySnapshot
    from kpis.tasks import compute_running_month

    compute_running_month()
    compute_running_month()

    running = MonthlySnapshot.objects.get(scope_key="company", month=timezone.localdate().replace(day=1))
    assert running.same_days_last_month is not None and "orders_completed" in running.same_days_last_month["figures"]
