"""Early-warning figures (issue 18 item 3): warnings raised in M (``raised_at`` in M) and warnings
worked in M (``worked_at`` in M, whenever raised). Per agent and team: by the account manager the
warning went to (``owner``)."""

from django.db.models import Count, Q

from kpis.metrics.period import Period
from retention.models import CustomerWarning  # (kpis only reads retention)


def _aggregates(period: Period) -> dict:
    return {
        "warnings_raised": Count("id", filter=Q(raised_at__gte=period.start, raised_at__lt=period.end)),
        "warnings_worked": Count("id", filter=Q(worked_at__gte=period.start, worked_at__lt=period.end)),
    }


def _window(period: Period) -> Q:
    return Q(raised_at__gte=period.start, raised_at__lt=period.end) | Q(worked_at__gte=period.start,
                                                                           worked_at__lt=period.end)


def warning_counts(period: Period) -> dict:
    """Company: warnings raised and worked in M."""
    return CustomerWarning.objects.filter(_window(period)).aggregate(**_aggregates(period))


def warning_counts_by(period: Period, group_by: str) -> dict:
    """The same per owner (``owner``) or per owner's team (``owner__staff_profile__team``)."""
    rows = (CustomerWarning.objects.filter(_window(period), **{f"{group_by}__isnull": False})
            .values(group_by).annotate(**_aggregates(period)).order_by())
    return {r[group_by]: {"warnings_raised": r["warnings_raised"], "warnings_worked": r["warnings_worked"]}
            for r in rows}
