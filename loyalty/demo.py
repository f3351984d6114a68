"""Demo loyalty data consistent with the demo company's orders (called by ``seed_demo``).

Replays every completed order in time order the way the order-event handler would: points at the
tier held then (pending for LOYALTY_POINTS_PENDING_DAYS), referral bonuses, upgrades as soon as an
order qualifies under the rule rows; then some referrals, redemptions, care and remedy coupons,
a few manual tiers, the dedicated agents of gold and diamond customers, and this month's review.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from core.roles import Role
from customers.models import Customer, Order
from customers.platform_scope import platform_serves
from loyalty import rules, selectors, services
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierChange


def _referrals(rng: random.Random) -> int:
    """About one customer in twelve was referred by an earlier customer."""
    firsts = dict(Order.objects.filter(status=Order.Status.COMPLETED).values_list("customer")
                  .annotate(m=Min("finished_at")).values_list("customer", "m"))
    ids = sorted(firsts, key=lambda pk: firsts[pk])
    pairs = []
    for index, pk in enumerate(ids[50:], start=50):
        if rng.random() < 0.08:
            pairs.append((pk, ids[rng.randrange(0, index // 2)]))
    for pk, referrer in pairs:
        Customer.objects.filter(pk=pk, referred_by__isnull=True).update(referred_by_id=referrer)
    return len(pairs)


def seed(*, rng: random.Random, stdout) -> None:
    if LoyaltyAccount.objects.exists() or PointsEntry.objects.exists():
        stdout.write("loyalty: demo data already present, nothing added")
        return
    referred = _referrals(rng)
    rule_rows = selectors.active_rules()
    per_yuan = Decimal(str(settings.LOYALTY_POINTS_PER_YUAN))
    multipliers = {int(k): Decimal(str(v)) for k, v in settings.LOYALTY_TIER_MULTIPLIERS.items()}
    pending = dt.timedelta(days=settings.LOYALTY_POINTS_PENDING_DAYS)
    step = Decimal(str(settings.LOYALTY_REFERRAL_SPEND_STEP))
    referrer_of = dict(Customer.objects.filter(referred_by__isnull=False).values_list("pk", "referred_by_id"))

    orders = (Order.objects.filter(status=Order.Status.COMPLETED, finished_at__isnull=False)
              .order_by("finished_at", "pk").values_list("pk", "customer_id", "fee", "finished_at"))
    tier = defaultdict(int)
    history: dict[int, list] = defaultdict(list)  # customer -> [(finished_at, fee, points)]
    entries, changes = [], []
    first_done: set[int] = set()
    referred_spend: dict[int, Decimal] = defaultdict(Decimal)
    steps_paid: dict[int, int] = defaultdict(int)
    for pk, customer_id, fee, finished_at in orders.iterator(chunk_size=5000):
        points = rules.points_for_order(fee=fee, tier=tier[customer_id], per_yuan=per_yuan, multipliers=multipliers)
        if points > 0:
            entries.append(PointsEntry(customer_id=customer_id, kind=PointsEntry.Kind.EARN, points=points,
                                       source=f"order:{pk}", order_id=pk, earned_at=finished_at,
                                       available_at=finished_at + pending, created_at=finished_at))
        history[customer_id].append((finished_at, fee, points))
        referrer = referrer_of.get(customer_id)
        if referrer is not None:
            if customer_id not in first_done and settings.LOYALTY_REFERRAL_FIRST_ORDER_POINTS > 0:
                first_done.add(customer_id)
                entries.append(PointsEntry(
                    customer_id=referrer, kind=PointsEntry.Kind.REFERRAL_FIRST_ORDER,
                    points=settings.LOYALTY_REFERRAL_FIRST_ORDER_POINTS, source=f"referral_first:{customer_id}",
                    order_id=pk, earned_at=finished_at, available_at=finished_at + pending, created_at=finished_at))
            referred_spend[referrer] += fee
            due = rules.referral_spend_steps(total_spend=referred_spend[referrer], step=step)
            while steps_paid[referrer] < due and settings.LOYALTY_REFERRAL_SPEND_POINTS > 0:
                steps_paid[referrer] += 1
                entries.append(PointsEntry(
                    customer_id=referrer, kind=PointsEntry.Kind.REFERRAL_SPEND,
                    points=settings.LOYALTY_REFERRAL_SPEND_POINTS,
                    source=f"referral_spend:{referrer}:{steps_paid[referrer]}", earned_at=finished_at,
                    available_at=finished_at + pending, created_at=finished_at))
        # Upgrade at once when the order qualifies (figures over each rule's trailing window).
        figures = {}
        for months in {r.window_months for r in rule_rows}:
            start = rules.add_months(timezone.localtime(finished_at), -months)
            window = [(f, p) for at, f, p in history[customer_id] if at >= start]
            figures[months] = rules.Figures(orders=len(window), spend=sum((f for f, _p in window), Decimal(0)),
                                            points=sum(p for _f, p in window))
        qualified, rule = rules.evaluate_tier(figures=figures, rules=rule_rows)
        if qualified > tier[customer_id]:
            changes.append(TierChange(customer_id=customer_id, from_tier=tier[customer_id], to_tier=qualified,
                                      reason=TierChange.Reason.RULE, rule=rule, changed_at=finished_at))
            tier[customer_id] = qualified
    PointsEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    TierChange.objects.bulk_create(changes, batch_size=2000)
    last_change = {c.customer_id: c.changed_at for c in changes}
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(customer_id=cid, tier=t, tier_since=last_change.get(cid, timezone.now()))
         for cid, t in tier.items()], batch_size=2000, ignore_conflicts=True)

    # Redemptions by some customers with a good balance; care and remedy coupons for others.
    now = timezone.now()
    customer_ids = sorted(set(PointsEntry.objects.values_list("customer_id", flat=True).distinct()))
    coupons = used = 0
    for cid in rng.sample(customer_ids, min(len(customer_ids), 150)):
        customer = Customer.objects.get(pk=cid)
        if selectors.points_balance(customer).available >= 1000:
            coupon = services.points_redeem(customer=customer, kind=Coupon.Kind.FREE_RIDE, amount=Decimal("10"))
            coupons += 1
            if rng.random() < 0.5:
                # used on a platform that serves the customer (customers.platform_scope), if any
                orders = customer.orders.filter(status=Order.Status.COMPLETED).select_related("platform")
                platform = next((o.platform for o in orders if platform_serves(o.platform, customer)), None)
                if platform is not None:
                    services.coupon_use(code=coupon.code, platform=platform, order_ref=f"DEMO-{coupon.pk}")
                    used += 1
    for cid in rng.sample(customer_ids, min(len(customer_ids), 120)):
        customer = Customer.objects.get(pk=cid)
        origin = rng.choice([Coupon.Origin.HOLIDAY, Coupon.Origin.BIRTHDAY, Coupon.Origin.COMPLAINT_REMEDY])
        start = timezone.localdate() - dt.timedelta(days=rng.randint(0, 120))
        services.coupon_issue(customer=customer, kind=rng.choice([Coupon.Kind.FIXED, Coupon.Kind.PERCENT]),
                              amount=Decimal(rng.choice([10, 20, 30])), percent=Decimal(rng.choice([5, 10, 15])),
                              origin=origin, valid_from=start, valid_until=start + dt.timedelta(days=60),
                              origin_key=f"demo:{origin}:{cid}")
        coupons += 1

    # A supervisor holds a few customers' tier by hand (with a reason and an end date).
    supervisor = get_user_model().objects.filter(groups__name=Role.CS_SUPERVISOR, is_active=True).first()
    manual = 0
    if supervisor is not None:
        for cid in rng.sample(customer_ids, min(len(customer_ids), 5)):
            services.tier_set_manually(customer=Customer.objects.get(pk=cid), tier=Tier.GOLD,
                                       reason="重要企业客户 (demo)", until=timezone.localdate() + dt.timedelta(days=90),
                                       actor=supervisor)
            manual += 1
    review = services.monthly_tier_review(now=now)
    agents = 0
    for cid in LoyaltyAccount.objects.filter(tier__gte=Tier.GOLD, customer__owner__isnull=True).values_list(
            "customer_id", flat=True):
        agents += services.dedicated_agent_assign(customer_id=cid) is not None
    key_changes = _key_field_changes(rng, supervisor)
    counts = selectors.tier_distribution()
    stdout.write(
        f"loyalty: {len(entries)} ledger lines, {len(changes)} upgrades, {referred} referrals, {coupons} coupons "
        f"({used} used), {manual} manual tiers, {agents} dedicated agents, {key_changes} key-field changes "
        f"for review, review {review}; tiers "
        + ", ".join(f"{Tier(t).label}={n}" for t, n in counts.items())
    )


def _key_field_changes(rng: random.Random, supervisor) -> int:
    """A few account managers' corrections to their VIP customers waiting for a supervisor (001 篇2),
    one of them sent back: what the supervisor's workbench shows."""
    from core.notifications import notifications_muted
    from customers.errors import CustomerError
    from customers.services import customer_update, key_change_decide

    vips = list(Customer.objects.filter(loyalty__tier__gte=settings.LOYALTY_VIP_MIN_TIER, owner__isnull=False,
                                        birthday__isnull=False).select_related("owner").order_by("pk")[:40])
    made = 0
    for customer in rng.sample(vips, min(len(vips), 3)):
        try:
            with notifications_muted():
                saved = customer_update(customer=customer, actor=customer.owner, reason="客户来电更正生日 (demo)",
                                        birthday=customer.birthday + dt.timedelta(days=1))
        except CustomerError:
            continue
        change = saved.submitted_key_change
        if change is None:
            continue
        made += 1
        if made == 1 and supervisor is not None:
            key_change_decide(change=change, actor=supervisor, approve=False, note="请先核对客户身份证上的日期 (demo)")
    return made
