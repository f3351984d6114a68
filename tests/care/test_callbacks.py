"""Callbacks: periodic by tier onto the owner's list or the team queue, after complaints, outcomes
feeding reviews, weekly and monthly reports."""

import datetime as dt

import pytest
from django.utils import timezone

from care.errors import CareError
from care.models import Callback
from care.selectors import callback_report, month_date_bounds, week_bounds
from care.services import (
    callback_schedule_after_complaint,
    callback_take,
    callbacks_schedule_due,
)
from customers.errors import CustomerError
from customers.models import ContactLog, OrderEvent, Review
from customers.services import callback_outcome_record
from loyalty.models import LoyaltyAccount, Tier, TierBenefit
from tests.factories import CustomerFactory, OrderFactory, ReviewFactory, StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db


def in_tier(tier, **kwargs):
    customer = CustomerFactory(**kwargs)
    LoyaltyAccount.objects.create(customer=customer, tier=tier)
    return customer


def test_gold_customers_get_a_callback_on_their_owners_list_once_per_month():
    # given a gold customer with an owner, a silver one in the public pool, and a normal one
    agent = StaffFactory()
    gold = in_tier(Tier.GOLD, owner=agent)
    silver = in_tier(Tier.SILVER)
    CustomerFactory()
    # when the daily job runs twice in November
    callbacks_schedule_due(today=dt.date(2026, 11, 2))
    callbacks_schedule_due(today=dt.date(2026, 11, 20))
    # then gold has one callback on the owner's list, silver one in the team queue, normal none
    gold_cb = ContactLog.objects.get(customer=gold)
    assert (gold_cb.agent, gold_cb.status, gold_cb.due_on) == (agent, ContactLog.Status.SCHEDULED, dt.date(2026, 11, 2))
    assert gold_cb.reason_key == "tier:gold:2026-11"
    silver_cb = ContactLog.objects.get(customer=silver)
    assert silver_cb.agent is None and silver_cb.reason_key == "tier:silver:2026-Q4"
    assert ContactLog.objects.count() == 2
    # and in December gold gets the next one, silver (quarterly) does not
    callbacks_schedule_due(today=dt.date(2026, 12, 1))
    assert ContactLog.objects.filter(customer=gold).count() == 2
    assert ContactLog.objects.filter(customer=silver).count() == 1


def test_callback_interval_comes_from_the_loyalty_tier_benefit_row():
    TierBenefit.objects.update_or_create(tier=Tier.SILVER, defaults={"callback_interval_days": None})
    in_tier(Tier.SILVER)
    assert callbacks_schedule_due(today=dt.date(2026, 11, 2)).get("silver") is None
    assert not ContactLog.objects.exists()


def test_complaint_follow_up_is_scheduled_once_per_complaint():
    agent = StaffFactory()
    customer = CustomerFactory(owner=agent)
    first = callback_schedule_after_complaint(customer=customer, complaint_ref="TS2611-0007")
    again = callback_schedule_after_complaint(customer=customer, complaint_ref="TS2611-0007")
    assert first.pk == again.pk
    assert first.purpose == ContactLog.Purpose.COMPLAINT_FOLLOW_UP and first.agent == agent
    assert first.due_on > timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(CareError):
        callback_schedule_after_complaint(customer=customer, complaint_ref="")


def test_reached_callback_about_an_order_becomes_its_review():
    agent = StaffFactory()
    order = OrderFactory()
    contact = callback_schedule_after_complaint(customer=order.customer, complaint_ref="TS2611-0008", order=order,
                                                agent=agent)
    callback_outcome_record(contact=contact, actor=agent, outcome=ContactLog.Outcome.REACHED, satisfaction=4,
                            recommend_score=8, notes="满意处理结果")
    review = Review.objects.get(order=order)
    assert (review.rating, review.recommend_score, review.source) == (4, 8, Review.Source.CALLBACK)
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.REVIEWED).exists()


def test_callback_never_overwrites_the_platforms_review():
    agent = StaffFactory()
    review = ReviewFactory(rating=2)
    contact = callback_schedule_after_complaint(customer=review.customer, complaint_ref="TS2611-0009",
                                                order=review.order, agent=agent)
    callback_outcome_record(contact=contact, actor=agent, outcome=ContactLog.Outcome.REACHED, satisfaction=5)
    review.refresh_from_db()
    assert (review.rating, review.source) == (2, Review.Source.PLATFORM)


def test_not_reached_callback_with_a_satisfaction_is_refused_and_nothing_is_written():
    agent = StaffFactory()
    order = OrderFactory()
    contact = callback_schedule_after_complaint(customer=order.customer, complaint_ref="TS2611-0010", order=order,
                                                agent=agent)
    with pytest.raises(CustomerError):
        callback_outcome_record(contact=contact, actor=agent, outcome=ContactLog.Outcome.NOT_REACHED, satisfaction=3)
    contact.refresh_from_db()
    assert contact.status == ContactLog.Status.SCHEDULED
    assert not Review.objects.exists()


def test_agent_takes_a_callback_from_the_team_queue():
    silver = in_tier(Tier.SILVER)
    callbacks_schedule_due(today=dt.date(2026, 11, 2))
    contact = ContactLog.objects.get(customer=silver)
    agent, other = StaffFactory(), StaffFactory()
    callback_take(contact=contact, actor=agent)
    assert Callback.objects.get(pk=contact.pk).agent == agent
    with pytest.raises(CareError):
        callback_take(contact=contact, actor=other)


def test_weekly_and_monthly_report_count_due_done_reached_and_satisfaction_by_agent_and_team():
    team = TeamFactory(name="客服一组")
    alice, bob = StaffFactory(team=team, username="alice"), StaffFactory(username="bob")
    monday = dt.date(2026, 11, 16)
    at = timezone.make_aware(dt.datetime(2026, 11, 17, 10))
    kw = {"purpose": ContactLog.Purpose.CALLBACK, "due_on": monday}
    from tests.factories import ContactLogFactory

    ContactLogFactory(agent=alice, happened_at=at, outcome=ContactLog.Outcome.REACHED, satisfaction=5, **kw)
    ContactLogFactory(agent=alice, happened_at=at, outcome=ContactLog.Outcome.REACHED, satisfaction=3, **kw)
    ContactLogFactory(agent=alice, happened_at=at, outcome=ContactLog.Outcome.NOT_REACHED, **kw)
    ContactLogFactory(agent=bob, status=ContactLog.Status.SCHEDULED, happened_at=None, outcome="", **kw)
    ContactLogFactory(agent=bob, purpose=ContactLog.Purpose.INQUIRY, happened_at=at)  # not a callback
    start, end = week_bounds(dt.date(2026, 11, 19))
    assert (start, end) == (monday, dt.date(2026, 11, 23))
    rows = {r["agent"]: r for r in callback_report(start=start, end=end, by="agent")}
    a = rows[alice.last_name + alice.first_name]
    assert (a["team"], a["due"], a["done"], a["reached"], a["satisfaction_avg"], a["satisfied_rate"]) == (
        "客服一组", 3, 3, 2, 4.0, 50.0)
    b = rows[bob.last_name + bob.first_name]
    assert (b["due"], b["done"], b["reached"], b["satisfaction_avg"]) == (1, 0, 0, None)
    teams = {r["team"]: r for r in callback_report(start=start, end=end, by="team")}
    assert teams["客服一组"]["done"] == 3 and teams[""]["due"] == 1
    # the following week is empty; the month has everything
    assert callback_report(start=end, end=end + dt.timedelta(days=7)) == []
    m_start, m_end = month_date_bounds(2026, 11)
    assert sum(r["due"] for r in callback_report(start=m_start, end=m_end)) == 4
