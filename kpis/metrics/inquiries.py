"""Inquiries and suggestions answered within their deadline (003 8.3.2: 24 hours), from the contact log.

Definition (version 1 of this figure): the inquiries and suggestions *asked* in month M (contact
happened in M, with a reply deadline, not cancelled) whose outcome is known at the computation time:
answered, or past their deadline. "Answered within 24 h" counts those answered at or before their
deadline; the rate is that count over the known ones. One still open and not yet due (asked on the
evening of the 31st) is left out until it is known, not counted as late."""

import datetime as dt

from django.db.models import Count, F, Q

from customers.models import ContactLog
from kpis.metrics.period import Period
from kpis.rules import percentage


def _window(period: Period) -> Q:
    return (Q(reply_due_at__isnull=False, happened_at__gte=period.start, happened_at__lt=period.end)
            & ~Q(status=ContactLog.Status.CANCELLED))


def _aggregates(as_of: dt.datetime) -> dict:
    answered = Q(answered_at__isnull=False)
    known = answered | Q(reply_due_at__lt=as_of)
    return {
        "asked": Count("id"),
        "known": Count("id", filter=known),
        "answered": Count("id", filter=answered),
        "in_time": Count("id", filter=answered & Q(answered_at__lte=F("reply_due_at"))),
    }


def _shape(row: dict) -> dict:
    return {"asked": row["asked"], "answered": row["answered"], "answered_in_time": row["in_time"],
            "late": row["known"] - row["in_time"], "answered_in_time_rate": percentage(row["in_time"], row["known"])}


def inquiry_counts(period: Period, *, as_of: dt.datetime) -> dict:
    """The company's inquiries and suggestions of M (see the module's definition)."""
    return _shape(ContactLog.objects.filter(_window(period)).aggregate(**_aggregates(as_of)))


def inquiry_counts_by(period: Period, group_by: str, *, as_of: dt.datetime) -> dict:
    """The same per agent (``agent``) or per agent's team (``agent__staff_profile__team``)."""
    rows = (ContactLog.objects.filter(_window(period), **{f"{group_by}__isnull": False})
            .values(group_by).annotate(**_aggregates(as_of)).order_by())
    return {r[group_by]: _shape(r) for r in rows}
