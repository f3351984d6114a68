"""Order, review and customer figures: each function is one SQL query with conditional aggregation."""

from django.db.models import Count, Q, Sum

from core.models import StaffProfile
from customers.models import Customer, Order, Rating
from kpis.metrics.period import Period
from kpis.rules import net_promoter_score, percentage, ratio, round_half_up

COMPLETED = Order.Status.COMPLETED
SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)


def _completed_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": COMPLETED, f"{prefix}finished_at__gte": period.start,
                f"{prefix}finished_at__lt": period.end})


def completed_order_groups(period: Period) -> list[dict]:
    """M's completed orders in one pass, left-joined to their review, grouped by the drivers' team, the
    credited account manager and the review's source (a few hundred rows at most): every figure of
    M's completed orders and their reviews is a sum over these rows (``order_counts``,
    ``driver_team_orders``, ``owned_review_counts``, ``surveys.reviews_by_source``), so the month's
    orders and reviews are read once, from their covering indexes."""
    reviewed = Q(review__isnull=False)
    return list(
        Order.objects.filter(_completed_in(period))
        .values("driver__team", "credited_owner", "review__source")
        .annotate(n=Count("id"), revenue=Sum("fee"), reviews=Count("id", filter=reviewed),
                  satisfied=Count("id", filter=reviewed & Q(review__rating__in=SATISFIED)),
                  scored=Count("id", filter=reviewed & Q(review__recommend_score__isnull=False)),
                  promoters=Count("id", filter=reviewed & Q(review__recommend_score__gte=9)),
                  detractors=Count("id", filter=reviewed & Q(review__recommend_score__lte=6)))
        .order_by()
    )


SUMS = ("n", "revenue", "reviews", "satisfied", "scored", "promoters", "detractors")


def sum_groups(groups: list[dict], key: str | None = None) -> dict:
    """The groups' counts summed per value of ``key`` (rows whose value is None left out); without a
    key, over every row: {None: sums} (zeros for no rows)."""
    out: dict = {} if key else {None: dict.fromkeys(SUMS, 0)}
    for row in groups:
        value = row[key] if key else None
        if key and value is None:
            continue
        acc = out.setdefault(value, dict.fromkeys(SUMS, 0))
        for field in SUMS:
            acc[field] += row[field] or 0
    return out


def order_counts(period: Period, groups: list[dict] | None = None) -> dict:
    """orders_total (booked in M, any status: a count on the booking-time index); from M's completed
    orders (``completed_order_groups``): orders_completed and revenue (finished in M), and the reviews
    of M's completed orders whenever they arrived: satisfaction rate and NPS."""
    groups = completed_order_groups(period) if groups is None else groups
    row = sum_groups(groups)[None]
    return {
        "orders_total": Order.objects.filter(booked_at__gte=period.start, booked_at__lt=period.end).count(),
        "orders_completed": row["n"],
        "revenue": round_half_up(row["revenue"] or 0),
        "reviews_count": row["reviews"],
        "satisfaction_rate": percentage(row["satisfied"], row["reviews"]),
        "nps": net_promoter_score(promoters=row["promoters"], detractors=row["detractors"], scored=row["scored"]),
    }


def customer_counts(period: Period, *, orders_completed: int) -> dict:
    """Active, new, retained and repeat customers and lifetime value, reading no more than M−1 and M
    of the order history:

    - active, previous, retained, repeat: one grouped query over the completed orders of M−1 and M
      (per customer: orders in M, orders in M−1), from the index ``order_completed_customer_idx``;
    - new (first completed order in M) and ever (a completed order before the end of M): from
      ``Customer.first_order_at``, the customer's first completed order, kept by ingestion
      (``customers.services.order_dates``; ``manage.py refresh_order_dates`` recomputes it), the same
      field the dashboard's links filter on;
    - lifetime spend: the fees of every completed order before the end of M, summed from the same
      index (it includes the fee), without reading the orders themselves.
    """
    in_month = Q(finished_at__gte=period.start)
    row = (
        Order.objects.filter(status=COMPLETED, finished_at__gte=period.prev_start, finished_at__lt=period.end)
        .values("customer_id")
        .annotate(n_month=Count("id", filter=in_month), n_prev=Count("id", filter=Q(finished_at__lt=period.start)))
        .order_by()
        .aggregate(
            active=Count("customer_id", filter=Q(n_month__gt=0)),
            previous=Count("customer_id", filter=Q(n_prev__gt=0)),
            retained=Count("customer_id", filter=Q(n_prev__gt=0, n_month__gt=0)),
            repeat=Count("customer_id", filter=Q(n_month__gte=2)),
        )
    )
    firsts = Customer.objects.filter(first_order_at__lt=period.end).aggregate(
        ever=Count("pk"), new=Count("pk", filter=Q(first_order_at__gte=period.start)))
    spend = Order.objects.filter(status=COMPLETED, finished_at__lt=period.end).aggregate(total=Sum("fee"))["total"]
    return {
        "customers_active": row["active"],
        "customers_new": firsts["new"],
        "retention_rate": percentage(row["retained"], row["previous"]),
        "repeat_purchase_rate": percentage(row["repeat"], row["active"]),
        "avg_orders_per_customer": ratio(orders_completed, row["active"]),
        "avg_clv": ratio(spend, firsts["ever"]),
    }


def owned_review_counts(period: Period, *, team_level: bool, groups: list[dict] | None = None) -> dict:
    """Reviews of M's completed orders per credited account manager (``Order.credited_owner``) or per
    their team (the account manager's team; those without one left out): {key: (reviews, satisfied)}."""
    groups = completed_order_groups(period) if groups is None else groups
    per_owner = sum_groups(groups, "credited_owner")
    if team_level:
        teams = dict(StaffProfile.objects.filter(user_id__in=per_owner, team__isnull=False)
                     .values_list("user_id", "team_id"))
        per_team: dict = {}
        for owner, sums in per_owner.items():
            if owner in teams:
                reviews, satisfied = per_team.get(teams[owner], (0, 0))
                per_team[teams[owner]] = (reviews + sums["reviews"], satisfied + sums["satisfied"])
        return {k: v for k, v in per_team.items() if v[0]}
    return {owner: (sums["reviews"], sums["satisfied"]) for owner, sums in per_owner.items() if sums["reviews"]}


def driver_team_orders(period: Period, groups: list[dict] | None = None) -> dict:
    """Completed orders of M driven by each drivers' team, with their reviews: {team_id: dict}."""
    groups = completed_order_groups(period) if groups is None else groups
    return {
        team: {"orders_completed": r["n"], "reviews_count": r["reviews"],
               "satisfaction_rate": percentage(r["satisfied"], r["reviews"])}
        for team, r in sum_groups(groups, "driver__team").items()
    }
