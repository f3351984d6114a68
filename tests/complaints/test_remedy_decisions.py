"""Each remedy approved or rejected on its own, within the approver's authority over the whole
complaint; the page shows only the buttons the user may use (issue 15 item 5)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.errors import NotAllowed
from complaints.models import Complaint, Remedy
from complaints.services import complaint_transition, remedy_approve, remedy_propose
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def supervisor():
    return StaffFactory(role=Role.CS_SUPERVISOR)  # approval limit ¥1,000


@pytest.fixture
def complaint(agent):
    complaint = make_complaint(actor=agent, category=category("other"))
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    return complaint


def propose(complaint, agent, amount):
    return remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal(amount), actor=agent)


def decide(client, remedy, decision):
    return client.post(reverse("admin:complaints_complaint_remedy_decision",
                               args=[remedy.complaint_id, remedy.pk, decision]))


def test_the_supervisor_approves_one_remedy_and_rejects_the_other(client, agent, supervisor, complaint):
    big, small = propose(complaint, agent, 600), propose(complaint, agent, 300)
    assert big.status == small.status == Remedy.Status.PROPOSED
    client.force_login(supervisor)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert reverse("admin:complaints_complaint_remedy_decision", args=[complaint.pk, big.pk, "approve"]) in page
    decide(client, big, "approve")
    decide(client, small, "reject")
    big.refresh_from_db(), small.refresh_from_db()
    assert big.status == Remedy.Status.APPROVED and big.approved_by == supervisor
    assert small.status == Remedy.Status.REJECTED
    # nothing awaits approval any more: the complaint can be resolved with the approved remedy
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent,
                                     cause="司机绕路", responsibility="driver", resolution_measures="退还差价")
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLVED, actor=agent)
    assert Remedy.objects.get(pk=big.pk).status == Remedy.Status.CARRIED_OUT


def test_approving_one_by_one_cannot_pass_the_authority_over_the_complaint(agent, supervisor, complaint):
    first, second = propose(complaint, agent, 600), propose(complaint, agent, 500)
    remedy_approve(remedy=first, actor=supervisor)
    with pytest.raises(NotAllowed):
        remedy_approve(remedy=second, actor=supervisor)  # ¥1,100 approved in all, above ¥1,000
    assert Remedy.objects.get(pk=second.pk).status == Remedy.Status.PROPOSED
    gm = StaffFactory(role=Role.GENERAL_MANAGER)
    assert remedy_approve(remedy=second, actor=gm).status == Remedy.Status.APPROVED


def test_an_agent_does_not_see_the_approve_button_and_cannot_post_it(client, agent, complaint):
    remedy = propose(complaint, agent, 600)
    client.force_login(agent)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert reverse("admin:complaints_complaint_remedy_decision", args=[complaint.pk, remedy.pk, "approve"]) not in page
    assert 'value="approved"' not in page and 'value="not_upheld"' not in page
    response = decide(client, remedy, "approve")
    assert response.status_code == 302
    assert Remedy.objects.get(pk=remedy.pk).status == Remedy.Status.PROPOSED
    with pytest.raises(NotAllowed):
        remedy_approve(remedy=remedy, actor=agent)


def test_only_moves_allowed_now_are_buttons(client, agent, supervisor, complaint):
    client.force_login(supervisor)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    page = client.get(url).content.decode()
    # investigating: no approval without a remedy awaiting it, no merge-only "duplicate" button
    assert 'value="resolution_proposed"' in page and 'value="not_upheld"' in page
    assert 'value="approved"' not in page and 'value="duplicate"' not in page and 'value="closed"' not in page
