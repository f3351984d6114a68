"""Points earned by orders, referrals, reversals, redemptions, adjustments and expiry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from core.roles import Role
from customers.models import OrderEvent
from customers.services import order_events_emit, order_events_process
from loyalty import selectors, services
from loyalty.errors import InsufficientPoints, NotAllowed
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier
from tests.factories import CustomerFactory, StaffFactory
from tests.loyalty.conftest import cancel, push_completed

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=8)


def test_completed_order_earns_points_that_stay_pending_for_seven_days(customer):
    push_completed(customer, fee="68.50")
    now = timezone.now()
    assert selectors.points_balance(customer, now=now) == selectors.PointsBalance(available=0, pending=68)
    assert selectors.points_balance(customer, now=now + LATER).available == 68


def test_second_push_of_the_same_order_awards_points_once(customer):
    order = push_completed(customer, fee="100")
    # The platform pushes the order again and the event is replayed by hand.
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.COMPLETED)
    services.order_completed(order)
    order_events_process()
    assert PointsEntry.objects.filter(customer=customer, kind=PointsEntry.Kind.EARN).count() == 1


def test_a_source_can_earn_only_once_in_the_database(customer):
    PointsEntry.objects.create(customer=customer, kind=PointsEntry.Kind.EARN, points=5, source="order:x")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(customer=customer, kind=PointsEntry.Kind.EARN, points=5, source="order:x")


def test_points_are_multiplied_by_the_tier(customer):
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.GOLD)
    push_completed(customer, fee="100")
    assert PointsEntry.objects.get(customer=customer, kind=PointsEntry.Kind.EARN).points == 150


def test_order_cancelled_in_the_pending_window_never_releases_its_points(customer):
    order = push_completed(customer, fee="100")
    cancel(order)
    assert selectors.points_balance(customer, now=timezone.now() + LATER) == selectors.PointsBalance(0, 0)
    assert PointsEntry.objects.filter(customer=customer, kind=PointsEntry.Kind.REVERSAL).count() == 1


def test_order_refunded_after_the_window_is_reversed_but_never_below_zero(customer):
    order = push_completed(customer, fee="100", finished_at=timezone.now() - dt.timedelta(days=10))
    assert selectors.points_balance(customer).available == 100
    services.points_redeem(customer=customer, kind=Coupon.Kind.FIXED, amount=Decimal("0.60"))  # 60 points
    cancel(order)
    cancel(order)  # replayed
    assert selectors.points_balance(customer).available == 0
    assert PointsEntry.objects.filter(kind=PointsEntry.Kind.REVERSAL).get().points == -40


def test_referrer_gets_a_first_order_bonus_once_and_spend_bonuses_per_thousand(customer):
    referred = CustomerFactory(referred_by=customer)
    other = CustomerFactory(referred_by=customer)
    push_completed(referred, fee="600")
    push_completed(referred, fee="300")
    push_completed(other, fee="200")  # 1,100 referred spend: one step
    kinds = list(PointsEntry.objects.filter(customer=customer).values_list("kind", "points").order_by("id"))
    assert kinds.count((PointsEntry.Kind.REFERRAL_FIRST_ORDER, 100)) == 2
    assert kinds.count((PointsEntry.Kind.REFERRAL_SPEND, 100)) == 1
    push_completed(other, fee="850")  # 1,950: still one step, no yuan counted twice
    assert PointsEntry.objects.filter(customer=customer, kind=PointsEntry.Kind.REFERRAL_SPEND).count() == 1
    push_completed(other, fee="50")  # 2,000
    assert PointsEntry.objects.filter(customer=customer, kind=PointsEntry.Kind.REFERRAL_SPEND).count() == 2


def test_award_by_source_is_idempotent(customer):
    first = services.points_award(customer=customer, points=50, source="complaint:TS2611-0001", reason="sorry")
    again = services.points_award(customer=customer, points=50, source="complaint:TS2611-0001", reason="sorry")
    assert first.pk == again.pk and selectors.points_balance(customer).available == 50


def test_adjustment_needs_permission_and_reason_and_cannot_go_negative(customer):
    agent = StaffFactory(role=Role.CS_AGENT)
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    with pytest.raises(NotAllowed):
        services.points_adjust(customer=customer, points=10, reason="goodwill", actor=agent)
    services.points_adjust(customer=customer, points=10, reason="goodwill", actor=supervisor)
    with pytest.raises(InsufficientPoints):
        services.points_adjust(customer=customer, points=-11, reason="correction", actor=supervisor)
    assert selectors.points_balance(customer).available == 10


def test_keyed_adjustment_from_a_complaint_remedy_is_idempotent(customer):
    agent = StaffFactory(role=Role.CS_AGENT)
    services.points_adjust(customer=customer, points=200, source_key="complaint:TS2611-0002", note="remedy",
                           actor=agent)
    services.points_adjust(customer=customer, points=200, source_key="complaint:TS2611-0002", note="remedy",
                           actor=agent)
    assert selectors.points_balance(customer).available == 200


def test_redemption_spends_points_for_a_coupon_and_refuses_more_than_the_balance(customer):
    services.points_award(customer=customer, points=1500, source="test:1")
    coupon = services.points_redeem(customer=customer, kind=Coupon.Kind.FREE_RIDE, amount=Decimal("10"))
    assert coupon.origin == Coupon.Origin.REDEMPTION and coupon.points_entry.points == -1000
    with pytest.raises(InsufficientPoints):
        services.points_redeem(customer=customer, kind=Coupon.Kind.FREE_RIDE, amount=Decimal("10"))
    assert selectors.points_balance(customer).available == 500


def test_ledger_is_append_only(customer):
    entry = services.points_award(customer=customer, points=5, source="test:2")
    entry.points = 500
    with pytest.raises(ValueError):
        entry.save()


def test_running_balance_accumulates_in_order(customer):
    services.points_award(customer=customer, points=100, source="test:a")
    services.points_adjust(customer=customer, points=-30, reason="fix")
    services.points_award(customer=customer, points=5, source="test:b")
    assert [e.running_balance for e in selectors.ledger_with_running_balance(customer)] == [100, 70, 75]


# --- expiry -------------------------------------------------------------------------------------
def _credit(customer, points, earned_at, source):
    return PointsEntry.objects.create(customer=customer, kind=PointsEntry.Kind.EARN, points=points, source=source,
                                      earned_at=earned_at, available_at=earned_at, created_at=earned_at)


def test_points_expire_after_24_months_oldest_first_and_only_once(customer):
    now = timezone.now()
    _credit(customer, 100, now - dt.timedelta(days=800), "old")
    _credit(customer, 300, now - dt.timedelta(days=100), "new")
    PointsEntry.objects.create(customer=customer, kind=PointsEntry.Kind.REDEMPTION, points=-60,
                               created_at=now - dt.timedelta(days=50), earned_at=now - dt.timedelta(days=50),
                               available_at=now - dt.timedelta(days=50))
    result = services.points_expire(now=now)
    assert result["customers_with_expired_points"] == 1
    assert PointsEntry.objects.get(kind=PointsEntry.Kind.EXPIRY).points == -40  # 60 of the old 100 were spent
    services.points_expire(now=now)
    services.points_expire(now=now + dt.timedelta(days=3))
    assert PointsEntry.objects.filter(kind=PointsEntry.Kind.EXPIRY).count() == 1
    assert selectors.points_balance(customer, now=now).available == 300


def test_next_expiry_and_expiring_soon_are_shown(customer):
    now = timezone.now()
    _credit(customer, 100, now - dt.timedelta(days=720), "a")
    _credit(customer, 50, now - dt.timedelta(days=30), "b")
    when, points = selectors.next_points_expiry(customer, now=now)
    assert points == 100 and now < when < now + dt.timedelta(days=30)
    assert selectors.points_expiring_within(customer, days=30, now=now) == 100


@override_settings(LOYALTY_POINTS_EXPIRE_MONTHS=12)
def test_expiry_window_is_a_setting(customer):
    now = timezone.now()
    _credit(customer, 100, now - dt.timedelta(days=400), "a")
    services.points_expire(now=now)
    assert selectors.points_balance(customer, now=now).available == 0


def test_expiry_job_marks_past_coupons_expired_and_keeps_them(customer):
    coupon = services.coupon_issue(customer=customer, kind=Coupon.Kind.FIXED, amount=10, origin=Coupon.Origin.HOLIDAY,
                                   valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 1, 31))
    services.points_expire()
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.EXPIRED
