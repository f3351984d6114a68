"""Order, review and customer figures: each function is one SQL query with conditional aggregation."""

from django.db.models import Count, Exists, OuterRef, Q, Sum

from customers.models import Order, Rating, Review
from kpis.metrics.period import Period
from kpis.rules import net_promoter_score, percentage, ratio, round_half_up

COMPLETED = Order.Status.COMPLETED
SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)


def _completed_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": COMPLETED, f"{prefix}finished_at__gte": period.start,
                f"{prefix}finished_at__lt": period.end})


def order_counts(period: Period) -> dict:
    """orders_total (booked in M, any status), orders_completed and revenue (finished in M)."""
    completed = _completed_in(period)
    row = Order.objects.filter(Q(booked_at__gte=period.start, booked_at__lt=period.end) | completed).aggregate(
        orders_total=Count("id", filter=Q(booked_at__gte=period.start, booked_at__lt=period.end)),
        orders_completed=Count("id", filter=completed),
        revenue=Sum("fee", filter=completed),
    )
    row["revenue"] = round_half_up(row["revenue"] or 0)
    return row


def review_counts(period: Period) -> dict:
    """Reviews of M's completed orders, whenever they arrived: satisfaction rate and NPS."""
    row = Review.objects.filter(_completed_in(period, "order__")).aggregate(
        reviews=Count("id"),
        satisfied=Count("id", filter=Q(rating__in=SATISFIED)),
        scored=Count("id", filter=Q(recommend_score__isnull=False)),
        promoters=Count("id", filter=Q(recommend_score__gte=9)),
        detractors=Count("id", filter=Q(recommend_score__lte=6)),
    )
    return {
        "reviews_count": row["reviews"],
        "satisfaction_rate": percentage(row["satisfied"], row["reviews"]),
        "nps": net_promoter_score(promoters=row["promoters"], detractors=row["detractors"], scored=row["scored"]),
    }


def customer_counts(period: Period, *, orders_completed: int) -> dict:
    """Active, new, retained and repeat customers and lifetime value.

    Three queries: one grouped per customer over M−1 and M only (active, previous, retained, repeat),
    one counting M's customers with no completed order before M (new), and one plain aggregate over
    every completed order before the end of M (lifetime value = total spend / customers)."""
    in_month = Q(finished_at__gte=period.start, finished_at__lt=period.end)
    in_prev = Q(finished_at__gte=period.prev_start, finished_at__lt=period.start)
    completed = Order.objects.filter(status=COMPLETED)
    row = (
        completed.filter(finished_at__gte=period.prev_start, finished_at__lt=period.end)
        .values("customer_id")
        .annotate(n_month=Count("id", filter=in_month), n_prev=Count("id", filter=in_prev))
        .aggregate(
            active=Count("customer_id", filter=Q(n_month__gt=0)),
            previous=Count("customer_id", filter=Q(n_prev__gt=0)),
            retained=Count("customer_id", filter=Q(n_prev__gt=0, n_month__gt=0)),
            repeat=Count("customer_id", filter=Q(n_month__gte=2)),
        )
    )
    earlier = completed.filter(customer_id=OuterRef("customer_id"), finished_at__lt=period.start)
    new = (completed.filter(in_month).values("customer_id").distinct()
           .filter(~Exists(earlier)).count())
    lifetime = completed.filter(finished_at__lt=period.end).aggregate(
        spend=Sum("fee"), customers=Count("customer_id", distinct=True))
    return {
        "customers_active": row["active"],
        "customers_new": new,
        "retention_rate": percentage(row["retained"], row["previous"]),
        "repeat_purchase_rate": percentage(row["repeat"], row["active"]),
        "avg_orders_per_customer": ratio(orders_completed, row["active"]),
        "avg_clv": ratio(lifetime["spend"], lifetime["customers"]),
    }


def owned_review_counts(period: Period, group_by: str) -> dict:
    """Reviews of M's completed orders per credited account manager (``order__credited_owner``) or per
    their team (``order__credited_owner__staff_profile__team``): {key: (reviews, satisfied)}."""
    rows = (
        Review.objects.filter(_completed_in(period, "order__"), **{f"{group_by}__isnull": False})
        .values(group_by)
        .annotate(reviews=Count("id"), satisfied=Count("id", filter=Q(rating__in=SATISFIED)))
        .order_by()
    )
    return {r[group_by]: (r["reviews"], r["satisfied"]) for r in rows}


def driver_team_orders(period: Period) -> dict:
    """Completed orders of M driven by each drivers' team, with their reviews: {team_id: dict}."""
    orders = (
        Order.objects.filter(_completed_in(period), driver__team__isnull=False)
        .values("driver__team").annotate(n=Count("id")).order_by()
    )
    reviews = (
        Review.objects.filter(_completed_in(period, "order__"), order__driver__team__isnull=False)
        .values("order__driver__team")
        .annotate(reviews=Count("id"), satisfied=Count("id", filter=Q(rating__in=SATISFIED)))
        .order_by()
    )
    out = {r["driver__team"]: {"orders_completed": r["n"], "reviews_count": 0, "satisfaction_rate": None}
           for r in orders}
    for r in reviews:
        entry = out.setdefault(r["order__driver__team"], {"orders_completed": 0})
        entry["reviews_count"] = r["reviews"]
        entry["satisfaction_rate"] = percentage(r["satisfied"], r["reviews"])
    return out
