"""Loyalty figures: customers per tier at the end of M and points earned / redeemed / expired in M.

A customer's tier at the end of M is read from the tier history: the ``to_tier`` of their last change
before the end of M; failing that, the ``from_tier`` of their first change after it (they held it
until then); with no history at all, their account's tier (normal without an account). Anonymised
customers and those created after M are not counted.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer
from kpis.metrics.period import Period

try:  # kpis only reads loyalty; the figures stay null while the app has no models.
    from loyalty.models import LoyaltyAccount, PointsEntry, Tier, TierChange
except ImportError:  # pragma: no cover
    LoyaltyAccount = PointsEntry = Tier = TierChange = None


def available() -> bool:
    return TierChange is not None


def tier_counts(period: Period) -> dict:
    changes = TierChange.objects.filter(customer=OuterRef("pk"))
    before = changes.filter(changed_at__lt=period.end).order_by("-changed_at", "-id")
    after = changes.filter(changed_at__gte=period.end).order_by("changed_at", "id")
    account = LoyaltyAccount.objects.filter(customer=OuterRef("pk")).values("tier")[:1]
    tier_at_end = Coalesce(
        Subquery(before.values("to_tier")[:1], output_field=IntegerField()),
        Subquery(after.values("from_tier")[:1], output_field=IntegerField()),
        Subquery(account, output_field=IntegerField()),
        Value(int(Tier.NORMAL)),
    )
    rows = (
        Customer.objects.filter(created_at__lt=period.end).exclude(status=Customer.Status.ANONYMISED)
        .annotate(tier_at_end=tier_at_end).values("tier_at_end").annotate(n=Count("id")).order_by()
    )
    counts = {r["tier_at_end"]: r["n"] for r in rows}
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
