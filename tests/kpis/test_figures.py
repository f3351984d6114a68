"""Each figure of a small hand-built month, computed independently here and compared exactly.

Month M = October 2026 (Asia/Shanghai), M−1 = September 2026. The snapshot is computed "at 00:30 on
1 November" unless a test says otherwise.
"""

import datetime as dt
from decimal import Decimal

import pytest

from customers.models import ContactLog, Customer, Order
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
AS_OF = b.at(2026, 11, 1, 0, 30)


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def month():
    """The hand-built October; returns the actors so tests can look up their scopes."""
    service = b.team("客服一组")
    drivers = b.team("司机一队", kind="drivers")
    agent_a = b.staff("agent_a", team=service, full_name="王小明")
    agent_b = b.staff("agent_b", team=service, full_name="李小红")
    driver = b.driver(drivers)

    c1, c2, c3, c4, c5, c6 = (b.customer(owner=agent_a), b.customer(), b.customer(), b.customer(), b.customer(),
                              b.customer())
    # c1: September and twice in October (retained, repeat); credited to agent A.
    b.order(c1, finished=b.at(2026, 9, 10), fee="100.00", credited_owner=agent_a)
    o1 = b.order(c1, finished=b.at(2026, 10, 3), fee="80.00", credited_owner=agent_a, driver_=driver)
    o2 = b.order(c1, finished=b.at(2026, 10, 20), fee="60.00", credited_owner=agent_a)
    # c2: September only (not retained).
    b.order(c2, finished=b.at(2026, 9, 15), fee="50.00")
    # c3: first order ever, finishing one second before midnight on the last day (in October, new).
    o3 = b.order(c3, finished=b.at(2026, 10, 31, 23, 59, 59), fee="40.00", credited_owner=agent_b, driver_=driver)
    # c4: booked in October, finished exactly at midnight on 1 November (booked in M, completed in M+1).
    o4 = b.order(c4, booked=b.at(2026, 10, 31, 23, 40), finished=b.at(2026, 11, 1, 0, 0, 0), fee="30.00")
    # c5: an August order, a cancelled one and a completed one in October (active, not new, not retained).
    b.order(c5, finished=b.at(2026, 8, 1), fee="70.00")
    b.order(c5, booked=b.at(2026, 10, 10), status=Order.Status.CANCELLED, fee="0.00")
    o5 = b.order(c5, finished=b.at(2026, 10, 12), fee="90.00")
    # c6: booked at 00:30 on 1 October local time (16:30 UTC on 30 September), still booked.
    b.order(c6, booked=dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC), status=Order.Status.BOOKED, fee="0.00")

    b.review(o1, 5, 10)
    b.review(o2, 4, 6)
    b.review(o3, 2, 9)  # arrives "late" (created now, in November): counts for October
    b.review(Order.objects.filter(customer=c2).get(), 1, 0)  # a September order: not October's
    b.review(o4, 5, 10)  # a November order: not October's

    complaints = {
        "k1": b.complaint(received=b.at(2026, 10, 4, 10), order_=o1, category="driver_attitude", assignee=agent_a,
                          acknowledged=b.at(2026, 10, 4, 12), resolved=b.at(2026, 10, 6, 10),
                          closed=b.at(2026, 10, 8), status="closed"),
        "k2": b.complaint(received=b.at(2026, 10, 10, 0), order_=o1, grade="complaint", category="detour_fee",
                          assignee=agent_b, acknowledged=b.at(2026, 10, 11, 6), resolved=b.at(2026, 10, 14, 0),
                          closed=b.at(2026, 10, 20), status="closed", paused_seconds=36000, reopen_count=1),
        "k3": b.complaint(received=b.at(2026, 10, 31, 23, 30), order_=o5, assignee=agent_a),
        "k4": b.complaint(received=b.at(2026, 11, 1, 0, 0), order_=o5),
        "k5": b.complaint(received=b.at(2026, 10, 20, 9), grade="grievance", category="lost_property", cust=c2,
                          acknowledged=b.at(2026, 10, 20, 10), status="not_upheld", closed=b.at(2026, 10, 21)),
    }

    sched, cancelled = ContactLog.Status.SCHEDULED, ContactLog.Status.CANCELLED
    b.callback(c1, agent_a, happened=b.at(2026, 10, 5), due=dt.date(2026, 10, 5), satisfaction=5)
    b.callback(c1, agent_a, happened=b.at(2026, 10, 31, 23, 59), due=dt.date(2026, 10, 31), outcome="not_reached")
    b.callback(c2, agent_b, happened=b.at(2026, 11, 1, 0, 10), due=dt.date(2026, 10, 31))
    b.callback(c3, agent_b, status=sched, due=dt.date(2026, 10, 15))
    b.callback(c4, agent_b, status=cancelled, due=dt.date(2026, 10, 16))
    b.callback(c5, agent_a, happened=b.at(2026, 10, 6), purpose=ContactLog.Purpose.INQUIRY, satisfaction=1)
    b.callback(c5, agent_b, happened=b.at(2026, 10, 8), purpose=ContactLog.Purpose.COMPLAINT_FOLLOW_UP,
               satisfaction=2)

    # Everyone existed before the end of October (created_at is set on insert, i.e. today).
    Customer.objects.update(created_at=b.at(2026, 1, 1))
    return {"agent_a": agent_a, "agent_b": agent_b, "service": service, "drivers": drivers,
            "customers": (c1, c2, c3, c4, c5, c6), "complaints": complaints}


def company(month_: dt.date = OCT) -> MonthlySnapshot:
    return MonthlySnapshot.objects.get(month=month_, scope_key="company")


def test_order_and_customer_figures_follow_the_definitions(month):
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    # Booked in October (any status): c1×2, c3, c4 (booked 23:40), c5 cancelled, c5, c6 (00:30 local).
    assert s.orders_total == 7
    # Finished in October: c1×2, c3 (23:59:59), c5; not c4 (midnight = November) nor the cancelled one.
    assert s.orders_completed == 4
    assert s.revenue == D("270.00")  # 80 + 60 + 40 + 90
    assert s.customers_active == 3  # c1, c3, c5
    assert s.customers_new == 1  # c3 (c5 ordered in August)
    assert s.retention_rate == D("50.00")  # September: c1, c2; both months: c1
    assert s.repeat_purchase_rate == D("33.33")  # c1 of 3
    assert s.avg_orders_per_customer == D("1.33")  # 4 / 3
    # Spend to date per customer with any completed order by the end of October: 240, 50, 40, 160.
    assert s.avg_clv == D("122.50")


def test_satisfaction_and_nps_count_reviews_of_the_months_completed_orders(month):
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    assert s.reviews_count == 3
    assert s.satisfaction_rate == D("66.67")  # ratings 5, 4 of 5, 4, 2
    assert s.nps == D("33.33")  # scores 10, 6, 9: (2 promoters − 1 detractor) / 3


def test_complaint_figures_follow_the_definitions(month):
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    assert s.complaints_total == 4  # k1, k2, k3 (23:30 on the 31st), k5; not k4 (midnight)
    assert s.complaint_rate == D("50.00")  # distinct orders o1, o5 of 4 completed
    assert s.avg_acknowledge_hours == D("11.00")  # 2 h, 30 h, 1 h
    assert s.avg_resolve_hours == D("67.00")  # 48 h, 96 h − 10 h awaiting the customer
    assert s.sla_acknowledge_rate == D("66.67")  # k1, k5 in time, k2 late; k3 not yet due
    assert s.sla_resolve_rate == D("50.00")  # k1 in time, k2 late; k3 not due; k5 not upheld
    assert s.first_contact_resolution_rate == D("50.00")  # closed k1 (never reopened), k2 (reopened)
    assert s.reopen_rate == D("25.00")
    assert {g["code"]: g["count"] for g in s.complaints_by_grade} == {
        "minor_grievance": 2, "grievance": 1, "complaint": 1}
    assert {c["code"]: c["count"] for c in s.complaints_by_category} == {
        "driver_attitude": 1, "detour_fee": 1, "other": 1, "lost_property": 1}


def test_callbacks_due_done_reached_and_their_satisfaction(month):
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().callbacks == {
        "due": 4,  # due in October and not cancelled (one of them done on 1 November)
        "done": 3,  # two periodic callbacks and a complaint follow-up; not the inquiry, not 1 November
        "reached": 2,
        "reached_rate": "66.67",
        "satisfaction_rate": "50.00",  # ratings 5 and 2
    }


def test_agent_and_team_figures_attribute_by_assignee_callback_agent_and_credited_owner(month):
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    a = MonthlySnapshot.objects.get(month=OCT, scope_key=f"agent:{month['agent_a'].pk}")
    assert (a.complaints_handled, a.complaints_deadlines_met, a.deadlines_met_rate) == (2, 1, D("50.00"))
    assert (a.callbacks_done, a.callback_satisfaction_rate) == (2, D("100.00"))
    assert (a.owned_reviews_count, a.owned_satisfaction_rate) == (2, D("100.00"))
    assert a.label == "王小明" and a.team_id == month["service"].pk
    bb = MonthlySnapshot.objects.get(month=OCT, scope_key=f"agent:{month['agent_b'].pk}")
    assert (bb.complaints_handled, bb.complaints_deadlines_met, bb.deadlines_met_rate) == (1, 0, D("0.00"))
    assert (bb.callbacks_done, bb.callback_satisfaction_rate) == (1, D("0.00"))
    assert (bb.owned_reviews_count, bb.owned_satisfaction_rate) == (1, D("0.00"))

    team = MonthlySnapshot.objects.get(month=OCT, scope_key=f"team:{month['service'].pk}")
    assert (team.complaints_handled, team.complaints_deadlines_met, team.deadlines_met_rate) == (3, 1, D("33.33"))
    assert (team.callbacks_done, team.callback_satisfaction_rate) == (3, D("50.00"))
    assert (team.owned_reviews_count, team.owned_satisfaction_rate) == (3, D("66.67"))
    drivers = MonthlySnapshot.objects.get(month=OCT, scope_key=f"team:{month['drivers'].pk}")
    assert (drivers.orders_completed, drivers.satisfaction_rate, drivers.complaint_rate) == (2, D("50.00"),
                                                                                             D("50.00"))


def test_tiers_at_the_end_of_the_month_come_from_the_tier_history(month):
    c1, c2, c3, c4, c5, c6 = month["customers"]
    b.tier_change(c1, 0, 1, b.at(2026, 9, 1))
    b.tier_change(c1, 1, 2, b.at(2026, 11, 5))  # after October: c1 was silver at its end
    b.tier_change(c2, 0, 1, b.at(2026, 11, 2))  # normal until November
    b.loyalty_account(c3, 3)  # no history: the account's tier
    b.tier_change(c5, 1, 2, b.at(2026, 10, 15))
    b.tier_change(c6, 0, 3, b.at(2026, 10, 31, 23, 59, 59))
    Customer.objects.filter(pk=c4.pk).update(status=Customer.Status.ANONYMISED)  # not counted
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().tiers == {"normal": 1, "silver": 1, "gold": 1, "diamond": 2}


def test_points_earned_redeemed_and_expired_in_the_month(month):
    c1 = month["customers"][0]
    b.points(c1, "earn", 100, b.at(2026, 10, 3))
    b.points(c1, "referral_first", 100, b.at(2026, 10, 5))
    b.points(c1, "adjustment", 5, b.at(2026, 10, 7))
    b.points(c1, "reversal", -10, b.at(2026, 10, 8))
    b.points(c1, "redemption", -50, b.at(2026, 10, 20))
    b.points(c1, "expiry", -30, b.at(2026, 10, 31, 23, 59, 59))
    b.points(c1, "earn", 40, b.at(2026, 11, 1, 0, 0))
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().points == {"earned": 200, "redeemed": 50, "expired": 30, "reversed": 10, "adjusted": 5}


def test_care_messages_sent_failed_skipped_in_the_month(month):
    c1 = month["customers"][0]
    b.care_message(c1, status="sent", sent=b.at(2026, 10, 5))
    b.care_message(c1, status="sent", sent=b.at(2026, 11, 1, 0, 0))
    b.care_message(c1, status="failed", last_attempt=b.at(2026, 10, 10))
    b.care_message(c1, status="skipped", send_after=b.at(2026, 9, 30), created=b.at(2026, 9, 30))
    b.care_message(c1, status="skipped", last_attempt=b.at(2026, 10, 31, 23))
    b.care_message(c1, status="queued", send_after=b.at(2026, 10, 31, 22))
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().care_messages == {"sent": 1, "failed": 1, "skipped": 1, "queued": 1}


def test_an_empty_month_has_zero_counts_and_null_rates():
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    assert (s.orders_total, s.orders_completed, s.customers_active, s.customers_new, s.complaints_total) == (
        0, 0, 0, 0, 0)
    assert s.revenue == D("0.00")
    for field in ("satisfaction_rate", "complaint_rate", "retention_rate", "nps", "repeat_purchase_rate",
                  "avg_orders_per_customer", "avg_clv", "avg_acknowledge_hours", "avg_resolve_hours",
                  "sla_acknowledge_rate", "sla_resolve_rate", "first_contact_resolution_rate", "reopen_rate"):
        assert getattr(s, field) is None, field
    assert s.callbacks == {"due": 0, "done": 0, "reached": 0, "reached_rate": None, "satisfaction_rate": None}
    assert MonthlySnapshot.objects.filter(month=OCT).count() == 1  # no team or agent had anything


def test_a_month_with_orders_but_no_ratings_has_null_satisfaction_and_nps():
    c = b.customer()
    b.order(c, finished=b.at(2026, 10, 2))
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    assert s.orders_completed == 1 and s.reviews_count == 0
    assert s.satisfaction_rate is None and s.nps is None
    assert s.complaint_rate == D("0.00")  # a denominator, no complaints: 0, not null


def test_a_review_without_a_recommend_score_counts_for_satisfaction_not_nps():
    c = b.customer()
    b.review(b.order(c, finished=b.at(2026, 10, 2)), 3, None)
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().satisfaction_rate == D("0.00")
    assert company().nps is None


def test_rates_round_half_up_not_to_even():
    c = b.customer()
    # 1 satisfied review of 32 = 3.125 % → 3.13 (banker's rounding would give 3.12);
    # NPS: 1 promoter, 0 detractors of 32 scored → 3.13 as well.
    orders = [b.order(c, finished=b.at(2026, 10, 1 + i % 28, 12, i)) for i in range(32)]
    b.review(orders[0], 5, 9)
    for o in orders[1:]:
        b.review(o, 3, 7)
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    assert company().satisfaction_rate == D("3.13")
    assert company().nps == D("3.13")


def test_a_new_customer_with_several_orders_in_the_month_counts_once():
    c = b.customer()
    for day in (3, 4, 5):
        b.order(c, finished=b.at(2026, 10, day))
    snapshot_compute_month(month=OCT, as_of=AS_OF)
    s = company()
    assert (s.customers_active, s.customers_new, s.repeat_purchase_rate) == (1, 1, D("100.00"))
    assert s.retention_rate is None  # nobody ordered in September
