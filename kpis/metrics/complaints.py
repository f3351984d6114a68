"""Complaint figures over complaints received in M (conditional aggregation in SQL).

Deadlines: an acknowledgement counts once it is known (acknowledged, or its deadline has passed by
``as_of``); a resolution likewise, and a complaint closed as *not upheld* without a resolution has no
resolution to time, so it is left out of the resolve figures. Resolve durations exclude the time
spent awaiting the customer (``paused_seconds``), as the deadlines do.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from complaints.models import Complaint  # (kpis only reads complaints)
from kpis.metrics.period import Period
from kpis.rules import hours, per_thousand, percentage


def _received_in(period: Period) -> Q:
    # A complaint merged into another as its duplicate is not a complaint of its own.
    return Q(received_at__gte=period.start, received_at__lt=period.end) & ~Q(status="duplicate")


def _deadline_aggregates(as_of: dt.datetime) -> dict:
    S = Complaint.Status
    ack_known = Q(acknowledged_at__isnull=False) | Q(acknowledge_due_at__lt=as_of)
    ack_met = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_due_at"))
    resolve_known = Q(resolved_at__isnull=False) | (Q(resolve_due_at__lt=as_of) & ~Q(status=S.NOT_UPHELD))
    resolve_met = Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due_at"))
    return {
        "total": Count("id"),
        "ack_known": Count("id", filter=ack_known),
        "ack_met": Count("id", filter=ack_met),
        "resolve_known": Count("id", filter=resolve_known),
        "resolve_met": Count("id", filter=resolve_met),
        "both_met": Count("id", filter=ack_met & resolve_met),
    }


def complaint_counts(period: Period, *, as_of: dt.datetime, orders_completed: int) -> dict:
    S = Complaint.Status
    ack_time = ExpressionWrapper(F("acknowledged_at") - F("received_at"), output_field=DurationField())
    resolve_time = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
    # Closed with the customer's answer: one closed automatically for want of an answer counts as
    # neither satisfied nor dissatisfied, so it is left out of first-contact resolution entirely.
    closed = Q(status=S.CLOSED) & ~Q(follow_up_answer=Complaint.FollowUpAnswer.NO_ANSWER)
    row = Complaint.objects.filter(_received_in(period)).aggregate(
        **_deadline_aggregates(as_of),
        orders=Count("order_id", distinct=True),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        ack_duration=Sum(ack_time, filter=Q(acknowledged_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        resolve_duration=Sum(resolve_time, filter=Q(resolved_at__isnull=False)),
        resolve_paused=Sum("paused_seconds", filter=Q(resolved_at__isnull=False)),
        closed=Count("id", filter=closed),
        closed_first_time=Count("id", filter=closed & Q(reopen_count=0)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )

    def average_seconds(duration, count, minus_seconds=0):
        if not count or duration is None:
            return None
        return (Decimal(str(duration.total_seconds())) - Decimal(minus_seconds or 0)) / count

    by_grade = (Complaint.objects.filter(_received_in(period)).values("grade__code", "grade__name", "grade__rank")
                .annotate(n=Count("id")).order_by("grade__rank"))
    by_category = (Complaint.objects.filter(_received_in(period))
                   .values("category__code", "category__name", "category__position")
                   .annotate(n=Count("id")).order_by("category__position", "category__code"))
    return {
        "complaints_total": row["total"],
        "complaint_rate": percentage(row["orders"], orders_completed),
        # Beside the seed's ratio (orders with a complaint): every complaint received, with or without
        # an order (hotline and public-form complaints often have none), per 1,000 completed orders.
        "complaints_per_1000_orders": per_thousand(row["total"], orders_completed),
        "avg_acknowledge_hours": hours(average_seconds(row["ack_duration"], row["acknowledged"])),
        "avg_resolve_hours": hours(average_seconds(row["resolve_duration"], row["resolved"], row["resolve_paused"])),
        "sla_acknowledge_rate": percentage(row["ack_met"], row["ack_known"]),
        "sla_resolve_rate": percentage(row["resolve_met"], row["resolve_known"]),
        "first_contact_resolution_rate": percentage(row["closed_first_time"], row["closed"]),
        "reopen_rate": percentage(row["reopened"], row["total"]),
        "complaints_by_grade": [{"code": r["grade__code"], "name": r["grade__name"], "count": r["n"]}
                                for r in by_grade],
        "complaints_by_category": [{"code": r["category__code"], "name": r["category__name"], "count": r["n"]}
                                   for r in by_category],
    }


def complaint_counts_by(period: Period, group_by: str, *, as_of: dt.datetime) -> dict:
    """Complaints received in M per assignee (``assignee``) or assignee's team
    (``assignee__staff_profile__team``): handled, deadlines met (acknowledged and resolved in time)."""
    rows = (
        Complaint.objects.filter(_received_in(period), **{f"{group_by}__isnull": False})
        .values(group_by).annotate(**_deadline_aggregates(as_of)).order_by()
    )
    return {
        r[group_by]: {
            "complaints_handled": r["total"],
            "complaints_deadlines_met": r["both_met"],
            "deadlines_met_rate": percentage(r["both_met"], r["total"]),
            "sla_acknowledge_rate": percentage(r["ack_met"], r["ack_known"]),
            "sla_resolve_rate": percentage(r["resolve_met"], r["resolve_known"]),
        }
        for r in rows
    }


def complaint_orders_by_driver_team(period: Period) -> dict:
    """Distinct orders with a complaint received in M, per drivers' team of the order's driver."""
    rows = (
        Complaint.objects.filter(_received_in(period), order__driver__team__isnull=False)
        .values("order__driver__team").annotate(n=Count("order_id", distinct=True)).order_by()
    )
    return {r["order__driver__team"]: r["n"] for r in rows}
