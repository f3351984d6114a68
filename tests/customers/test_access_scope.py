"""Access scope by duty (issue 17 item 20; 000 根据工作职责明确其访问范围, 001 篇9 1.5): an agent sees the
customers of their own team and the public pool; another team's customer needs the general manager's
approval or an audited break-glass, and both are recorded."""

import pytest
from django.urls import reverse

from core.models import Notification
from core.roles import Role
from customers.models import CustomerAccessRequest
from customers.search import staff_search
from customers.services.exports import customers_export
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    east, west = SupervisorFactory(), SupervisorFactory()
    me = StaffFactory(role=Role.CS_AGENT, team=east.staff_profile.team)
    colleague = StaffFactory(role=Role.CS_AGENT, team=east.staff_profile.team)
    other = StaffFactory(role=Role.CS_AGENT, team=west.staff_profile.team)
    return {
        "me": me, "gm": StaffFactory(role=Role.GENERAL_MANAGER), "east_supervisor": east,
        "mine": CustomerFactory(owner=me, full_name="张自己"),
        "colleague": CustomerFactory(owner=colleague, full_name="李同组"),
        "pool": CustomerFactory(owner=None, full_name="王公海"),
        "other": CustomerFactory(owner=other, full_name="赵别组"),
    }


def page(customer):
    return reverse("admin:customers_customer_change", args=[customer.pk])


def listed(client, **params):
    response = client.get(reverse("admin:customers_customer_changelist"), params)
    return {c.full_name for c in response.context["cl"].result_list}


def test_an_agent_lists_their_team_and_the_pool_only(client, teams):
    client.force_login(teams["me"])
    assert listed(client) == {"张自己", "李同组", "王公海"}
    assert listed(client, q="赵别组") == set()
    assert [h.title for g in staff_search("赵别组", user=teams["me"]) for h in g.hits] == []


def test_a_supervisor_sees_every_team_by_duty(client, teams):
    client.force_login(teams["east_supervisor"])
    assert "赵别组" in listed(client)
    assert client.get(page(teams["other"])).context.get("original") == teams["other"]


def test_another_teams_customer_opens_the_access_request_not_the_profile(client, teams):
    client.force_login(teams["me"])
    response = client.get(page(teams["other"]))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="access-scope"' in body
    assert teams["other"].mobile not in body and "original" not in response.context


def test_a_request_approved_by_the_general_manager_opens_the_profile(client, teams):
    me, gm, other = teams["me"], teams["gm"], teams["other"]
    client.force_login(me)
    client.post(page(other), {"reason": "客户来电投诉上周订单，需查看历史", "_request": "1"})
    req = CustomerAccessRequest.objects.get(customer=other, requested_by=me)
    assert req.status == CustomerAccessRequest.Status.PENDING
    assert Notification.objects.filter(recipient=gm, kind=Notification.Kind.APPROVAL).exists()
    assert 'id="access-scope"' in client.get(page(other)).content.decode()  # still waiting

    client.force_login(gm)
    client.post(reverse("admin:customers_customeraccessrequest_changelist"),
                {"action": "approve", "_selected_action": [req.pk]})
    req.refresh_from_db()
    assert req.status == CustomerAccessRequest.Status.APPROVED and req.decided_by == gm and req.expires_at

    client.force_login(me)
    assert client.get(page(other)).context["original"] == other
    assert "赵别组" in listed(client)


def test_break_glass_opens_at_once_and_is_reported(client, teams):
    me, gm, other = teams["me"], teams["gm"], teams["other"]
    client.force_login(me)
    client.post(page(other), {"reason": "客户在线等待，紧急处理代驾事故", "_break_glass": "1"})

    req = CustomerAccessRequest.objects.get(customer=other, requested_by=me)
    assert req.kind == CustomerAccessRequest.Kind.BREAK_GLASS and req.status == CustomerAccessRequest.Status.APPROVED
    assert "紧急处理" in req.reason
    assert Notification.objects.filter(recipient=gm, kind=Notification.Kind.INFO).exists()
    assert client.get(page(other)).context["original"] == other


def test_a_reason_is_required(client, teams):
    client.force_login(teams["me"])
    client.post(page(teams["other"]), {"reason": "", "_break_glass": "1"})
    assert not CustomerAccessRequest.objects.exists()


def test_an_export_holds_only_the_customers_in_scope(teams):
    from django.contrib.auth.models import Permission

    me = teams["me"]
    me.user_permissions.add(Permission.objects.get(codename="export_customer"))
    me = type(me).objects.get(pk=me.pk)
    from customers.models import Customer

    exported = customers_export(actor=me, queryset=Customer.objects.all(), fmt="csv")
    assert exported.row_count == 3
