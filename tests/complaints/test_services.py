"""Intake, grading, the workflow, remedies with authority and the driver score."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Channel, Complaint, DriverAction, Remedy, TimelineEntry
from complaints.selectors import driver_service_score
from complaints.services import (
    complaint_create,
    complaint_set_grade,
    complaint_transition,
    remedy_propose,
)
from core.roles import Role
from customers.models import ContactLog
from tests.complaints.factories import category, grade, make_complaint
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def supervisor():
    return StaffFactory(role=Role.CS_SUPERVISOR)


@pytest.fixture
def manager():
    return StaffFactory(role=Role.OPERATIONS_MANAGER)


def advance(complaint, actor, *targets, **fields):
    for target in targets:
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=actor,
                                         note="waiting" if target == S.AWAITING_CUSTOMER else "", **fields)
    return complaint


INVESTIGATED = dict(cause="司机未按导航行驶", responsibility="driver", resolution_measures="道歉并退还多收费用")


# --- intake ----------------------------------------------------------------------------------
def test_intake_numbers_complaints_per_month_in_sequence(agent):
    first, second = make_complaint(actor=agent), make_complaint(actor=agent)
    prefix = "TS" + timezone.localtime(first.received_at).strftime("%y%m") + "-"
    assert (first.number, second.number) == (prefix + "0001", prefix + "0002")


def test_intake_number_follows_the_month_received_in_local_time(agent):
    # 31 Oct 2026 23:30 in Shanghai is still October although it is 15:30 UTC.
    received = dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC)
    complaint = make_complaint(actor=agent, received_at=received)
    assert complaint.number == "TS2610-0001"


def test_intake_takes_customer_driver_and_platform_from_the_order(agent):
    order = OrderFactory()
    complaint = make_complaint(order=order, actor=agent)
    assert (complaint.customer, complaint.driver, complaint.platform) == (order.customer, order.driver,
                                                                          order.platform)


def test_intake_of_a_non_customer_keeps_name_and_phone(agent):
    complaint = make_complaint(complainant_name="赵建国", complainant_mobile="13912345678", actor=agent)
    assert complaint.customer is None and complaint.complainant_mobile == "13912345678"


def test_intake_links_an_existing_customer_by_mobile(agent):
    customer = CustomerFactory()
    complaint = make_complaint(complainant_name="x", complainant_mobile=customer.mobile, actor=agent)
    assert complaint.customer == customer


def test_intake_without_a_complainant_is_refused_and_writes_nothing(agent):
    with pytest.raises(ComplaintError) as err:
        complaint_create(channel=Channel.HOTLINE, category=category(), content="x", actor=agent)
    assert err.value.field == "complainant_mobile"
    assert not Complaint.objects.exists()


def test_intake_sets_deadlines_from_the_grade(agent):
    complaint = make_complaint(actor=agent)
    assert complaint.acknowledge_due_at - complaint.received_at == dt.timedelta(hours=24)
    assert complaint.resolve_due_at - complaint.received_at == dt.timedelta(days=3)
    assert complaint.close_due_at - complaint.received_at == dt.timedelta(days=15)
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.CREATED).count() == 1


def test_crisis_grade_has_two_hour_acknowledge_and_one_day_resolve(agent, manager):
    complaint = make_complaint(actor=agent, grade=grade("crisis"))
    assert complaint.acknowledge_due_at - complaint.received_at == dt.timedelta(hours=2)
    assert complaint.resolve_due_at - complaint.received_at == dt.timedelta(hours=24)


def test_working_days_grade_skips_holidays(agent):
    g = grade("minor_grievance")
    g.working_days = True
    g.save()
    received = dt.datetime(2026, 9, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    complaint = make_complaint(actor=agent, received_at=received)
    assert timezone.localtime(complaint.acknowledge_due_at).date() == dt.date(2026, 10, 8)


# --- grades ----------------------------------------------------------------------------------
def test_consumer_association_referral_starts_as_major(agent):
    complaint = make_complaint(actor=agent, channel=Channel.CONSUMER_ASSOCIATION)
    assert complaint.grade.code == "major" and complaint.owner_role == Role.GENERAL_MANAGER


def test_unsafe_driving_starts_at_least_as_complaint(agent):
    assert make_complaint(actor=agent, category=category("unsafe_driving")).grade.code == "complaint"


def test_second_complaint_within_thirty_days_goes_one_grade_up(agent):
    customer = CustomerFactory()
    make_complaint(actor=agent, customer=customer, received_at=timezone.now() - dt.timedelta(days=20))
    second = make_complaint(actor=agent, customer=customer)
    assert second.grade.code == "grievance"


def test_complaint_after_the_window_is_not_raised(agent):
    customer = CustomerFactory()
    make_complaint(actor=agent, customer=customer, received_at=timezone.now() - dt.timedelta(days=40))
    assert make_complaint(actor=agent, customer=customer).grade.code == "minor_grievance"


def test_intake_refuses_a_grade_below_the_rule_minimum(agent):
    with pytest.raises(ComplaintError) as err:
        make_complaint(actor=agent, category=category("vehicle_damage"), grade=grade("grievance"))
    assert err.value.code == "grade_below_minimum"


def test_staff_may_raise_a_grade_but_never_below_the_minimum(agent):
    complaint = make_complaint(actor=agent, category=category("unsafe_driving"))
    raised = complaint_set_grade(complaint=complaint, grade=grade("crisis"), actor=agent, note="媒体关注")
    assert raised.grade.code == "crisis" and raised.owner_role == Role.GENERAL_MANAGER
    assert raised.resolve_due_at - raised.received_at == dt.timedelta(hours=24)
    with pytest.raises(ComplaintError):
        complaint_set_grade(complaint=raised, grade=grade("grievance"), actor=agent)
    assert Complaint.objects.get(pk=complaint.pk).grade.code == "crisis"


def test_raising_a_grade_notifies_the_new_owner_role(agent, django_capture_on_commit_callbacks):
    gm = StaffFactory(role=Role.GENERAL_MANAGER)
    complaint = make_complaint(actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_set_grade(complaint=complaint, grade=grade("major"), actor=agent)
    assert any(gm.email in m.to for m in mail.outbox)


# --- workflow --------------------------------------------------------------------------------
def test_illegal_transition_is_refused_with_a_clear_message(agent):
    complaint = make_complaint(actor=agent)
    with pytest.raises(ComplaintError) as err:
        complaint_transition(complaint=complaint, to_status=S.RESOLVED, actor=agent)
    assert err.value.code == "illegal_transition"
    assert str(S.ACKNOWLEDGED.label) in err.value.message  # names the moves allowed from here
    assert Complaint.objects.get(pk=complaint.pk).status == S.RECEIVED


def test_every_status_change_is_recorded_with_from_to_who_and_note(agent):
    complaint = advance(make_complaint(actor=agent), agent, S.ACKNOWLEDGED)
    entry = complaint.timeline.get(kind=TimelineEntry.Kind.STATUS)
    assert (entry.from_status, entry.to_status, entry.actor) == (S.RECEIVED, S.ACKNOWLEDGED, agent)
    assert complaint.acknowledged_at is not None


def test_only_a_supervisor_may_close_as_not_upheld_and_needs_a_reason(agent, supervisor):
    complaint = make_complaint(actor=agent)
    with pytest.raises(NotAllowed):
        complaint_transition(complaint=complaint, to_status=S.NOT_UPHELD, actor=agent, note="无依据")
    with pytest.raises(ComplaintError):
        complaint_transition(complaint=complaint, to_status=S.NOT_UPHELD, actor=supervisor)
    done = complaint_transition(complaint=complaint, to_status=S.NOT_UPHELD, actor=supervisor, note="行程记录无异常")
    assert done.status == S.NOT_UPHELD and done.not_upheld_reason == "行程记录无异常"


def test_a_data_analyst_cannot_move_complaints(agent):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    with pytest.raises(NotAllowed):
        complaint_transition(complaint=make_complaint(actor=agent), to_status=S.ACKNOWLEDGED, actor=analyst)


def test_proposing_a_resolution_needs_cause_responsibility_and_measures(agent):
    complaint = advance(make_complaint(actor=agent), agent, S.ACKNOWLEDGED, S.INVESTIGATING)
    with pytest.raises(ComplaintError) as err:
        complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent)
    assert err.value.field == "cause"
    proposed = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent, **INVESTIGATED)
    assert proposed.proposed_by == agent


def test_awaiting_customer_pauses_the_resolve_clock(agent):
    complaint = advance(make_complaint(actor=agent), agent, S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER)
    due_before = complaint.resolve_due_at
    Complaint.objects.filter(pk=complaint.pk).update(paused_since=timezone.now() - dt.timedelta(hours=10))
    complaint = advance(complaint, agent, S.INVESTIGATING)
    assert complaint.paused_seconds >= 10 * 3600
    assert complaint.resolve_due_at - due_before >= dt.timedelta(hours=10)
    assert complaint.paused_since is None


def test_full_pipeline_with_reopening_counts_reopenings_and_schedules_callbacks(agent):
    complaint = advance(make_complaint(actor=agent), agent, S.ACKNOWLEDGED, S.INVESTIGATING)
    complaint = advance(complaint, agent, S.RESOLUTION_PROPOSED, **INVESTIGATED)
    complaint = advance(complaint, agent, S.RESOLVED, S.FOLLOW_UP, S.INVESTIGATING)
    assert complaint.reopen_count == 1 and complaint.resolved_at is None
    complaint = advance(complaint, agent, S.RESOLUTION_PROPOSED, S.RESOLVED, S.FOLLOW_UP, S.CLOSED)
    assert complaint.status == S.CLOSED and complaint.follow_up_answer == "satisfied" and complaint.closed_at
    callbacks = ContactLog.objects.filter(customer=complaint.customer, purpose=ContactLog.Purpose.COMPLAINT_FOLLOW_UP)
    assert sorted(callbacks.values_list("reason_key", flat=True)) == [
        f"complaint:{complaint.number}", f"complaint:{complaint.number}:1"]


# --- remedies and authority ------------------------------------------------------------------
def investigating(agent, **kwargs):
    return advance(make_complaint(actor=agent, **kwargs), agent, S.ACKNOWLEDGED, S.INVESTIGATING)


def test_remedy_within_the_agents_authority_is_approved_at_once(agent):
    complaint = investigating(agent)
    remedy = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("200"), actor=agent)
    assert remedy.status == Remedy.Status.APPROVED and remedy.approved_by == agent


def test_remedy_above_the_agents_authority_blocks_resolution_until_approved(agent, supervisor, manager):
    complaint = investigating(agent)
    remedy = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("1500"), actor=agent)
    assert remedy.status == Remedy.Status.PROPOSED
    complaint = advance(complaint, agent, S.RESOLUTION_PROPOSED, **INVESTIGATED)
    with pytest.raises(ComplaintError) as err:
        complaint_transition(complaint=complaint, to_status=S.RESOLVED, actor=agent)
    assert err.value.code == "approval_required"
    # A supervisor (limit 1000) may not approve 1500; an operations manager (5000) may.
    with pytest.raises(NotAllowed) as err:
        complaint_transition(complaint=complaint, to_status=S.APPROVED, actor=supervisor)
    assert err.value.code == "over_authority"
    assert Remedy.objects.get(pk=remedy.pk).status == Remedy.Status.PROPOSED
    complaint = advance(complaint, manager, S.APPROVED, S.RESOLVED)
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.CARRIED_OUT and remedy.approved_by == manager


def test_overcharge_compensation_defaults_to_twice_the_overcharge(agent):
    remedy = remedy_propose(complaint=investigating(agent), kind=Remedy.Kind.COMPENSATION,
                            overcharged_amount=Decimal("45"), actor=agent)
    assert remedy.amount == Decimal("90.00")


def test_coupon_for_a_non_customer_is_refused(agent):
    complaint = investigating(agent, complainant_name="赵建国", complainant_mobile="13912345678")
    with pytest.raises(ComplaintError):
        remedy_propose(complaint=complaint, kind=Remedy.Kind.FREE_RIDE_COUPON, amount=Decimal("50"), actor=agent)


def test_driver_action_is_recorded_on_the_driver_when_resolved(agent):
    complaint = investigating(agent, order=OrderFactory())
    remedy_propose(complaint=complaint, kind=Remedy.Kind.DRIVER_ACTION, action=Remedy.Action.TRAINING, actor=agent)
    advance(complaint, agent, S.RESOLUTION_PROPOSED, S.RESOLVED, **INVESTIGATED)
    assert DriverAction.objects.filter(driver=complaint.driver, kind="training", complaint=complaint).exists()


# --- driver service score --------------------------------------------------------------------
def resolve_for_driver(agent, order, code):
    complaint = investigating(agent, order=order, category=category(code))
    return advance(complaint, agent, S.RESOLUTION_PROPOSED, S.RESOLVED, **INVESTIGATED)


def test_upheld_driver_complaint_deducts_the_category_points_once(agent):
    order = OrderFactory()
    complaint = resolve_for_driver(agent, order, "detour_fee")
    year = timezone.localdate().year
    assert driver_service_score(driver_id=order.driver_id, year=year) == (6, False)
    # Reopened and resolved again: still one deduction for the complaint.
    advance(complaint, agent, S.FOLLOW_UP, S.INVESTIGATING, S.RESOLUTION_PROPOSED, S.RESOLVED)
    assert driver_service_score(driver_id=order.driver_id, year=year) == (6, False)


def test_driver_at_zero_is_flagged_for_suspension_once(agent):
    order = OrderFactory()
    resolve_for_driver(agent, order, "trip_abandoned")
    resolve_for_driver(agent, OrderFactory(driver=order.driver, customer=order.customer), "detour_fee")
    year = timezone.localdate().year
    assert driver_service_score(driver_id=order.driver_id, year=year) == (0, True)
    assert DriverAction.objects.filter(driver=order.driver, kind="suspension_flag", year=year).count() == 1


def test_not_driver_responsible_deducts_nothing(agent):
    order = OrderFactory()
    complaint = investigating(agent, order=order, category=category("detour_fee"))
    advance(complaint, agent, S.RESOLUTION_PROPOSED, S.RESOLVED, **{**INVESTIGATED, "responsibility": "dispatch"})
    assert driver_service_score(driver_id=order.driver_id, year=timezone.localdate().year) == (12, False)


def test_merging_customers_moves_their_complaints(agent):
    from customers.services import customer_merge

    kept, duplicate = CustomerFactory(), CustomerFactory()
    complaint = make_complaint(actor=agent, customer=duplicate)
    customer_merge(kept=kept, duplicate=duplicate, actor=StaffFactory(role=Role.CS_SUPERVISOR), reason="同一人")
    assert Complaint.objects.get(pk=complaint.pk).customer == kept
