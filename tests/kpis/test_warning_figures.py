"""Early-warning figures of the monthly snapshot (issue 18 item 3), worked out by hand: raised in M
(``raised_at`` in M, Asia/Shanghai bounds), worked in M (``worked_at`` in M, whenever raised); per
agent and team by the account manager the warning went to."""

import pytest

from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from retention.models import CustomerWarning
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = b.at(2026, 10, 1).date()


def warning(customer, owner, *, raised, worked=None, kind="complaints"):
    return CustomerWarning.objects.create(
        customer=customer, owner=owner, kind=kind, reason="测试", evidence_key=f"k:{raised.isoformat()}",
        raised_at=raised, status="worked" if worked else "open", worked_at=worked, outcome="retained" if worked else "")


def test_warnings_raised_and_worked_in_the_month():
    team = b.team("客服一组")
    agent_a = b.staff("agent_a", team=team, full_name="王小明")
    agent_b = b.staff("agent_b", team=team, full_name="李小红")
    c1, c2, c3, c4, c5 = (b.customer(owner=agent_a) for _ in range(5))
    # raised in October, worked in October (A)
    warning(c1, agent_a, raised=b.at(2026, 10, 1, 0, 0, 0), worked=b.at(2026, 10, 3))
    # raised in September, worked in October at the last second (A): worked only
    warning(c2, agent_a, raised=b.at(2026, 9, 30, 23, 59, 59), worked=b.at(2026, 10, 31, 23, 59, 59))
    # raised in October, worked at midnight on 1 November (B): raised only
    warning(c3, agent_b, raised=b.at(2026, 10, 15), worked=b.at(2026, 11, 1, 0, 0, 0), kind="low_ratings")
    # raised in October, still open, public pool (no owner): company only
    warning(c4, None, raised=b.at(2026, 10, 20), kind="frequency_drop")
    # raised at midnight on 1 November: not October's
    warning(c5, agent_b, raised=b.at(2026, 11, 1, 0, 0, 0))

    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))

    company = MonthlySnapshot.objects.get(month=OCT, scope_key="company")
    assert (company.warnings_raised, company.warnings_worked) == (3, 2)
    a = MonthlySnapshot.objects.get(month=OCT, scope_key=f"agent:{agent_a.pk}")
    assert (a.warnings_raised, a.warnings_worked) == (1, 2)
    b_ = MonthlySnapshot.objects.get(month=OCT, scope_key=f"agent:{agent_b.pk}")
    assert (b_.warnings_raised, b_.warnings_worked) == (1, 0)
    t = MonthlySnapshot.objects.get(month=OCT, scope_key=f"team:{team.pk}")
    assert (t.warnings_raised, t.warnings_worked) == (2, 2)


def test_a_month_without_warnings_counts_zero_and_the_dashboard_shows_the_counts(client):
    b.order(b.customer(), finished=b.at(2026, 10, 5))
    warning(b.customer(), None, raised=b.at(2026, 10, 9), worked=b.at(2026, 10, 10))
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    snapshot_compute_month(month=b.at(2026, 9, 1).date(), as_of=b.at(2026, 11, 1, 0, 30))
    september = MonthlySnapshot.objects.get(month=b.at(2026, 9, 1).date(), scope_key="company")
    assert (september.warnings_raised, september.warnings_worked) == (0, 0)
    client.force_login(b.staff("gm", role="总经理"))
    cards = {c["field"]: c for c in client.get("/dashboard/?month=2026-10").context["data"]["cards"]}
    assert (cards["warnings_raised"]["value"], cards["warnings_worked"]["value"]) == (1, 1)
    assert "/admin/retention/customerwarning/?" in cards["warnings_raised"]["link"]
    api = client.get("/api/v1/kpis/monthly/2026-10/").json()
    assert (api["warnings_raised"], api["warnings_worked"]) == (1, 1)
