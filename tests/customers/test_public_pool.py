"""The public pool's rules (issue 17 item 15; 001 篇2, 篇9, 篇10): served twice → that agent; most of a month's
orders without the account manager → detached; asking for more customers → round-robin by load; a
complaint unhandled for 3 days → another agent; a second contact for each VIP customer."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers.models import ContactLog, Customer, OwnershipChange, PoolRequest
from customers.services.pool import pool_distribute, pool_rules_run
from tests.complaints.factories import ensure_reference_rows
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
NOW = b.at(2026, 11, 20, 9)


def served(customer, agent, when):
    ContactLog.objects.create(customer=customer, agent=agent, purpose=ContactLog.Purpose.INQUIRY, notes="来电",
                              happened_at=when)


def test_a_pool_customer_served_twice_this_month_goes_to_that_agent():
    ensure_reference_rows()
    zhao, qian = b.staff("zhao"), b.staff("qian")
    twice, once = b.customer(), b.customer()
    served(twice, zhao, b.at(2026, 11, 3))
    b.complaint(received=b.at(2026, 11, 10), assignee=zhao, cust=twice, status="resolved",
                resolved=b.at(2026, 11, 11))  # a complaint counts as serving
    served(twice, qian, b.at(2026, 11, 4))
    served(once, qian, b.at(2026, 11, 5))
    served(once, qian, b.at(2026, 10, 28))  # last month: not this month's

    assert pool_rules_run(now=NOW)["served_twice"] == 1
    twice.refresh_from_db()
    once.refresh_from_db()
    assert twice.owner == zhao and once.owner is None
    assert OwnershipChange.objects.get(customer=twice).reason == OwnershipChange.Reason.SERVED_TWICE
    assert pool_rules_run(now=NOW)["served_twice"] == 0  # a second run changes nothing


def test_a_customer_booking_most_orders_without_the_owner_is_detached():
    owner = b.staff("owner")
    alone, involved = b.customer(owner=owner), b.customer(owner=owner)
    Customer.objects.filter(pk__in=[alone.pk, involved.pk]).update(owner_since=b.at(2026, 1, 1))
    for day in (3, 12, 20):
        b.order(alone, finished=b.at(2026, 10, day))
        b.order(involved, finished=b.at(2026, 10, day))
    served(alone, owner, b.at(2026, 10, 19))  # involved in 1 of 3: 67 % without → detached
    served(involved, owner, b.at(2026, 10, 1))  # the call before all three: involved in every one

    assert pool_rules_run(now=NOW)["detached"] == 1
    alone.refresh_from_db()
    involved.refresh_from_db()
    assert alone.owner is None and involved.owner == owner
    change = OwnershipChange.objects.get(customer=alone)
    assert change.reason == OwnershipChange.Reason.NOT_INVOLVED
    assert "2" in change.note and "3" in change.note and "2026-10" in change.note  # 2 of 3 orders in 2026-10
    assert pool_rules_run(now=NOW)["detached"] == 0


def test_a_complaint_unhandled_for_three_days_moves_the_customer_once():
    ensure_reference_rows()
    team = b.team("客服一组")
    slow, light, busy = b.staff("slow", team=team), b.staff("light", team=team), b.staff("busy", team=team)
    b.customer(owner=busy)
    customer = b.customer(owner=slow)
    b.complaint(received=timezone.now() - dt.timedelta(days=4), cust=customer, assignee=slow)
    fresh = b.customer(owner=slow)
    b.complaint(received=timezone.now() - dt.timedelta(days=1), cust=fresh, assignee=slow)

    assert pool_rules_run()["complaint_moves"] == 1
    customer.refresh_from_db()
    assert customer.owner == light  # the least loaded other agent of the team
    assert pool_rules_run()["complaint_moves"] == 0  # once per complaint


def test_asking_for_more_customers_is_served_round_robin_by_load(client):
    supervisor = b.staff("hq", role=Role.CS_SUPERVISOR)
    light, heavy = b.staff("light", role=Role.CS_AGENT), b.staff("heavy", role=Role.CS_AGENT)
    for _ in range(3):
        b.customer(owner=heavy)
    pool = [b.customer() for _ in range(5)]
    client.force_login(light)
    client.post(reverse("admin:customers_poolrequest_add"), {"count": 3})
    client.force_login(heavy)
    client.post(reverse("admin:customers_poolrequest_add"), {"count": 3})
    requests = PoolRequest.objects.all()
    assert {r.requested_by for r in requests} == {light, heavy}

    client.force_login(supervisor)
    client.post(reverse("admin:customers_poolrequest_changelist"),
                {"action": "distribute", "_selected_action": [r.pk for r in requests]})

    owners = list(Customer.objects.filter(pk__in=[c.pk for c in pool]).values_list("owner__username", flat=True))
    # light (0 customers) gets three before heavy (3) catches up; then heavy gets the last two
    assert owners.count("light") == 3 and owners.count("heavy") == 2
    assert PoolRequest.objects.get(requested_by=light).status == PoolRequest.Status.SERVED


def test_an_agent_cannot_distribute():
    agent = b.staff("agent", role=Role.CS_AGENT)
    request = PoolRequest.objects.create(requested_by=agent, count=1)
    from customers.errors import NotAllowed

    with pytest.raises(NotAllowed):
        pool_distribute(requests=[request], actor=agent)


def test_each_vip_customer_gets_a_second_contact_from_the_owners_team():
    from loyalty.models import LoyaltyAccount, Tier

    team = b.team("客服二组")
    owner, colleague = b.staff("owner", team=team), b.staff("colleague", team=team)
    vip, normal = b.customer(owner=owner), b.customer(owner=owner)
    LoyaltyAccount.objects.create(customer=vip, tier=Tier.GOLD)
    LoyaltyAccount.objects.create(customer=normal, tier=Tier.NORMAL)

    assert pool_rules_run()["second_contacts"] == 1
    vip.refresh_from_db()
    normal.refresh_from_db()
    assert vip.secondary_owner == colleague and normal.secondary_owner is None
    assert pool_rules_run()["second_contacts"] == 0
