"""The monthly figure "inquiries and suggestions answered within 24 h %" (issue 17 item 18; 003 8.3.2),
computed by hand from a handful of contacts and compared exactly."""

import datetime as dt
from decimal import Decimal

import pytest

from core.roles import Role
from customers.models import ContactLog
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)
H24 = dt.timedelta(hours=24)


def inquiry(agent, asked, answered=None, purpose=ContactLog.Purpose.INQUIRY, status=ContactLog.Status.DONE):
    return ContactLog.objects.create(customer=b.customer(), agent=agent, purpose=purpose, notes="?", status=status,
                                     happened_at=asked, reply_due_at=asked + H24, answered_at=answered)


@pytest.fixture
def october():
    team = b.team("客服一组")
    zhao, qian = b.staff("zhao", team=team), b.staff("qian", team=team)
    inquiry(zhao, b.at(2026, 10, 2), answered=b.at(2026, 10, 2, 15))  # in time
    inquiry(zhao, b.at(2026, 10, 3), answered=b.at(2026, 10, 4, 12))  # exactly 24 h: in time
    inquiry(zhao, b.at(2026, 10, 5), answered=b.at(2026, 10, 6, 12, 1), purpose="suggestion")  # 1 minute late
    inquiry(qian, b.at(2026, 10, 8))  # never answered, past its deadline: late
    inquiry(qian, b.at(2026, 10, 31, 23))  # still within its 24 h when computed: not known yet, left out
    inquiry(qian, b.at(2026, 10, 9), status=ContactLog.Status.CANCELLED)  # cancelled: not counted
    inquiry(qian, b.at(2026, 9, 30, 11), answered=b.at(2026, 10, 1, 9))  # asked in September
    b.callback(b.customer(), zhao, happened=b.at(2026, 10, 6))  # a callback is not an inquiry
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    return {s.scope_key: s for s in MonthlySnapshot.objects.filter(month=OCT)}, zhao, qian, team


def test_company_figure_counts_answers_within_the_deadline_of_the_known_ones(october):
    snaps, *_ = october
    company = snaps["company"]
    counts = {k: v for k, v in company.inquiries.items() if k != "answered_in_time_rate"}
    assert counts == {"asked": 5, "answered": 3, "answered_in_time": 2, "late": 2}
    assert company.inquiries_answered_in_time_rate == Decimal("50.00")  # 2 of the 4 known


def test_agent_and_team_figures(october):
    snaps, zhao, qian, team = october
    assert snaps[f"agent:{zhao.pk}"].inquiries_answered_in_time_rate == Decimal("66.67")  # 2 of 3
    assert snaps[f"agent:{qian.pk}"].inquiries_answered_in_time_rate == Decimal("0.00")  # 0 of 1 known
    assert snaps[f"team:{team.pk}"].inquiries_answered_in_time_rate == Decimal("50.00")


def test_the_dashboard_shows_the_figure(client, october):
    client.force_login(b.staff("manager", role=Role.OPERATIONS_MANAGER))
    cards = {c["field"]: c for c in client.get("/dashboard/?month=2026-10").context["data"]["cards"]}
    assert cards["inquiries_answered_in_time_rate"]["value"] == Decimal("50.00")
    assert "customers/inquiry" in (cards["inquiries_answered_in_time_rate"].get("link") or "")


def test_no_inquiry_is_an_unknown_rate_not_zero():
    b.order(b.customer(), finished=b.at(2026, 10, 5))
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    assert MonthlySnapshot.objects.get(month=OCT, scope_key="company").inquiries_answered_in_time_rate is None
