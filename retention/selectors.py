"""The customers each early-warning signal finds (candidates; the service skips those already warned).
Each is one grouped query over a bounded window, then a pure rule per candidate row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils.translation import gettext as _

from complaints.models import Complaint
from customers.models import Customer, Order, Review
from retention import rules

LIVE = [Customer.Status.ACTIVE, Customer.Status.DORMANT]


@dataclass(frozen=True)
class Signal:
    customer_id: int
    evidence_key: str
    reason: str


def frequency_drops(now: dt.datetime) -> list[Signal]:
    """Customers whose silence is far longer than their own usual interval between orders (orders of the
    last ``RETENTION_RHYTHM_LOOKBACK_DAYS``)."""
    since = now - dt.timedelta(days=settings.RETENTION_RHYTHM_LOOKBACK_DAYS)
    quiet_since = now - dt.timedelta(days=settings.RETENTION_MIN_SILENT_DAYS)
    rows = (Order.objects.filter(status=Order.Status.COMPLETED, finished_at__gte=since, customer__status__in=LIVE)
            .values("customer_id").annotate(n=Count("id"), first=Min("finished_at"), last=Max("finished_at"),
                                            last_id=Max("id"))
            .filter(n__gte=settings.RETENTION_RHYTHM_MIN_ORDERS, last__lt=quiet_since).order_by("customer_id"))
    signals = []
    for row in rows[: settings.RETENTION_BATCH]:
        rhythm = rules.rhythm_broken(orders=row["n"], first=row["first"], last=row["last"], now=now,
                                     min_orders=settings.RETENTION_RHYTHM_MIN_ORDERS,
                                     factor=settings.RETENTION_RHYTHM_FACTOR,
                                     min_silent_days=settings.RETENTION_MIN_SILENT_DAYS)
        if rhythm:
            reason = _("Ordered every %(usual)s days on average; no order for %(silent)s days") % {
                "usual": round(rhythm.usual_days, 1), "silent": rhythm.silent_days}
            signals.append(Signal(row["customer_id"], f"order:{row['last_id']}", reason))
    return signals


def low_rating_streaks(now: dt.datetime) -> list[Signal]:
    """Customers whose newest ``RETENTION_LOW_RATING_STREAK`` ratings are all low (at most
    ``RETENTION_LOW_RATING_MAX`` stars), the newest given in the last ``RETENTION_RECENT_DAYS``."""
    low_max, streak = settings.RETENTION_LOW_RATING_MAX, settings.RETENTION_LOW_RATING_STREAK
    recent = now - dt.timedelta(days=settings.RETENTION_RECENT_DAYS)
    candidates = (Review.objects.filter(created_at__gte=recent, rating__lte=low_max, customer__status__in=LIVE)
                  .values_list("customer_id", flat=True).distinct().order_by("customer_id"))
    signals = []
    for customer_id in list(candidates[: settings.RETENTION_BATCH]):
        newest = list(Review.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")
                      .values_list("id", "rating")[:streak])
        if rules.low_streak([rating for _id, rating in newest], low_max=low_max, streak=streak):
            stars = "、".join(str(rating) for _id, rating in reversed(newest))
            reason = _("%(n)s low ratings in a row (%(stars)s stars)") % {"n": streak, "stars": stars}
            signals.append(Signal(customer_id, f"review:{newest[0][0]}", reason))
    return signals


def repeated_complaints(now: dt.datetime) -> list[Signal]:
    """Customers with at least ``RETENTION_COMPLAINTS`` complaints received in the last
    ``RETENTION_COMPLAINT_DAYS`` days."""
    days = settings.RETENTION_COMPLAINT_DAYS
    rows = (Complaint.objects.filter(received_at__gte=now - dt.timedelta(days=days), received_at__lte=now,
                                     customer__status__in=LIVE)
            .values("customer_id").annotate(n=Count("id"), last_id=Max("id"))
            .filter(n__gte=settings.RETENTION_COMPLAINTS).order_by("customer_id"))
    return [Signal(row["customer_id"], f"complaint:{row['last_id']}",
                   _("%(n)s complaints in %(days)s days") % {"n": row["n"], "days": days})
            for row in rows[: settings.RETENTION_BATCH]]
