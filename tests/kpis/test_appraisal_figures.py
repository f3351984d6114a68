"""Appraisal figures of the monthly snapshot (issue 18 item 4), worked out by hand: the agent's appraisal
score of the month; the team's the average of its agents' scores; the company's the average of every
appraised agent's; agents with no score left out; shown in the dashboard's agent ranking and the API."""

from decimal import Decimal

import pytest

from appraisal.models import Appraisal, SelfAssessment
from appraisal.services import appraisals_compute_month
from core.roles import Role
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.appraisal.conftest import rated_callbacks, scored_review
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = b.at(2026, 10, 1).date()
AFTER_OCTOBER = b.at(2026, 11, 1, 0, 30)


def test_appraisal_scores_per_agent_team_and_company_equal_a_hand_computation():
    team_a, team_b = b.team("客服一组"), b.team("售后组")
    sup = b.staff("sup", role=Role.CS_SUPERVISOR)
    team_a.supervisor = sup
    team_a.save()
    a1 = b.staff("a1", role=Role.CS_AGENT, team=team_a, full_name="王小明")
    a2 = b.staff("a2", role=Role.CS_AGENT, team=team_a, full_name="李小红")
    a3 = b.staff("a3", role=Role.AFTER_SALES, team=team_b, full_name="赵敏")
    b.staff("a4", role=Role.CS_AGENT, team=team_b, full_name="孙丽")  # nothing this month: no score
    # a1: QA 80 (every item 4/5), self 90, customers 4 and 5 stars (90) → (50×80 + 20×90 + 30×90) / 100 = 85.00
    scored_review(a1, sup, 4)
    SelfAssessment.objects.create(agent=a1, month=OCT, score=90, text="好")
    rated_callbacks(a1, [4, 5])
    # a2: QA 100 and 60 (average 80), self 70, no ratings → (50×80 + 20×70) / 70 = 77.142… → 77.14
    scored_review(a2, sup, 5)
    scored_review(a2, sup, 3)
    SelfAssessment.objects.create(agent=a2, month=OCT, score=70, text="一般")
    # a3: customers only, 3 stars → 60.00
    rated_callbacks(a3, [3])
    # a September self-assessment does not count in October
    SelfAssessment.objects.create(agent=a3, month=b.at(2026, 9, 1).date(), score=10, text="九月")
    appraisals_compute_month(month=OCT, now=b.at(2026, 11, 1, 0, 20))
    assert [a.total for a in Appraisal.objects.filter(agent__in=[a1, a2, a3]).order_by("agent__username")] == [
        Decimal("85.00"), Decimal("77.14"), Decimal("60.00")]

    snapshot_compute_month(month=OCT, as_of=AFTER_OCTOBER)

    def figure(key):
        return MonthlySnapshot.objects.get(month=OCT, scope_key=key).appraisal_score

    assert (figure(f"agent:{a1.pk}"), figure(f"agent:{a2.pk}"), figure(f"agent:{a3.pk}")) == (
        Decimal("85.00"), Decimal("77.14"), Decimal("60.00"))
    assert figure(f"team:{team_a.pk}") == Decimal("81.07")  # (85.00 + 77.14) / 2 = 81.07
    assert figure(f"team:{team_b.pk}") == Decimal("60.00")  # a4 has no score: left out
    assert figure("company") == Decimal("74.05")  # (85.00 + 77.14 + 60.00) / 3 = 74.046… → 74.05


def test_a_month_without_appraisals_has_no_score_and_the_dashboard_ranks_agents_with_theirs(client):
    team = b.team("客服一组")
    sup = b.staff("sup", role=Role.CS_SUPERVISOR)
    team.supervisor = sup
    team.save()
    agent = b.staff("a1", role=Role.CS_AGENT, team=team, full_name="王小明")
    rated_callbacks(agent, [5, 4])
    b.order(b.customer(), finished=b.at(2026, 9, 5))
    snapshot_compute_month(month=b.at(2026, 9, 1).date(), as_of=AFTER_OCTOBER)
    assert MonthlySnapshot.objects.get(month=b.at(2026, 9, 1).date(), scope_key="company").appraisal_score is None
    appraisals_compute_month(month=OCT)
    snapshot_compute_month(month=OCT, as_of=AFTER_OCTOBER)
    client.force_login(b.staff("gm", role=Role.GENERAL_MANAGER))
    response = client.get("/dashboard/?month=2026-10")
    cards = {c["field"]: c for c in response.context["data"]["cards"]}
    assert cards["appraisal_score"]["value"] == Decimal("90.00")
    assert "/admin/appraisal/appraisal/?month=2026-10-01" in cards["appraisal_score"]["link"]
    page = response.content.decode()
    assert "考核得分" in page and '<td class="kpi-appraisal">90.00</td>' in page
    assert client.get("/api/v1/kpis/monthly/2026-10/").json()["appraisal_score"] == 90.0
