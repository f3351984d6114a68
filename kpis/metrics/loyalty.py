"""Loyalty figures: customers per tier at the end of M and points earned / redeemed / expired in M.

A customer's tier at the end of M is read from the tier history: the ``to_tier`` of their last change
before the end of M; failing that, the ``from_tier`` of their first change after it (they held it
until then); with no history at all, their account's tier (normal without an account). Anonymised
customers and those created after M are not counted.
"""

from django.db import connection
from django.db.models import Q, Sum

from customers.models import Customer
from kpis.metrics.period import Period
from loyalty.models import LoyaltyAccount, PointsEntry, Tier, TierChange  # (kpis only reads loyalty)

# One set-based query (hash joins over derived tables) instead of three correlated subqueries per
# customer: the ORM cannot join a window-filtered derived table, so this one is written by hand.
# ROW_NUMBER() works on PostgreSQL and SQLite alike.
TIER_AT_END_SQL = """
SELECT COALESCE(before.to_tier, after.from_tier, account.tier, %(normal)s) AS tier, COUNT(*) AS n
  FROM {customer} c
  LEFT JOIN (SELECT customer_id, to_tier FROM (
               SELECT customer_id, to_tier,
                      ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY changed_at DESC, id DESC) AS rn
                 FROM {change} WHERE changed_at < %(end)s) t WHERE rn = 1) before ON before.customer_id = c.id
  LEFT JOIN (SELECT customer_id, from_tier FROM (
               SELECT customer_id, from_tier,
                      ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY changed_at, id) AS rn
                 FROM {change} WHERE changed_at >= %(end)s) t WHERE rn = 1) after ON after.customer_id = c.id
  LEFT JOIN {account} account ON account.customer_id = c.id
 WHERE c.created_at < %(end)s AND c.status <> %(anonymised)s
 GROUP BY 1
"""


def tier_counts(period: Period) -> dict:
    sql = TIER_AT_END_SQL.format(customer=Customer._meta.db_table, change=TierChange._meta.db_table,
                                 account=LoyaltyAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"end": period.end, "normal": int(Tier.NORMAL),
                             "anonymised": Customer.Status.ANONYMISED.value})
        counts = {int(tier): n for tier, n in cursor.fetchall()}
    return {Tier(t).code: counts.get(int(t), 0) for t in Tier}


def point_counts(period: Period) -> dict:
    K = PointsEntry.Kind
    row = PointsEntry.objects.filter(created_at__gte=period.start, created_at__lt=period.end).aggregate(
        earned=Sum("points", filter=Q(kind__in=PointsEntry.CREDIT_KINDS)),
        redeemed=Sum("points", filter=Q(kind=K.REDEMPTION)),
        expired=Sum("points", filter=Q(kind=K.EXPIRY)),
        reversed=Sum("points", filter=Q(kind=K.REVERSAL)),
        adjusted=Sum("points", filter=Q(kind=K.ADJUSTMENT)),
    )
    # Debits are stored negative; the figures are amounts.
    return {
        "earned": row["earned"] or 0,
        "redeemed": -(row["redeemed"] or 0),
        "expired": -(row["expired"] or 0),
        "reversed": -(row["reversed"] or 0),
        "adjusted": row["adjusted"] or 0,
    }


def tier_labels() -> dict:
    """Tier code → its (translated) name, for the dashboard."""
    return {Tier(t).code: str(Tier(t).label) for t in Tier} if Tier is not None else {}
