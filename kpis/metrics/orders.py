"""Order, review and customer figures: each function is one SQL query with conditional aggregation."""

from django.db.models import Count, Min, Q, Sum

from customers.models import Order, Rating, Review
from kpis.metrics.period import Period
from kpis.rules import net_promoter_score, percentage, ratio, round_half_up

COMPLETED = Order.Status.COMPLETED
SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)


def _completed_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": COMPLETED, f"{prefix}finished_at__gte": period.start,
                f"{prefix}finished_at__lt": period.end})


def order_counts(period: Period) -> dict:
    """One pass over the orders of M (left-joined to their review): orders_total (booked in M, any
    status), orders_completed and revenue (finished in M), and the reviews of M's completed orders
    whenever they arrived: satisfaction rate and NPS."""
    booked = Q(booked_at__gte=period.start, booked_at__lt=period.end)
    completed = _completed_in(period)
    reviewed = completed & Q(review__isnull=False)
    row = Order.objects.filter(booked | completed).aggregate(
        orders_total=Count("id", filter=booked),
        orders_completed=Count("id", filter=completed),
        revenue=Sum("fee", filter=completed),
        reviews=Count("id", filter=reviewed),
        satisfied=Count("id", filter=reviewed & Q(review__rating__in=SATISFIED)),
        scored=Count("id", filter=reviewed & Q(review__recommend_score__isnull=False)),
        promoters=Count("id", filter=reviewed & Q(review__recommend_score__gte=9)),
        detractors=Count("id", filter=reviewed & Q(review__recommend_score__lte=6)),
    )
    return {
        "orders_total": row["orders_total"],
        "orders_completed": row["orders_completed"],
        "revenue": round_half_up(row["revenue"] or 0),
        "reviews_count": row["reviews"],
        "satisfaction_rate": percentage(row["satisfied"], row["reviews"]),
        "nps": net_promoter_score(promoters=row["promoters"], detractors=row["detractors"], scored=row["scored"]),
    }


def customer_counts(period: Period, *, orders_completed: int) -> dict:
    """Active, new, retained and repeat customers and lifetime value, from one grouped query over every
    completed order finished before the end of M (per customer: orders in M, orders in M−1, first
    completed order, spend), then aggregated over customers in SQL."""
    in_month = Q(finished_at__gte=period.start, finished_at__lt=period.end)
    in_prev = Q(finished_at__gte=period.prev_start, finished_at__lt=period.start)
    row = (
        Order.objects.filter(status=COMPLETED, finished_at__lt=period.end)
        .values("customer_id")
        .annotate(n_month=Count("id", filter=in_month), n_prev=Count("id", filter=in_prev),
                  first_at=Min("finished_at"), spend=Sum("fee"))
        .order_by()
        .aggregate(
            ever=Count("customer_id"),
            active=Count("customer_id", filter=Q(n_month__gt=0)),
            new=Count("customer_id", filter=Q(n_month__gt=0, first_at__gte=period.start)),
            previous=Count("customer_id", filter=Q(n_prev__gt=0)),
            retained=Count("customer_id", filter=Q(n_prev__gt=0, n_month__gt=0)),
            repeat=Count("customer_id", filter=Q(n_month__gte=2)),
            total_spend=Sum("spend"),
        )
    )
    return {
        "customers_active": row["active"],
        "customers_new": row["new"],
        "retention_rate": percentage(row["retained"], row["previous"]),
        "repeat_purchase_rate": percentage(row["repeat"], row["active"]),
        "avg_orders_per_customer": ratio(orders_completed, row["active"]),
        "avg_clv": ratio(row["total_spend"], row["ever"]),
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
    reviewed = Q(review__isnull=False)
    rows = (
        Order.objects.filter(_completed_in(period), driver__team__isnull=False)
        .values("driver__team")
        .annotate(n=Count("id"), reviews=Count("id", filter=reviewed),
                  satisfied=Count("id", filter=reviewed & Q(review__rating__in=SATISFIED)))
        .order_by()
    )
    return {
        r["driver__team"]: {"orders_completed": r["n"], "reviews_count": r["reviews"],
                            "satisfaction_rate": percentage(r["satisfied"], r["reviews"])}
        for r in rows
    }
