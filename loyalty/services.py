"""Every write of the loyalty app. Keyword-only, atomic, raising ``LoyaltyError``.

Called by other apps (care, complaints) — stable signatures:

    points_award(*, customer, points: int, source: str, reason: str = "",
                 kind: str = PointsEntry.Kind.ADJUSTMENT, order=None, earned_at=None,
                 available_at=None, actor=None) -> PointsEntry
        Credit points once per ``source`` (unique in the database): a second call with the same
        source returns the first entry and awards nothing. Use a source that names the cause,
        e.g. ``"complaint:TS2611-0007"``.

    points_adjust(*, customer, points: int, reason: str = "", actor=None, source: str | None = None)
        -> PointsEntry
        An adjustment, positive or negative, with a reason. Without a ``source`` it is staff's
        free-hand adjustment and the ``actor`` needs ``loyalty.adjust_points``; with a ``source``
        (e.g. ``"complaint:TS2611-0007:points"``) it comes from another app's approved process
        (a complaint remedy, whose authority that app checked), and is idempotent by source.
        A debit larger than the available balance is refused (InsufficientPoints); the balance
        never goes negative. Aliases accepted: ``source_key`` for ``source``, ``note`` for
        ``reason``.

    coupon_issue(*, customer, kind: str, origin: str, amount=None, percent=None,
                 valid_from: date | None = None, valid_until: date | None = None,
                 valid_days: int | None = None, origin_key: str | None = None, actor=None,
                 note: str = "") -> Coupon
        ``kind``: Coupon.Kind (free_ride with ``amount`` = the fee it covers, fixed with
        ``amount``, percent with ``percent``); ``origin``: Coupon.Origin (birthday, holiday,
        complaint, manual, redemption). With ``origin_key`` (e.g. ``"birthday:2026:<customer>"``)
        it is idempotent: a second call returns the first coupon. Default validity: from today for
        LOYALTY_COUPON_VALID_DAYS days. ``issued_by`` is accepted as an alias of ``actor``.
        Staff issuing by hand (origin manual) need ``loyalty.issue_coupon``; other origins come
        from the care and complaints processes, which check their own authority.

Order events (``customers.hooks``) call ``order_completed`` / ``order_cancelled``; merges call
``customers_merged``; the beat jobs call ``monthly_tier_review`` and ``points_expire``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import job_lock, job_run_record
from customers.models import Customer, Order, OwnershipChange
from loyalty import rules, selectors
from loyalty.errors import CouponNotUsable, InsufficientPoints, LoyaltyError, NotAllowed
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierBenefit, TierChange

log = logging.getLogger(__name__)


# --- accounts and tiers -------------------------------------------------------------------------
def _locked_account(customer_id: int) -> LoyaltyAccount:
    """The customer's loyalty row, created if missing, locked for the rest of the transaction
    (serialises point movements and tier changes of one customer)."""
    LoyaltyAccount.objects.get_or_create(customer_id=customer_id)
    return LoyaltyAccount.objects.select_for_update().get(customer_id=customer_id)


def _check_perm(actor, perm: str, message) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise NotAllowed(message)


def _change_tier(*, account: LoyaltyAccount, to_tier: int, reason: str, rule=None, note: str = "",
                 actor=None, now=None) -> TierChange:
    now = now or timezone.now()
    change = TierChange.objects.create(customer_id=account.customer_id, from_tier=account.tier, to_tier=to_tier,
                                       reason=reason, rule=rule, note=note[:200], changed_by=actor, changed_at=now)
    if to_tier != account.tier:
        account.tier, account.tier_since = to_tier, now
    account.missed_reviews = 0
    account.save()
    if change.from_tier < Tier.GOLD <= to_tier:
        transaction.on_commit(lambda: dedicated_agent_assign(customer_id=account.customer_id))
    return change


def dedicated_agent_assign(*, customer_id: int):
    """One customer who reached a tier with a dedicated agent: see ``dedicated_agents_assign``."""
    return dedicated_agents_assign(customer_ids=[customer_id]) or None


def dedicated_agents_assign(*, customer_ids) -> int:
    """Customers whose tier comes with a dedicated agent (gold and diamond by default, the
    ``TierBenefit.dedicated_agent`` rows) and who have no account manager get the least-loaded
    active agent, through ``customers.services.customer_assign_owner`` (reason: dedicated agent).
    Agents' loads are read once and kept current while assigning, so a batch spreads evenly.
    Customers who have an owner already are left alone; running it twice assigns nothing more."""
    from customers.services import customer_assign_owner
    from customers.services.ownership import least_loaded_agent

    tiers = list(TierBenefit.objects.filter(dedicated_agent=True).values_list("tier", flat=True))
    due = list(
        Customer.objects.filter(pk__in=list(customer_ids), owner__isnull=True, loyalty__tier__in=tiers)
        .exclude(status=Customer.Status.ANONYMISED).order_by("pk")
    )
    if not due:
        return 0
    first = least_loaded_agent()
    if first is None:
        log.warning("no active agent takes customers: %s customers have no dedicated agent", len(due))
        return 0
    # The same candidates and load as least_loaded_agent, read once for the whole batch.
    candidates = (
        type(first).objects.filter(is_active=True, staff_profile__takes_customers=True,
                                   staff_profile__left_at__isnull=True)
        .annotate(load=Count("owned_customers")).order_by("load", "pk")
    )
    heap = [(agent.load, agent.pk, agent) for agent in candidates]
    heapq.heapify(heap)
    note = _("Dedicated agent for the customer's tier")
    for customer in due:
        load, pk, agent = heapq.heappop(heap)
        customer_assign_owner(customer=customer, owner=agent, reason=OwnershipChange.Reason.DEDICATED_AGENT,
                              note=note)
        heapq.heappush(heap, (load + 1, pk, agent))
    return len(due)


def _enqueue_dedicated_agents(customer_ids: list[int]) -> None:
    """After the review commits: assign dedicated agents in background batches (the review itself
    stays a few set-based statements)."""
    from loyalty.tasks import assign_dedicated_agents

    for start in range(0, len(customer_ids), 1000):
        try:
            assign_dedicated_agents.delay(customer_ids[start:start + 1000])
        except Exception:  # noqa: BLE001 - broker down: assign in this process instead
            log.warning("could not enqueue dedicated-agent assignment; assigning now", exc_info=True)
            dedicated_agents_assign(customer_ids=customer_ids[start:start + 1000])


@transaction.atomic
def tier_upgrade_check(*, customer, now=None) -> TierChange | None:
    """Upgrade the customer at once if their figures meet a higher tier's rule; never downgrades
    (that is the monthly review's job). Writes only a real change, so repeating it is harmless."""
    now = now or timezone.now()
    account = _locked_account(customer.pk)
    qualified, rule, _figures = selectors.customer_evaluation(customer, now=now)
    if qualified <= account.tier:
        return None
    return _change_tier(account=account, to_tier=qualified, reason=TierChange.Reason.RULE, rule=rule, now=now)


@transaction.atomic
def tier_set_manually(*, customer, tier: int, reason: str, until: dt.date, actor) -> TierChange:
    """A supervisor sets the tier by hand, with a reason and an end date; the monthly review does
    not lower it until that date has passed."""
    _check_perm(actor, "loyalty.set_tier_manually", _("Only a supervisor may set a tier by hand."))
    if tier not in Tier.values:
        raise LoyaltyError(_("Choose a tier."), field="tier")
    if not (reason or "").strip():
        raise LoyaltyError(_("Say why the tier is set by hand."), field="reason", code="required")
    if until is None or until <= timezone.localdate():
        raise LoyaltyError(_("The end date must be in the future."), field="until")
    account = _locked_account(customer.pk)
    account.manual_until, account.manual_reason, account.manual_set_by = until, reason.strip()[:200], actor
    return _change_tier(account=account, to_tier=tier, reason=TierChange.Reason.MANUAL,
                        note=reason.strip(), actor=actor)


# --- points -------------------------------------------------------------------------------------
def _balance(customer_id: int, now=None) -> int:
    return selectors.points_balance(customer_id, now=now).available


def _insert_once(**fields) -> PointsEntry:
    """Create a ledger line whose ``source`` is unique; if it exists (a replay, or another worker
    won the race) return the existing line instead."""
    source = fields["source"]
    existing = PointsEntry.objects.filter(source=source).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(**fields)
    except IntegrityError:
        existing = PointsEntry.objects.filter(source=source).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def points_award(*, customer, points: int, source: str, reason: str = "", kind: str = PointsEntry.Kind.ADJUSTMENT,
                 order=None, earned_at=None, available_at=None, actor=None) -> PointsEntry:
    """Credit ``points`` once per ``source`` (see the module docstring)."""
    if not source:
        raise LoyaltyError(_("An award needs a source."), field="source", code="required")
    if int(points) <= 0:
        raise LoyaltyError(_("Award a positive number of points."), field="points")
    if kind not in (*PointsEntry.CREDIT_KINDS, PointsEntry.Kind.ADJUSTMENT):
        raise LoyaltyError(_("Not a kind of award."), field="kind")
    now = timezone.now()
    _locked_account(customer.pk)
    return _insert_once(customer_id=customer.pk, kind=kind, points=int(points), source=source[:100],
                        reason=(reason or "")[:200], order=order, earned_at=earned_at or now,
                        available_at=available_at or now, created_by=actor, created_at=now)


@transaction.atomic
def points_adjust(*, customer, points: int, reason: str = "", actor=None, source: str | None = None,
                  source_key: str | None = None, note: str | None = None) -> PointsEntry:
    """An adjustment with a reason (see the module docstring)."""
    source = source or source_key
    reason = reason or note or ""
    if not source:
        _check_perm(actor, "loyalty.adjust_points", _("You may not adjust points."))
    points = int(points)
    if points == 0:
        raise LoyaltyError(_("Enter a number of points other than zero."), field="points")
    if not (reason or "").strip():
        raise LoyaltyError(_("An adjustment needs a reason."), field="reason", code="required")
    _locked_account(customer.pk)
    if source and (existing := PointsEntry.objects.filter(source=source).first()):
        return existing
    if points < 0 and _balance(customer.pk) + points < 0:
        raise InsufficientPoints(_("The balance is %(balance)s points; it cannot go below zero.")
                                 % {"balance": _balance(customer.pk)}, field="points")
    fields = dict(customer_id=customer.pk, kind=PointsEntry.Kind.ADJUSTMENT, points=points, source=source or None,
                  reason=reason.strip()[:200], created_by=actor)
    return _insert_once(**fields) if source else PointsEntry.objects.create(**fields)


def redemption_cost(*, kind: str, amount=None, percent=None) -> int:
    """Points a coupon costs: its value in yuan × LOYALTY_REDEMPTION_POINTS_PER_YUAN (a percentage
    coupon is valued at that percentage of ¥100)."""
    value = Decimal(percent or 0) if kind == Coupon.Kind.PERCENT else Decimal(amount or 0)
    return int(value * settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN)


@transaction.atomic
def points_redeem(*, customer, kind: str, amount=None, percent=None, points: int | None = None,
                  valid_days: int | None = None, actor=None, key: str | None = None) -> Coupon:
    """Spend points on a coupon. The customer's row is locked, so two redemptions at once are
    serialised and the second sees the first's debit: the balance never goes negative. With a
    ``key`` a repeated request returns the first coupon."""
    _check_perm(actor, "loyalty.redeem_points", _("You may not redeem points."))
    if key and (existing := Coupon.objects.filter(origin_key=f"redeem:{key}").first()):
        return existing
    cost = redemption_cost(kind=kind, amount=amount, percent=percent) if points is None else int(points)
    if cost <= 0:
        raise LoyaltyError(_("A redemption costs a positive number of points."), field="points")
    _locked_account(customer.pk)
    balance = _balance(customer.pk)
    if balance < cost:
        raise InsufficientPoints(_("%(cost)s points are needed; the balance is %(balance)s.")
                                 % {"cost": cost, "balance": balance}, field="points")
    entry = PointsEntry.objects.create(customer_id=customer.pk, kind=PointsEntry.Kind.REDEMPTION, points=-cost,
                                       source=f"redeem:{key}"[:100] if key else None, created_by=actor,
                                       reason=_("Redeemed for a coupon"))
    return coupon_issue(customer=customer, kind=kind, amount=amount, percent=percent, valid_days=valid_days,
                        origin=Coupon.Origin.REDEMPTION, origin_key=f"redeem:{key}" if key else None,
                        points_entry=entry)


def _reverse(entry: PointsEntry, *, reason: str, now) -> PointsEntry | None:
    """Cancel a credit once (source ``reversal:<id>``). A credit still pending is cancelled in the
    pending part (it never becomes available); one already available is taken back now, but never
    below a zero balance."""
    source = f"reversal:{entry.pk}"
    if existing := PointsEntry.objects.filter(source=source).first():
        return existing
    if entry.available_at > now:
        points, available_at = entry.points, entry.available_at
    else:
        points, available_at = min(entry.points, max(_balance(entry.customer_id, now), 0)), now
        if points < entry.points:
            reason = f"{reason} ({_('capped at the balance')}: {points}/{entry.points})"
    if points <= 0:
        return None
    return _insert_once(customer_id=entry.customer_id, kind=PointsEntry.Kind.REVERSAL, points=-points, source=source,
                        order_id=entry.order_id, reverses=entry, earned_at=entry.earned_at,
                        available_at=available_at, reason=reason[:200], created_at=now)


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


# --- coupons ------------------------------------------------------------------------------------
@transaction.atomic
def coupon_issue(*, customer, kind: str, origin: str, amount=None, percent=None, valid_from: dt.date | None = None,
                 valid_until: dt.date | None = None, valid_days: int | None = None, origin_key: str | None = None,
                 actor=None, note: str = "", points_entry: PointsEntry | None = None, issued_by=None) -> Coupon:
    """Issue a coupon (see the module docstring)."""
    actor = actor or issued_by
    if origin == Coupon.Origin.MANUAL:
        _check_perm(actor, "loyalty.issue_coupon", _("You may not issue coupons."))
    if origin_key and (existing := Coupon.objects.filter(origin_key=origin_key).first()):
        return existing
    if kind not in Coupon.Kind.values:
        raise LoyaltyError(_("Choose a kind of coupon."), field="kind")
    if origin not in Coupon.Origin.values:
        raise LoyaltyError(_("Say what the coupon is issued for."), field="origin")
    if getattr(customer, "status", None) == Customer.Status.ANONYMISED:
        raise NotAllowed(_("An anonymised customer cannot receive coupons."))
    amount = Decimal(str(amount)) if amount not in (None, "") else None
    percent = Decimal(str(percent)) if percent not in (None, "") else None
    if kind == Coupon.Kind.PERCENT:
        if percent is None or not Decimal("0") < percent <= Decimal("100"):
            raise LoyaltyError(_("A percentage discount is between 0 and 100."), field="percent")
        amount = None
    else:
        if amount is None or amount <= 0:
            raise LoyaltyError(_("Enter the coupon's amount."), field="amount")
        percent = None
    valid_from = valid_from or timezone.localdate()
    if valid_until is None:
        valid_until = valid_from + dt.timedelta(days=(valid_days or settings.LOYALTY_COUPON_VALID_DAYS) - 1)
    if valid_until < valid_from:
        raise LoyaltyError(_("The coupon must be valid for at least one day."), field="valid_until")
    try:
        with transaction.atomic():
            return Coupon.objects.create(customer_id=customer.pk, kind=kind, amount=amount, percent=percent,
                                         valid_from=valid_from, valid_until=valid_until, origin=origin,
                                         origin_key=origin_key or None, issued_by=actor, note=(note or "")[:200],
                                         points_entry=points_entry)
    except IntegrityError:
        if origin_key and (existing := Coupon.objects.filter(origin_key=origin_key).first()):
            return existing
        raise


@transaction.atomic
def coupon_use(*, code: str, platform, order_ref: str = "") -> Coupon:
    """A platform marks a coupon used. Idempotent: the same platform using it again gets the same
    coupon back. Only coupons of the platform's own customers (customers with one of its orders)
    are found; anything else is as if it did not exist."""
    coupon = (
        Coupon.objects.select_for_update()
        .filter(Exists(Order.objects.filter(platform=platform, customer_id=OuterRef("customer_id"))),
                code=(code or "").strip().upper())
        .first()
    ) if platform is not None else None
    if coupon is None:
        raise Coupon.DoesNotExist(code)
    if coupon.status == Coupon.Status.USED:
        if coupon.used_platform_id == platform.pk and (not order_ref or order_ref == coupon.used_order_ref):
            return coupon
        raise CouponNotUsable(_("This coupon has already been used."), code="coupon_used")
    if coupon.status != Coupon.Status.ISSUED:
        raise CouponNotUsable(_("This coupon is no longer valid."), code="coupon_void")
    today = timezone.localdate()
    if coupon.valid_until < today:
        raise CouponNotUsable(_("This coupon expired on %(day)s.") % {"day": coupon.valid_until},
                              code="coupon_expired")
    if coupon.valid_from > today:
        raise CouponNotUsable(_("This coupon is valid from %(day)s.") % {"day": coupon.valid_from},
                              code="coupon_not_yet_valid")
    coupon.status, coupon.used_at, coupon.used_platform = Coupon.Status.USED, timezone.now(), platform
    coupon.used_order_ref = (order_ref or "")[:64]
    coupon.save(update_fields=["status", "used_at", "used_platform", "used_order_ref"])
    return coupon


@transaction.atomic
def coupon_void(*, coupon: Coupon, actor, reason: str) -> Coupon:
    _check_perm(actor, "loyalty.issue_coupon", _("You may not void coupons."))
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if coupon.status != Coupon.Status.ISSUED:
        raise CouponNotUsable(_("Only an unused coupon can be voided."))
    if not (reason or "").strip():
        raise LoyaltyError(_("Say why the coupon is voided."), field="reason", code="required")
    coupon.status, coupon.note = Coupon.Status.VOID, f"{coupon.note} {reason}".strip()[:200]
    coupon.save(update_fields=["status", "note"])
    return coupon


# --- monthly jobs (set-based SQL, idempotent) -------------------------------------------------
def _batch_work_mem() -> None:
    """PostgreSQL: give this transaction's grouped aggregates enough memory to hash in RAM
    (LOYALTY_JOB_WORK_MEM) instead of spilling to disk; reverts at the end of the transaction."""
    if connection.vendor == "postgresql" and settings.LOYALTY_JOB_WORK_MEM:
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('work_mem', %s, true)", [settings.LOYALTY_JOB_WORK_MEM])


def _review_day(now) -> dt.date:
    return timezone.localtime(now).date().replace(day=1)


def monthly_tier_review(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The monthly review, once per calendar month (``last_review_on``), in a handful of set-based
    statements over a temporary table of every customer's qualified tier:

    - an upgrade that the rules now give (referrals, points) takes effect;
    - a tier held by hand is not lowered until its end date (then the manual period is cleared);
    - a customer below their tier's rule misses a review: the first miss only warns, the
      LOYALTY_DOWNGRADE_AFTER_MISSES-th in a row lowers the tier by one step;
    - meeting the rule again resets the misses.

    Every tier change is written to TierChange. Runs twice, late, or concurrently (job lock) without
    doing anything twice."""
    now = now or timezone.now()
    review_on = _review_day(now)
    misses = max(settings.LOYALTY_DOWNGRADE_AFTER_MISSES, 1)
    acc, chg = LoyaltyAccount._meta.db_table, TierChange._meta.db_table
    ts = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(review_on)
    counts = {}
    with transaction.atomic():
        job_lock("loyalty.monthly_tier_review")
        _batch_work_mem()
        eval_sql, eval_params = selectors.tier_evaluation_sql(selectors.active_rules(), now=now)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS loyalty_review_eval")
            cur.execute(f"CREATE TEMPORARY TABLE loyalty_review_eval AS {eval_sql}", eval_params)  # noqa: S608
            cur.execute("CREATE INDEX loyalty_review_eval_idx ON loyalty_review_eval (customer_id)")
            cur.execute("ANALYZE loyalty_review_eval")  # temporary tables are never auto-analysed
            due = "(a.last_review_on IS NULL OR a.last_review_on < %s)"

            def run(key, sql, params):
                cur.execute(sql, params)
                counts[key] = max(cur.rowcount, 0)

            # Manual periods that ended: the customer is reviewed normally from now on.
            run("manual_ended", f"UPDATE {acc} SET manual_until = NULL, manual_reason = '', manual_set_by_id = NULL "
                f"WHERE manual_until IS NOT NULL AND manual_until < %s", [day])
            # Customers the rules lift above normal who have no row yet.
            run("accounts_created",
                f"INSERT INTO {acc} (customer_id, tier, tier_since, missed_reviews, manual_reason, updated_at) "
                f"SELECT e.customer_id, 0, %s, 0, '', %s FROM loyalty_review_eval e WHERE e.qualified > 0 "
                f"AND NOT EXISTS (SELECT 1 FROM {acc} x WHERE x.customer_id = e.customer_id)", [ts, ts])
            # Upgrades.
            run("upgraded",
                f"INSERT INTO {chg} (customer_id, from_tier, to_tier, reason, note, changed_at) "
                f"SELECT a.customer_id, a.tier, e.qualified, %s, '', %s FROM {acc} a "
                f"JOIN loyalty_review_eval e ON e.customer_id = a.customer_id WHERE e.qualified > a.tier AND {due}",
                [TierChange.Reason.REVIEW, ts, day])
            cur.execute(
                f"UPDATE {acc} SET tier = e.qualified, tier_since = %s, missed_reviews = 0, last_review_on = %s, "
                f"updated_at = %s FROM loyalty_review_eval e WHERE e.customer_id = {acc}.customer_id "
                f"AND e.qualified > {acc}.tier AND ({acc}.last_review_on IS NULL OR {acc}.last_review_on < %s)",
                [ts, day, ts, day])
            # Held by hand, or meeting the rule of the tier held: misses reset.
            run("kept",
                f"UPDATE {acc} SET missed_reviews = 0, last_review_on = %s, updated_at = %s "
                f"FROM loyalty_review_eval e WHERE e.customer_id = {acc}.customer_id "
                f"AND (e.qualified >= {acc}.tier OR {acc}.manual_until IS NOT NULL) "
                f"AND ({acc}.last_review_on IS NULL OR {acc}.last_review_on < %s)", [day, ts, day])
            # Below the rule for the last allowed time: one step down.
            def below(t):
                return (f"e.customer_id = {t}.customer_id AND e.qualified < {t}.tier AND {t}.manual_until IS NULL "
                        f"AND {t}.missed_reviews + 1 >= %s AND ({t}.last_review_on IS NULL OR {t}.last_review_on < %s)")

            run("downgraded",
                f"INSERT INTO {chg} (customer_id, from_tier, to_tier, reason, note, changed_at) "
                f"SELECT a.customer_id, a.tier, a.tier - 1, %s, %s, %s FROM {acc} a "
                f"JOIN loyalty_review_eval e ON {below('a')}",
                [TierChange.Reason.REVIEW,
                 _("Missed the tier rule at %(n)s reviews in a row") % {"n": misses}, ts, misses, day])
            cur.execute(
                f"UPDATE {acc} SET tier = tier - 1, tier_since = %s, missed_reviews = 0, last_missed_on = %s, "
                f"last_review_on = %s, updated_at = %s FROM loyalty_review_eval e WHERE {below(acc)}",
                [ts, day, day, ts, misses, day])
            # A first (not yet final) miss: warn.
            run("warned",
                f"UPDATE {acc} SET missed_reviews = missed_reviews + 1, last_missed_on = %s, last_review_on = %s, "
                f"updated_at = %s FROM loyalty_review_eval e WHERE e.customer_id = {acc}.customer_id "
                f"AND e.qualified < {acc}.tier AND {acc}.manual_until IS NULL "
                f"AND ({acc}.last_review_on IS NULL OR {acc}.last_review_on < %s)", [day, day, ts, day])
            cur.execute("DROP TABLE IF EXISTS loyalty_review_eval")
        reached_gold = list(
            TierChange.objects.filter(reason=TierChange.Reason.REVIEW, changed_at=now, from_tier__lt=Tier.GOLD,
                                      to_tier__gte=Tier.GOLD, customer__owner__isnull=True)
            .values_list("customer_id", flat=True)
        )
        if reached_gold:
            transaction.on_commit(lambda: _enqueue_dedicated_agents(reached_gold))
    job_run_record(name="loyalty.monthly_tier_review",
                   result=" ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def points_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Monthly: points earned more than LOYALTY_POINTS_EXPIRE_MONTHS ago expire, oldest first, in
    one INSERT … SELECT grouped by customer. For each customer the expired amount is what the
    available balance holds beyond the credits earned since the cutoff (spending took the oldest
    points first). One expiry line per customer and month (unique source), so a second run writes
    nothing. Coupons past their validity are marked expired."""
    now = now or timezone.now()
    cutoff = rules.add_months(timezone.localtime(now), -settings.LOYALTY_POINTS_EXPIRE_MONTHS)
    month = timezone.localtime(now).strftime("%Y-%m")
    ledger = PointsEntry._meta.db_table
    ts = connection.ops.adapt_datetimefield_value(now)
    reason = _("Points earned before %(day)s expired") % {"day": cutoff.date().isoformat()}
    with transaction.atomic():
        job_lock("loyalty.points_expiry")
        _batch_work_mem()
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {ledger} "
                f"(customer_id, kind, points, source, earned_at, available_at, reason, created_at) "
                f"SELECT t.customer_id, %s, -(t.bal - CASE WHEN t.recent > 0 THEN t.recent ELSE 0 END), "
                f"%s || CAST(t.customer_id AS VARCHAR(20)) || %s, %s, %s, %s, %s FROM ("
                f"  SELECT customer_id, SUM(points) AS bal, "
                f"  SUM(CASE WHEN earned_at > %s AND kind <> %s AND (points > 0 OR kind = %s) THEN points ELSE 0 END)"
                f"  AS recent FROM {ledger} WHERE available_at <= %s GROUP BY customer_id"
                f") t WHERE t.bal - CASE WHEN t.recent > 0 THEN t.recent ELSE 0 END > 0 "
                f"ON CONFLICT (source) DO NOTHING",
                [PointsEntry.Kind.EXPIRY, "expiry:", f":{month}", ts, ts, reason[:200], ts,
                 connection.ops.adapt_datetimefield_value(cutoff), PointsEntry.Kind.EXPIRY,
                 PointsEntry.Kind.REVERSAL, ts],
            )
            expired_customers = max(cur.rowcount, 0)
        coupons = Coupon.objects.filter(status=Coupon.Status.ISSUED, valid_until__lt=timezone.localdate(now)).update(
            status=Coupon.Status.EXPIRED)
    result = {"customers_with_expired_points": expired_customers, "coupons_expired": coupons}
    job_run_record(name="loyalty.points_expiry", result=" ".join(f"{k}={v}" for k, v in result.items()))
    return result
