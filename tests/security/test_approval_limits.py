"""Approval authority holds per complaint, not per remedy (issue 13, item 5).

The attacker is an agent with a ¥200 limit who wants to hand out ¥500: one remedy of ¥500 waits for a
supervisor, so the agent tries five of ¥100, or mixes money, coupons and points."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, Remedy
from complaints.services import complaint_remedies_total, complaint_transition, remedy_propose
from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status
INVESTIGATED = dict(cause="司机绕路", responsibility="driver", resolution_measures="退还多收费用并致歉")


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)  # COMPLAINT_LIMIT_AGENT: ¥200


@pytest.fixture
def supervisor():
    return StaffFactory(role=Role.CS_SUPERVISOR)  # ¥1000


@pytest.fixture
def manager():
    return StaffFactory(role=Role.OPERATIONS_MANAGER)  # ¥5000


def investigating(agent) -> Complaint:
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    return complaint


def statuses(complaint) -> list[str]:
    return list(Remedy.objects.filter(complaint=complaint).order_by("id").values_list("status", flat=True))


def test_five_remedies_of_100_by_an_agent_with_a_200_limit_wait_for_a_supervisor(client, agent, supervisor):
    complaint = investigating(agent)
    client.force_login(agent)
    url = reverse("admin:complaints_complaint_remedy", args=[complaint.pk])
    for _ in range(5):
        response = client.post(url, {"remedy-kind": "compensation", "remedy-amount": "100"}, follow=True)

    # The first two fit the agent's ¥200; the rest wait, as one ¥500 remedy would, and the agent is told why.
    assert statuses(complaint) == ["approved", "approved", "proposed", "proposed", "proposed"]
    assert complaint_remedies_total(complaint) == Decimal("500")
    warning = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warning and "¥500" in warning[0] and "¥200" in warning[0]

    # The agent cannot resolve past them.
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent,
                                     **INVESTIGATED)
    with pytest.raises(ComplaintError) as err:
        complaint_transition(complaint=complaint, to_status=S.RESOLVED, actor=agent)
    assert err.value.code == "approval_required"

    # A supervisor (¥1000) may approve the whole ¥500.
    complaint_transition(complaint=complaint, to_status=S.APPROVED, actor=supervisor)
    assert set(statuses(complaint)) == {"approved"}


def test_money_coupons_and_points_count_together(agent, settings):
    settings.COMPLAINT_POINT_VALUE_CNY = ""  # a point is worth what it buys: ¥1 per 100 points
    settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN = 100
    complaint = investigating(agent)
    remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("100"), actor=agent)
    remedy_propose(complaint=complaint, kind=Remedy.Kind.FREE_RIDE_COUPON, amount=Decimal("50"), actor=agent)
    remedy_propose(complaint=complaint, kind=Remedy.Kind.POINTS, points=5000, actor=agent)  # ¥50: total ¥200
    points = remedy_propose(complaint=complaint, kind=Remedy.Kind.POINTS, points=100, actor=agent)  # ¥1 more

    assert points.status == Remedy.Status.PROPOSED
    assert statuses(complaint) == ["approved", "approved", "approved", "proposed"]
    assert complaint_remedies_total(complaint) == Decimal("201.00")


def test_rejected_remedies_do_not_count(agent, supervisor):
    complaint = investigating(agent)
    from complaints.services import remedy_reject

    big = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("500"), actor=agent)
    remedy_reject(remedy=big, actor=supervisor, note="过高")
    small = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("150"), actor=agent)
    assert small.status == Remedy.Status.APPROVED


def test_approver_answers_for_the_complaints_total_including_remedies_approved_earlier(agent, supervisor, manager):
    complaint = investigating(agent)
    first = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("900"),
                           actor=supervisor)
    assert first.status == Remedy.Status.APPROVED  # within the supervisor's ¥1000
    second = remedy_propose(complaint=complaint, kind=Remedy.Kind.DISCOUNT_COUPON, amount=Decimal("200"),
                            actor=agent)
    assert second.status == Remedy.Status.PROPOSED
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent,
                                     **INVESTIGATED)

    # ¥200 alone is within the supervisor's limit, but the complaint now gives ¥1100.
    with pytest.raises(NotAllowed) as err:
        complaint_transition(complaint=complaint, to_status=S.APPROVED, actor=supervisor)
    assert err.value.code == "over_authority" and "¥1100" in err.value.message
    assert Remedy.objects.get(pk=second.pk).status == Remedy.Status.PROPOSED

    complaint_transition(complaint=complaint, to_status=S.APPROVED, actor=manager)
    assert Remedy.objects.get(pk=second.pk).status == Remedy.Status.APPROVED


def test_remedies_without_money_value_are_not_held_back_by_the_total(agent):
    complaint = investigating(agent)
    remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("1500"), actor=agent)
    apology = remedy_propose(complaint=complaint, kind=Remedy.Kind.APOLOGY, actor=agent)
    assert apology.status == Remedy.Status.APPROVED
