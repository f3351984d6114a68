"""Reads of the loyalty app. Other apps use these (care reads ``tier_benefits_for`` for the
callback interval; complaints reads ``customer_tier``); counts and sums are done in SQL.

    customer_tier(customer) -> Tier
    tier_benefits_for(customer) -> TierBenefit | None
    points_balance(customer, *, now=None) -> PointsBalance(available, pending)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, Sum, Window
from django.utils import timezone

from customers.models import Customer, Order
from loyalty import rules
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierBenefit, TierChange, TierRule


# --- tier and benefits --------------------------------------------------------------------------
def _customer_id(customer) -> int:
    return customer if isinstance(customer, int) else customer.pk


def customer_tier(customer) -> Tier:
    """The customer's current tier (normal when no loyalty account exists yet)."""
    tier = LoyaltyAccount.objects.filter(customer_id=_customer_id(customer)).values_list("tier", flat=True).first()
    return Tier(tier or Tier.NORMAL)


def is_vip(customer) -> bool:
    """A VIP for the customers app's key-field review: tier LOYALTY_VIP_MIN_TIER or higher."""
    return customer_tier(customer) >= settings.LOYALTY_VIP_MIN_TIER


def customers_with_dedicated_agent():
    """Customer ids whose tier comes with a dedicated agent (``TierBenefit.dedicated_agent``): the
    dormancy sweep leaves them their agent (customers.hooks), a benefit of the tier they still hold."""
    tiers = TierBenefit.objects.filter(dedicated_agent=True).values("tier")
    return LoyaltyAccount.objects.filter(tier__in=tiers).values("customer_id")


def tier_benefits_for(customer) -> TierBenefit | None:
    """The benefit row of the customer's current tier (``callback_interval_days``, discount, …)."""
    return TierBenefit.objects.filter(tier=customer_tier(customer)).first()


def tier_benefits_by_tier() -> dict[int, TierBenefit]:
    return {b.tier: b for b in TierBenefit.objects.all()}


def active_rules() -> list[TierRule]:
    return list(TierRule.objects.filter(is_active=True).order_by("tier"))


def account_for(customer) -> LoyaltyAccount | None:
    return LoyaltyAccount.objects.filter(customer_id=_customer_id(customer)).first()


def manual_active(account: LoyaltyAccount | None, day: dt.date) -> bool:
    return bool(account and account.manual_until and account.manual_until >= day)


# --- figures ------------------------------------------------------------------------------------
def window_start(now: dt.datetime, months: int) -> dt.datetime:
    return rules.add_months(timezone.localtime(now), -months)


def customer_figures(customer, *, windows, now: dt.datetime | None = None) -> dict[int, rules.Figures]:
    """The customer's figures over each trailing window (months), aggregated in SQL."""
    now = now or timezone.now()
    cid = _customer_id(customer)
    out = {}
    for months in set(windows):
        start = window_start(now, months)
        # COUNT(*) (not COUNT(id)) so PostgreSQL answers from order_customer_completed_idx
        # (customer_id, finished_at) INCLUDE (fee) WHERE completed, an index-only scan.
        orders = Order.objects.filter(customer_id=cid, status=Order.Status.COMPLETED,
                                      finished_at__gte=start, finished_at__lte=now).aggregate(
            n=Count("*"), s=Sum("fee"))
        points = PointsEntry.objects.filter(
            customer_id=cid, kind__in=[*PointsEntry.CREDIT_KINDS, PointsEntry.Kind.REVERSAL],
            earned_at__gte=start, earned_at__lte=now,
        ).aggregate(p=Sum("points"))["p"] or 0
        referrals = Customer.objects.filter(referred_by_id=cid, first_order_at__gte=start,
                                            first_order_at__lte=now).count()
        out[months] = rules.Figures(orders=orders["n"] or 0, spend=Decimal(orders["s"] or 0), points=max(points, 0),
                                    referrals=referrals)
    return out


def customer_evaluation(customer, *, now=None, rule_rows=None) -> tuple[int, TierRule | None, dict]:
    """(qualified tier, the rule met, figures by window) under the active rules."""
    rule_rows = active_rules() if rule_rows is None else rule_rows
    figures = customer_figures(customer, windows=[r.window_months for r in rule_rows] or [12], now=now)
    tier, rule = rules.evaluate_tier(figures=figures, rules=rule_rows)
    return tier, rule, figures


@dataclass(frozen=True)
class NextTier:
    tier: Tier
    rule: TierRule
    combine: str
    missing: list  # (figure, how much more)


def distance_to_next_tier(customer, *, now=None) -> NextTier | None:
    """How far the customer is from the tier above the current one (None at the top or with no rule)."""
    current = customer_tier(customer)
    rule_rows = active_rules()
    above = [r for r in rule_rows if r.tier == current + 1]
    if not above:
        return None
    figures = customer_figures(customer, windows=[above[0].window_months], now=now)[above[0].window_months]
    return NextTier(Tier(above[0].tier), above[0], above[0].combine, rules.missing_for(above[0], figures))


# --- SQL evaluation of every customer (monthly review, admin preview, benchmark) ----------------
def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def tier_evaluation_sql(rule_rows, *, now: dt.datetime) -> tuple[str, list]:
    """``SELECT customer_id, qualified FROM …`` for every customer not anonymised, the tier each
    would hold under ``rule_rows``: one grouped query per figure and window, joined once. Mirrors
    ``rules.evaluate_tier`` (a test checks they agree)."""
    rule_rows = [r for r in rule_rows if r.is_active and rules.conditions(r)]
    customer_t, order_t = Customer._meta.db_table, Order._meta.db_table
    ledger_t = PointsEntry._meta.db_table
    ctes, joins, params = [], [], []
    needed: dict[int, set[str]] = {}
    for rule in rule_rows:
        needed.setdefault(rule.window_months, set()).update(name for name, _v in rules.conditions(rule))
    for months, names in sorted(needed.items()):
        start, end = _dt(window_start(now, months)), _dt(now)
        if names & {"orders", "spend"}:
            ctes.append(
                f"o{months} AS (SELECT customer_id, COUNT(*) AS n, SUM(fee) AS s FROM {order_t} "
                f"WHERE status = %s AND finished_at >= %s AND finished_at <= %s GROUP BY customer_id)"
            )
            params += [Order.Status.COMPLETED, start, end]
            joins.append(f"LEFT JOIN o{months} ON o{months}.customer_id = c.id")
        if "points" in names:
            kinds = [*PointsEntry.CREDIT_KINDS, PointsEntry.Kind.REVERSAL]
            ctes.append(
                f"p{months} AS (SELECT customer_id, SUM(points) AS n FROM {ledger_t} "
                f"WHERE kind IN ({', '.join(['%s'] * len(kinds))}) AND earned_at >= %s AND earned_at <= %s "
                f"GROUP BY customer_id)"
            )
            params += [*kinds, start, end]
            joins.append(f"LEFT JOIN p{months} ON p{months}.customer_id = c.id")
        if "referrals" in names:
            ctes.append(
                f"r{months} AS (SELECT referred_by_id AS customer_id, COUNT(*) AS n FROM {customer_t} "
                f"WHERE referred_by_id IS NOT NULL AND first_order_at >= %s AND first_order_at <= %s "
                f"GROUP BY referred_by_id)"
            )
            params += [start, end]
            joins.append(f"LEFT JOIN r{months} ON r{months}.customer_id = c.id")
    cases, case_params = [], []
    for rule in sorted(rule_rows, key=lambda r: r.tier, reverse=True):
        m = rule.window_months
        parts = []
        for name, threshold in rules.conditions(rule):
            if name == "orders":
                parts.append(f"COALESCE(o{m}.n, 0) >= %s")
                case_params.append(int(threshold))
            elif name == "spend":
                parts.append(f"COALESCE(o{m}.s, 0) >= CAST(%s AS NUMERIC)")
                case_params.append(str(threshold))
            elif name == "points":
                parts.append(f"COALESCE(p{m}.n, 0) >= %s")
                case_params.append(int(threshold))
            else:
                parts.append(f"COALESCE(r{m}.n, 0) >= %s")
                case_params.append(int(threshold))
        glue = " AND " if rule.combine == "all" else " OR "
        cases.append(f"WHEN ({glue.join(parts)}) THEN {int(rule.tier)}")
    qualified = f"CASE {' '.join(cases)} ELSE 0 END" if cases else "0"
    with_sql = f"WITH {', '.join(ctes)} " if ctes else ""
    sql = (
        f"{with_sql}SELECT c.id AS customer_id, {qualified} AS qualified FROM {customer_t} c "
        f"{' '.join(joins)} WHERE c.status <> %s"
    )
    return sql, [*params, *case_params, Customer.Status.ANONYMISED]


def tier_preview(rule_rows, *, now: dt.datetime | None = None) -> dict[int, int]:
    """How many customers would be in each tier if ``rule_rows`` (saved or not) were the rules,
    counted in SQL; the review's grace period is not applied (this is where the rules put them)."""
    sql, params = tier_evaluation_sql(rule_rows, now=now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT qualified, COUNT(*) FROM ({sql}) e GROUP BY qualified", params)  # noqa: S608
        counts = dict(cursor.fetchall())
    return {tier.value: counts.get(tier.value, 0) for tier in Tier}


def tier_distribution() -> dict[int, int]:
    """How many customers (not anonymised) hold each tier now."""
    counts = dict(
        LoyaltyAccount.objects.exclude(customer__status=Customer.Status.ANONYMISED)
        .values_list("tier").annotate(n=Count("pk")).values_list("tier", "n")
    )
    total = Customer.objects.exclude(status=Customer.Status.ANONYMISED).count()
    counts[Tier.NORMAL] = total - sum(v for k, v in counts.items() if k != Tier.NORMAL)
    return {tier.value: counts.get(tier.value, 0) for tier in Tier}


# --- points -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointsBalance:
    available: int
    pending: int


def points_balance(customer, *, now: dt.datetime | None = None) -> PointsBalance:
    now = now or timezone.now()
    sums = PointsEntry.objects.filter(customer_id=_customer_id(customer)).aggregate(
        available=Sum("points", filter=Q(available_at__lte=now)),
        pending=Sum("points", filter=Q(available_at__gt=now)),
    )
    return PointsBalance(available=sums["available"] or 0, pending=sums["pending"] or 0)


def _credits_since(cid: int, cutoff: dt.datetime, now: dt.datetime) -> int:
    """Available credits (net of their reversals) earned after ``cutoff``."""
    return PointsEntry.objects.filter(
        Q(points__gt=0) | Q(kind=PointsEntry.Kind.REVERSAL), customer_id=cid, earned_at__gt=cutoff,
        available_at__lte=now,
    ).exclude(kind=PointsEntry.Kind.EXPIRY).aggregate(p=Sum("points"))["p"] or 0


def points_expiring_within(customer, *, days: int | None = None, now: dt.datetime | None = None,
                           balance: int | None = None) -> int:
    """Points of the current balance that will have passed their expiry ``days`` from now."""
    now = now or timezone.now()
    days = settings.LOYALTY_EXPIRING_SOON_DAYS if days is None else days
    cid = _customer_id(customer)
    cutoff = rules.add_months(timezone.localtime(now + dt.timedelta(days=days)),
                              -settings.LOYALTY_POINTS_EXPIRE_MONTHS)
    balance = points_balance(cid, now=now).available if balance is None else balance
    return rules.points_to_expire(balance=balance, credits_since_cutoff=_credits_since(cid, cutoff, now))


def next_points_expiry(customer, *, now: dt.datetime | None = None,
                       balance: int | None = None) -> tuple[dt.datetime, int] | None:
    """(when, how many) of the next points to expire, oldest first. ``balance``: the available
    balance at ``now`` when the caller already has it."""
    now = now or timezone.now()
    cid = _customer_id(customer)
    balance = points_balance(cid, now=now).available if balance is None else balance
    if balance <= 0:
        return None
    cutoff = rules.add_months(timezone.localtime(now), -settings.LOYALTY_POINTS_EXPIRE_MONTHS)
    credits = (
        PointsEntry.objects.filter(Q(points__gt=0) | Q(kind=PointsEntry.Kind.REVERSAL), customer_id=cid,
                                   earned_at__gt=cutoff, available_at__lte=now)
        .exclude(kind=PointsEntry.Kind.EXPIRY)
        .order_by().values("earned_at").annotate(p=Sum("points")).values_list("earned_at", "p")
    )
    if connection.vendor == "postgresql":
        credits = _credits_holding_in_oldest_month(credits, balance)
        balance = sum(p for _at, p in credits)
    return rules.next_expiry(balance=balance, credits=list(credits),
                             expire_months=settings.LOYALTY_POINTS_EXPIRE_MONTHS)


def _credits_holding_in_oldest_month(credits, balance: int) -> list[tuple[dt.datetime, int]]:
    """PostgreSQL: the part of ``rules.next_expiry``'s walk that grows with the ledger, in SQL. Of the
    positive credit groups, newest first, the ones still holding part of ``balance`` (what was
    taken before them < balance) with the points each holds; the oldest of them and the sum held by
    those in its month (UTC, as the walk sees the datetimes). ``rules.next_expiry`` on that one row
    gives the same answer as on every credit and the balance, without sending tens of thousands of
    rows to Python for a heavy customer."""
    sql, params = credits.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH g AS ({sql}), "  # noqa: S608 (sql is the ORM's own, parameters passed separately)
            "h AS (SELECT earned_at, p, SUM(p) OVER (ORDER BY earned_at DESC) - p AS before FROM g WHERE p > 0), "
            "k AS (SELECT earned_at, LEAST(p, %s - before) AS take FROM h WHERE before < %s) "
            "SELECT MIN(earned_at), SUM(take) FROM k WHERE earned_at < (SELECT "
            "(date_trunc('month', MIN(earned_at) AT TIME ZONE 'UTC') + INTERVAL '1 month') AT TIME ZONE 'UTC' FROM k)",
            [*params, balance, balance],
        )
        oldest_at, same_month = cursor.fetchone()
    # The oldest holding credit and what the credits of its month hold: the walk over this one row
    # gives the same (when, how many) as over all of them.
    return [] if oldest_at is None else [(oldest_at, int(same_month))]


def ledger_with_running_balance(customer):
    """The customer's ledger, oldest first, each line with the running balance (window function)."""
    return (
        PointsEntry.objects.filter(customer_id=_customer_id(customer))
        .select_related("order", "created_by")
        .annotate(running_balance=Window(Sum("points"), order_by=[F("created_at").asc(), F("id").asc()]))
        .order_by("created_at", "id")
    )


def latest_ledger_lines(customer, *, limit: int) -> list[PointsEntry]:
    """The customer's ``limit`` latest ledger lines, newest first, each with ``running_balance`` (the
    same figure as ``ledger_with_running_balance``): a LIMITed read plus one SUM, so the cost does not
    grow with the length of the ledger (the running balance of the newest line is the sum of all lines;
    each older one is the next newer one's minus that line's points)."""
    cid = _customer_id(customer)
    lines = list(PointsEntry.objects.filter(customer_id=cid).select_related("order", "created_by")
                 .order_by("-created_at", "-id")[:limit])
    if not lines:
        return lines
    balance = PointsEntry.objects.filter(customer_id=cid).aggregate(p=Sum("points"))["p"] or 0
    for line in lines:
        line.running_balance = balance
        balance -= line.points
    return lines


def referred_spend(referrer) -> Decimal:
    """Completed spend of every customer the referrer brought in, in SQL."""
    total = Order.objects.filter(customer__referred_by_id=_customer_id(referrer),
                                 status=Order.Status.COMPLETED).aggregate(s=Sum("fee"))["s"]
    return Decimal(total or 0)


def referral_summary(customer) -> dict:
    """Whom the customer referred (and how many have ordered) and the points those referrals earned."""
    cid = _customer_id(customer)
    referred = Customer.objects.filter(referred_by_id=cid).aggregate(
        total=Count("pk"), ordered=Count("pk", filter=Q(first_order_at__isnull=False)))
    points = PointsEntry.objects.filter(
        Q(kind__in=[PointsEntry.Kind.REFERRAL_FIRST_ORDER, PointsEntry.Kind.REFERRAL_SPEND])
        | Q(kind=PointsEntry.Kind.REVERSAL, reverses__kind__in=[PointsEntry.Kind.REFERRAL_FIRST_ORDER,
                                                                PointsEntry.Kind.REFERRAL_SPEND]),
        customer_id=cid,
    ).aggregate(p=Sum("points"))["p"] or 0
    return {"total": referred["total"], "ordered": referred["ordered"], "points": points}


# --- coupons and history ----------------------------------------------------------------------
def valid_coupons(customer, *, day: dt.date | None = None):
    day = day or timezone.localdate()
    return Coupon.objects.filter(customer_id=_customer_id(customer), status=Coupon.Status.ISSUED,
                                 valid_from__lte=day, valid_until__gte=day).order_by("valid_until", "id")


def tier_history(customer):
    return TierChange.objects.filter(customer_id=_customer_id(customer)).select_related("changed_by", "rule")
