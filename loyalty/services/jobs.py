"""The monthly jobs: set-based SQL, serialised by a job lock, idempotent per month."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import job_lock, job_run_record
from customers import selectors as customer_selectors
from loyalty import rules, selectors
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierChange
from loyalty.services.tiers import _enqueue_dedicated_agents, staff_tiers_cap

log = logging.getLogger(__name__)


# --- monthly jobs (set-based SQL, idempotent) -------------------------------------------------
def _batch_work_mem() -> None:
    """PostgreSQL: give this transaction's grouped aggregates enough memory to hash in RAM
    (LOYALTY_JOB_WORK_MEM) instead of spilling to disk; reverts at the end of the transaction."""
    if connection.vendor == "postgresql" and settings.LOYALTY_JOB_WORK_MEM:
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('work_mem', %s, true)", [settings.LOYALTY_JOB_WORK_MEM])


def _cap_staff_in_review(cur) -> None:
    """Staff who are customers qualify for the entry tier at most (001 篇2), whatever their figures."""
    staff_ids = list(customer_selectors.staff_customers().values_list("pk", flat=True))
    for start in range(0, len(staff_ids), 500):
        chunk = staff_ids[start:start + 500]
        cur.execute(f"UPDATE loyalty_review_eval SET qualified = %s WHERE qualified > %s "  # noqa: S608
                    f"AND customer_id IN ({', '.join(['%s'] * len(chunk))})",
                    [rules.ENTRY_TIER, rules.ENTRY_TIER, *chunk])


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
        counts["staff_capped"] = staff_tiers_cap(now=now)
        _batch_work_mem()
        eval_sql, eval_params = selectors.tier_evaluation_sql(selectors.active_rules(), now=now)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS loyalty_review_eval")
            cur.execute(f"CREATE TEMPORARY TABLE loyalty_review_eval AS {eval_sql}", eval_params)  # noqa: S608
            cur.execute("CREATE INDEX loyalty_review_eval_idx ON loyalty_review_eval (customer_id)")
            _cap_staff_in_review(cur)
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
