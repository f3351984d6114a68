"""A small service department for the appraisal tests: two teams with their supervisors and agents, an
operations manager and an analyst; helpers that make the month's parts (contacts, callbacks rated by
customers, complaints, QA reviews scored, self-assessments)."""

from types import SimpleNamespace

import pytest

from appraisal.models import ChecklistItem, QaReview
from appraisal.services import qa_review_score
from core.roles import Role
from tests.kpis import builders as b

OCT = b.at(2026, 10, 1).date()


@pytest.fixture
def dept(db):
    team_a, team_b = b.team("客服一组"), b.team("客服二组")
    sup_a = b.staff("sup_a", role=Role.CS_SUPERVISOR, full_name="周主管")
    sup_b = b.staff("sup_b", role=Role.CS_SUPERVISOR, full_name="吴主管")
    team_a.supervisor, team_b.supervisor = sup_a, sup_b
    team_a.save()
    team_b.save()
    return SimpleNamespace(
        team_a=team_a, team_b=team_b, sup_a=sup_a, sup_b=sup_b,
        agent_a1=b.staff("agent_a1", role=Role.CS_AGENT, team=team_a, full_name="王小明"),
        agent_a2=b.staff("agent_a2", role=Role.CS_AGENT, team=team_a, full_name="李小红"),
        agent_b1=b.staff("agent_b1", role=Role.AFTER_SALES, team=team_b, full_name="赵敏"),
        ops=b.staff("ops", role=Role.OPERATIONS_MANAGER),
        analyst=b.staff("analyst", role=Role.DATA_ANALYST),
        gm=b.staff("gm", role=Role.GENERAL_MANAGER, full_name="钱总"),
    )


def contacts(agent, n, *, day=10, month=10):
    """``n`` inquiry calls the agent handled in the month."""
    return [b.callback(b.customer(), agent, happened=b.at(2026, month, day, 10 + i % 8),
                       purpose="inquiry", outcome="reached") for i in range(n)]


def rated_callbacks(agent, ratings, *, month=10):
    """Callbacks the agent did in the month, each rated by the customer (1–5)."""
    return [b.callback(b.customer(), agent, happened=b.at(2026, month, 12), satisfaction=r) for r in ratings]


def scored_review(agent, reviewer, points: int, *, month=OCT):
    """A QA review of one of the agent's contacts, every item given ``points`` (the review scores points × 20)."""
    contact = contacts(agent, 1, month=month.month)[0]
    review = QaReview.objects.create(agent=agent, month=month, contact=contact, sampled_by=reviewer)
    items = ChecklistItem.objects.filter(is_active=True, applies_to__in=["both", "contact"])
    return qa_review_score(review=review, actor=reviewer, points={item.pk: points for item in items})
