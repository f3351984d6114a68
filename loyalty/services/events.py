"""Handlers registered with customers.hooks: order completed / cancelled, customers merged."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, Order
from loyalty import rules, selectors
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierChange
from loyalty.services.points import _insert_once, _reverse
from loyalty.services.tiers import _change_tier, _locked_account, tier_upgrade_check

log = logging.getLogger(__name__)


# --- order events -------------------------------------------------------------------------------
def _multipliers() -> dict[int, Decimal]:
    return {int(k): Decimal(str(v)) for k, v in settings.LOYALTY_TIER_MULTIPLIERS.items()}


@transaction.atomic
def order_completed(order: Order) -> None:
    """Order handler (customers.hooks, COMPLETED): earn points at the customer's tier (pending for
    LOYALTY_POINTS_PENDING_DAYS), pay referral bonuses, upgrade the tier if the order qualifies.
    Idempotent: each credit has a unique source, and an upgrade writes only a real change."""
    order = Order.objects.select_related("customer").get(pk=order.pk)
    if order.status != Order.Status.COMPLETED:
        return
    customer = order.customer
    if customer.status == Customer.Status.ANONYMISED:
        return
    now = timezone.now()
    earned_at = order.finished_at or now
    available_at = earned_at + dt.timedelta(days=settings.LOYALTY_POINTS_PENDING_DAYS)
    account = _locked_account(customer.pk)
    points = rules.points_for_order(fee=order.fee, tier=account.tier,
                                    per_yuan=Decimal(str(settings.LOYALTY_POINTS_PER_YUAN)),
                                    multipliers=_multipliers())
    if points > 0:
        _insert_once(customer_id=customer.pk, kind=PointsEntry.Kind.EARN, points=points, source=f"order:{order.pk}",
                     order=order, earned_at=earned_at, available_at=available_at,
                     reason=_("Order %(order)s") % {"order": order.external_id})
    if customer.referred_by_id:
        _referral_bonuses(order=order, referrer_id=customer.referred_by_id, earned_at=earned_at,
                          available_at=available_at)
    tier_upgrade_check(customer=customer, now=now)


def _referral_bonuses(*, order: Order, referrer_id: int, earned_at, available_at) -> None:
    referrer = Customer.objects.filter(pk=referrer_id).exclude(status=Customer.Status.ANONYMISED).first()
    if referrer is None:
        return
    _locked_account(referrer.pk)
    first_points = settings.LOYALTY_REFERRAL_FIRST_ORDER_POINTS
    if first_points > 0:
        _insert_once(customer_id=referrer.pk, kind=PointsEntry.Kind.REFERRAL_FIRST_ORDER, points=first_points,
                     source=f"referral_first:{order.customer_id}", order=order, earned_at=earned_at,
                     available_at=available_at,
                     reason=_("First order of referred customer %(id)s") % {"id": order.customer_id})
    step_points = settings.LOYALTY_REFERRAL_SPEND_POINTS
    steps = rules.referral_spend_steps(total_spend=selectors.referred_spend(referrer),
                                       step=Decimal(str(settings.LOYALTY_REFERRAL_SPEND_STEP)))
    paid = PointsEntry.objects.filter(customer=referrer, kind=PointsEntry.Kind.REFERRAL_SPEND).count()
    for number in range(paid + 1, steps + 1):
        if step_points <= 0:
            break
        _insert_once(customer_id=referrer.pk, kind=PointsEntry.Kind.REFERRAL_SPEND, points=step_points,
                     source=f"referral_spend:{referrer.pk}:{number}", earned_at=earned_at, available_at=available_at,
                     reason=_("Referred customers' spend reached ¥%(amount)s")
                     % {"amount": Decimal(str(settings.LOYALTY_REFERRAL_SPEND_STEP)) * number})


@transaction.atomic
def order_cancelled(order: Order) -> None:
    """Order handler (CANCELLED): reverse whatever the order earned (its points and a referral
    first-order bonus). Pending points never become available; available ones are taken back."""
    now = timezone.now()
    credits = PointsEntry.objects.filter(order_id=order.pk, kind__in=PointsEntry.CREDIT_KINDS).order_by("id")
    for entry in credits:
        _locked_account(entry.customer_id)
        _reverse(entry, reason=_("Order %(order)s cancelled") % {"order": order.external_id}, now=now)


# --- merges -------------------------------------------------------------------------------------
def customers_merged(*, kept, duplicate) -> dict:
    """Merge handler (inside customer_merge's transaction): the duplicate's ledger, coupons and
    tier history move to the kept customer; the kept customer holds the higher of the two tiers
    (or what the combined figures now earn), recorded as a merge; referral bonuses the kept
    customer earned from the duplicate itself are reversed (one person cannot refer themself)."""
    now = timezone.now()
    kept_account = _locked_account(kept.pk)
    dup_account = LoyaltyAccount.objects.select_for_update().filter(customer_id=duplicate.pk).first()
    moved = {
        "points_entries": PointsEntry.objects.filter(customer_id=duplicate.pk).update(customer_id=kept.pk),
        "coupons": Coupon.objects.filter(customer_id=duplicate.pk).update(customer_id=kept.pk),
        "tier_changes": TierChange.objects.filter(customer_id=duplicate.pk).update(customer_id=kept.pk),
    }
    for entry in PointsEntry.objects.filter(customer_id=kept.pk, kind=PointsEntry.Kind.REFERRAL_FIRST_ORDER,
                                            source__in=[f"referral_first:{kept.pk}",
                                                        f"referral_first:{duplicate.pk}"]):
        _reverse(entry, reason=_("Merge: a customer cannot refer themself"), now=now)
    dup_tier = dup_account.tier if dup_account else Tier.NORMAL
    if dup_account is not None:
        if dup_account.manual_until and (not kept_account.manual_until
                                         or dup_account.manual_until > kept_account.manual_until):
            kept_account.manual_until = dup_account.manual_until
            kept_account.manual_reason = dup_account.manual_reason
            kept_account.manual_set_by_id = dup_account.manual_set_by_id
        dup_account.delete()
    qualified, rule, _figures = selectors.customer_evaluation(kept, now=now)
    target = max(kept_account.tier, dup_tier, qualified)
    if target != kept_account.tier:
        _change_tier(account=kept_account, to_tier=target, reason=TierChange.Reason.MERGE, rule=rule,
                     note=_("Merged customer %(id)s") % {"id": duplicate.public_id}, now=now)
    else:
        kept_account.save()
    return moved
