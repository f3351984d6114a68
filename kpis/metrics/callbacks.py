"""Callback figures from the contact log (periodic callbacks by tier and complaint follow-ups)."""

from django.db.models import Count, Q

from customers.models import ContactLog, Rating
from kpis.metrics.period import Period
from kpis.rules import percentage

CALLBACK_PURPOSES = (ContactLog.Purpose.CALLBACK, ContactLog.Purpose.COMPLAINT_FOLLOW_UP)
SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)


def _aggregates(period: Period) -> dict:
    done = Q(status=ContactLog.Status.DONE, happened_at__gte=period.start, happened_at__lt=period.end)
    due = Q(due_on__gte=period.start.date(), due_on__lt=period.end.date()) & ~Q(status=ContactLog.Status.CANCELLED)
    return {
        "due": Count("id", filter=due),
        "done": Count("id", filter=done),
        "reached": Count("id", filter=done & Q(outcome=ContactLog.Outcome.REACHED)),
        "rated": Count("id", filter=done & Q(satisfaction__isnull=False)),
        "satisfied": Count("id", filter=done & Q(satisfaction__in=SATISFIED)),
    }


def _window(period: Period) -> Q:
    return Q(purpose__in=CALLBACK_PURPOSES) & (
        Q(happened_at__gte=period.start, happened_at__lt=period.end)
        | Q(due_on__gte=period.start.date(), due_on__lt=period.end.date())
    )


def _shape(row: dict) -> dict:
    return {
        "due": row["due"], "done": row["done"], "reached": row["reached"],
        "reached_rate": percentage(row["reached"], row["done"]),
        "satisfaction_rate": percentage(row["satisfied"], row["rated"]),
    }


def callback_counts(period: Period) -> dict:
    """Company callbacks of M: due in M (not cancelled), done in M, reached, satisfaction of the rated."""
    return _shape(ContactLog.objects.filter(_window(period)).aggregate(**_aggregates(period)))


def callback_counts_by(period: Period, group_by: str) -> dict:
    """The same per agent (``agent``) or per agent's team (``agent__staff_profile__team``)."""
    rows = (
        ContactLog.objects.filter(_window(period), **{f"{group_by}__isnull": False})
        .values(group_by).annotate(**_aggregates(period)).order_by()
    )
    return {r[group_by]: _shape(r) for r in rows}
