"""Ownership, handovers (客户交接), callbacks and the dormancy sweep."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import JobRun
from customers.errors import CustomerError, NotAllowed
from customers.models import ContactLog, Customer, Handover, Order, OwnershipChange
from customers.services import (
    callback_outcome_record,
    callback_schedule,
    customer_assign_owner,
    customer_refresh_order_dates,
    customer_release_to_pool,
    dormancy_sweep,
    handover_approve,
    handover_confirm,
    handover_reject,
    handover_request,
)
from tests.factories import CustomerFactory, OrderFactory, StaffFactory, SupervisorFactory

DAYS = settings.CUSTOMER_DORMANT_AFTER_DAYS


def customer_with_last_order(days_ago, **fields):
    """A customer whose last completed order finished ``days_ago`` days ago (dates refreshed)."""
    customer = CustomerFactory(**fields)
    OrderFactory(customer=customer, credited_owner=customer.owner,
                 booked_at=timezone.now() - dt.timedelta(days=days_ago, hours=1))
    customer_refresh_order_dates(customer_ids=[customer.pk])
    customer.refresh_from_db()
    return customer


def joined_days_ago(customer, days):
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


# --- owner and public pool -------------------------------------------------------------------
@pytest.mark.django_db
def test_a_supervisor_assigns_an_owner_and_the_change_is_recorded():
    supervisor, agent = SupervisorFactory(), StaffFactory()
    customer = CustomerFactory()
    customer_assign_owner(customer=customer, owner=agent, actor=supervisor, note="新客户分配")
    customer.refresh_from_db()
    assert customer.owner == agent and customer.owner_since is not None and not customer.in_public_pool
    change = OwnershipChange.objects.get()
    assert (change.from_owner, change.to_owner, change.reason, change.changed_by) == (
        None, agent, OwnershipChange.Reason.ASSIGNED, supervisor)


@pytest.mark.django_db
def test_an_agent_may_claim_a_pool_customer_but_not_take_an_owned_one():
    owner, agent = StaffFactory(), StaffFactory()
    pool_customer, owned = CustomerFactory(), CustomerFactory(owner=owner)
    customer_assign_owner(customer=pool_customer, owner=agent, actor=agent)
    with pytest.raises(NotAllowed):
        customer_assign_owner(customer=owned, owner=agent, actor=agent)
    owned.refresh_from_db()
    assert owned.owner == owner


@pytest.mark.django_db
def test_release_to_the_pool_keeps_orders_credited_to_the_former_owner():
    owner = StaffFactory()
    customer = CustomerFactory(owner=owner)
    order = OrderFactory(customer=customer)
    customer_release_to_pool(customer=customer, actor=owner, note="客户移居外地")
    customer.refresh_from_db()
    assert customer.in_public_pool
    assert Order.objects.get(pk=order.pk).credited_owner == owner
    assert OwnershipChange.objects.get().reason == OwnershipChange.Reason.RELEASED


# --- handover --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_handover_is_requested_approved_and_confirmed_and_past_orders_stay_credited():
    supervisor = SupervisorFactory()
    leaver, receiver, bystander = StaffFactory(), StaffFactory(), StaffFactory()
    first, second = CustomerFactory(owner=leaver), CustomerFactory(owner=leaver)
    someone_elses = CustomerFactory(owner=bystander)
    order = OrderFactory(customer=first, credited_owner=leaver)

    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver, reason="离职交接")
    assert handover.status == Handover.Status.REQUESTED
    assert set(handover.customers.all()) == {first, second}
    with pytest.raises(CustomerError):
        handover_confirm(handover=handover, actor=receiver)  # not approved yet
    with pytest.raises(NotAllowed):
        handover_approve(handover=handover, actor=leaver)
    handover_approve(handover=handover, actor=supervisor, note="同意")
    with pytest.raises(NotAllowed):
        handover_confirm(handover=handover, actor=bystander)
    handover = handover_confirm(handover=handover, actor=receiver)

    assert handover.status == Handover.Status.CONFIRMED and handover.confirmed_at is not None
    assert handover.approved_by == supervisor
    assert set(Customer.objects.filter(owner=receiver)) == {first, second}
    assert Customer.objects.get(pk=someone_elses.pk).owner == bystander
    assert Order.objects.get(pk=order.pk).credited_owner == leaver
    changes = OwnershipChange.objects.filter(reason=OwnershipChange.Reason.HANDOVER)
    assert {(c.customer_id, c.from_owner_id, c.to_owner_id, c.handover_id) for c in changes} == {
        (first.pk, leaver.pk, receiver.pk, handover.pk), (second.pk, leaver.pk, receiver.pk, handover.pk)}


@pytest.mark.django_db
def test_a_handover_of_selected_customers_moves_only_those():
    supervisor, leaver, receiver = SupervisorFactory(), StaffFactory(), StaffFactory()
    chosen, kept = CustomerFactory(owner=leaver), CustomerFactory(owner=leaver)
    handover = handover_request(from_user=leaver, to_user=receiver, actor=supervisor, customers=[chosen])
    handover_approve(handover=handover, actor=supervisor)
    handover_confirm(handover=handover, actor=receiver)
    assert Customer.objects.get(pk=chosen.pk).owner == receiver
    assert Customer.objects.get(pk=kept.pk).owner == leaver


@pytest.mark.django_db
def test_a_handover_cannot_list_customers_the_leaver_does_not_own():
    leaver, receiver, other = StaffFactory(), StaffFactory(), StaffFactory()
    with pytest.raises(CustomerError):
        handover_request(from_user=leaver, to_user=receiver, actor=leaver, customers=[CustomerFactory(owner=other)])
    with pytest.raises(CustomerError):
        handover_request(from_user=leaver, to_user=receiver, actor=leaver)  # owns nobody
    assert not Handover.objects.exists()


@pytest.mark.django_db
def test_a_rejected_handover_moves_nobody():
    supervisor, leaver, receiver = SupervisorFactory(), StaffFactory(), StaffFactory()
    customer = CustomerFactory(owner=leaver)
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver)
    handover_reject(handover=handover, actor=supervisor, note="接收人已满负荷")
    with pytest.raises(CustomerError):
        handover_approve(handover=handover, actor=supervisor)
    assert Customer.objects.get(pk=customer.pk).owner == leaver


# --- callbacks -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_callback_with_a_reason_is_scheduled_once_and_its_outcome_recorded_once():
    agent = StaffFactory()
    customer = CustomerFactory()
    due = timezone.localdate()
    first = callback_schedule(customer=customer, agent=agent, due_on=due, reason_key="tier:gold:2026-11")
    again = callback_schedule(customer=customer, agent=agent, due_on=due, reason_key="tier:gold:2026-11")
    assert first.pk == again.pk and ContactLog.objects.count() == 1
    callback_outcome_record(contact=first, actor=agent, outcome=ContactLog.Outcome.REACHED, satisfaction=5,
                            recommend_score=9)
    first.refresh_from_db()
    assert (first.status, first.satisfaction, first.recommend_score) == (ContactLog.Status.DONE, 5, 9)
    with pytest.raises(CustomerError):
        callback_outcome_record(contact=first, actor=agent, outcome=ContactLog.Outcome.REACHED)


@pytest.mark.django_db
def test_satisfaction_is_only_recorded_when_the_customer_was_reached():
    agent = StaffFactory()
    contact = callback_schedule(customer=CustomerFactory(), agent=agent, due_on=timezone.localdate())
    with pytest.raises(CustomerError):
        callback_outcome_record(contact=contact, actor=agent, outcome=ContactLog.Outcome.NOT_REACHED, satisfaction=4)
    with pytest.raises(CustomerError):
        callback_outcome_record(contact=contact, actor=agent, outcome=ContactLog.Outcome.REACHED, recommend_score=11)


# --- dormancy sweep --------------------------------------------------------------------------
@pytest.mark.django_db
def test_sweep_makes_customers_without_a_recent_order_dormant_and_releases_owned_ones():
    owner = StaffFactory()
    lapsed_owned = customer_with_last_order(DAYS + 10, owner=owner)
    lapsed_pool = customer_with_last_order(DAYS + 1)
    recent = customer_with_last_order(DAYS - 1, owner=owner)
    never_ordered_old = CustomerFactory(owner=owner)
    joined_days_ago(never_ordered_old, DAYS + 5)
    never_ordered_new = CustomerFactory(owner=owner)
    for c in (lapsed_owned, lapsed_pool):
        joined_days_ago(c, DAYS + 30)

    result = dormancy_sweep()

    assert result == {"dormant": 3, "released_to_pool": 2}
    for c in (lapsed_owned, lapsed_pool, never_ordered_old):
        c.refresh_from_db()
        assert c.status == Customer.Status.DORMANT and c.owner is None
        assert str(DAYS) in c.status_reason
    for c in (recent, never_ordered_new):
        c.refresh_from_db()
        assert c.status == Customer.Status.ACTIVE and c.owner == owner
    changes = OwnershipChange.objects.filter(reason=OwnershipChange.Reason.DORMANT)
    assert {(c.customer_id, c.from_owner_id, c.to_owner_id) for c in changes} == {
        (lapsed_owned.pk, owner.pk, None), (never_ordered_old.pk, owner.pk, None)}
    assert all(str(DAYS) in c.note for c in changes)
    # Past orders keep their credit.
    assert Order.objects.get(customer=lapsed_owned).credited_owner == owner


@pytest.mark.django_db
def test_a_second_sweep_does_nothing():
    owner = StaffFactory()
    customer = customer_with_last_order(DAYS + 10, owner=owner)
    joined_days_ago(customer, DAYS + 30)
    assert dormancy_sweep() == {"dormant": 1, "released_to_pool": 1}
    assert dormancy_sweep() == {"dormant": 0, "released_to_pool": 0}
    assert OwnershipChange.objects.count() == 1
    assert JobRun.objects.get(name="dormancy_sweep").runs == 2


@pytest.mark.django_db
def test_a_new_completed_order_wakes_a_dormant_customer():
    customer = customer_with_last_order(DAYS + 10)
    joined_days_ago(customer, DAYS + 30)
    dormancy_sweep()
    customer.refresh_from_db()
    assert customer.status == Customer.Status.DORMANT

    order = OrderFactory(customer=customer)
    customer_refresh_order_dates(customer_ids=[customer.pk])

    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert customer.last_order_at == order.finished_at
    assert dormancy_sweep()["dormant"] == 0


@pytest.mark.django_db
def test_a_cancelled_order_does_not_wake_a_dormant_customer():
    customer = customer_with_last_order(DAYS + 10)
    joined_days_ago(customer, DAYS + 30)
    dormancy_sweep()
    OrderFactory(customer=customer, status=Order.Status.CANCELLED)
    customer_refresh_order_dates(customer_ids=[customer.pk])
    customer.refresh_from_db()
    assert customer.status == Customer.Status.DORMANT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_one_ownership_change_per_customer():
    owner = StaffFactory()
    customers = [customer_with_last_order(DAYS + 10 + i, owner=owner) for i in range(20)]
    Customer.objects.update(created_at=timezone.now() - dt.timedelta(days=DAYS + 60))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(dormancy_sweep())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors
    assert sorted(r["dormant"] for r in results) == [0, len(customers)]
    assert sum(r["released_to_pool"] for r in results) == len(customers)
    per_customer = {c.pk: OwnershipChange.objects.filter(customer=c, reason=OwnershipChange.Reason.DORMANT).count()
                    for c in customers}
    assert set(per_customer.values()) == {1}
    assert Customer.objects.filter(status=Customer.Status.DORMANT, owner=None).count() == len(customers)
