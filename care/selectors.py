"""Reads of customer care: the calendar, previews, campaign summaries, callback lists and reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from care import rules
from care.adapters import tiers_for
from care.models import Callback, Message, Occasion
from care.rendering import TemplateSet
from core.dates import local_tz, month_bounds
from core.names import name_from_parts
from customers.models import ContactLog


def care_calendar(year: int) -> list[tuple[dt.date, str]]:
    """The year's active dated occasions (fixed and lunar), sorted by date."""
    specs = [o.spec for o in Occasion.objects.filter(is_active=True).exclude(kind__in=Occasion.PERSONAL_KINDS)]
    return rules.care_calendar(specs, year)


def occasion_preview(*, occasion: Occasion, customer, year: int | None = None) -> dict:
    """What ``customer`` would receive for ``occasion``: tier, subject, text, benefit (nothing stored)."""
    year = year or timezone.localdate().year
    tier = tiers_for([customer.pk])[customer.pk]
    if occasion.kind == Occasion.Kind.BIRTHDAY:
        date = None
        if customer.birthday:
            date = (rules.lunar_birthday_in_year(customer.birthday, year) if customer.birthday_is_lunar
                    else rules.fixed_date(year, customer.birthday.month, customer.birthday.day))
    elif occasion.kind == Occasion.Kind.ANNIVERSARY:
        date = customer_anniversary_date(customer, occasion.anniversary_kind, year)
    else:
        date = occasion.date_in(year)
    compiled = TemplateSet(occasion).for_tier(tier)
    if compiled is None:
        return {"tier": tier, "date": date, "subject": "", "body": "", "benefit": "", "template": None}
    subject, body = compiled.render(name=customer.full_name, tier=tier, occasion=occasion, date=date)
    return {"tier": tier, "date": date, "subject": subject, "body": body, "benefit": compiled.template.benefit,
            "coupon": compiled.coupon, "template": compiled.template}


def customer_anniversary_date(customer, kind, year: int):
    """The customer's commemoration day of ``kind`` in ``year`` (first ride: the first completed order's
    day), or None when the customer has none."""
    if kind.from_first_order:
        start = customer.first_order_at and timezone.localtime(customer.first_order_at).date()
    else:
        start = customer.anniversaries.filter(kind=kind).values_list("date", flat=True).first()
    return rules.fixed_date(year, start.month, start.day) if start else None


def campaign_summary(*, year: int | None = None) -> QuerySet:
    """Per occasion and year: queued, sent, failed, skipped (one grouped query)."""
    qs = Message.objects.filter(occasion__isnull=False)
    if year:
        qs = qs.filter(year=year)
    return (qs.values("occasion_id", "occasion__name", "year")
            .annotate(total=Count("pk"),
                      queued=Count("pk", filter=Q(status=Message.Status.QUEUED)),
                      sent=Count("pk", filter=Q(status=Message.Status.SENT)),
                      failed=Count("pk", filter=Q(status=Message.Status.FAILED)),
                      skipped=Count("pk", filter=Q(status=Message.Status.SKIPPED)))
            .order_by("-year", "occasion__name"))


def callbacks_open_for(*, agent=None, team_queue: bool = False) -> QuerySet:
    """Scheduled callbacks on ``agent``'s list, or the unassigned team queue."""
    qs = Callback.objects.filter(status=ContactLog.Status.SCHEDULED).select_related("customer", "agent")
    qs = qs.filter(agent__isnull=True) if team_queue else qs.filter(agent=agent)
    return qs.order_by("due_on", "pk")


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """[Monday, next Monday) of the week containing ``day``."""
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=7)


def month_date_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start, end = month_bounds(year, month)
    return start.date(), end.date()


def callback_report(*, start: dt.date, end: dt.date, by: str = "agent") -> list[dict]:
    """Callbacks in [start, end) by agent or by team: due (due date in the period), done and reached
    (recorded in the period), average satisfaction and satisfied share of the reached ones. One
    grouped SQL query. Unassigned (team-queue) callbacks appear with no agent."""
    tz = local_tz()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    in_due = Q(due_on__gte=start, due_on__lt=end)
    in_done = Q(status=ContactLog.Status.DONE, happened_at__gte=start_at, happened_at__lt=end_at)
    reached = in_done & Q(outcome=ContactLog.Outcome.REACHED)
    group = {"agent": ["agent_id", "agent__username", "agent__first_name", "agent__last_name",
                       "agent__staff_profile__team__name"],
             "team": ["agent__staff_profile__team__name"]}[by]
    rows = (Callback.objects.filter(in_due | in_done)
            .values(*group)
            .annotate(due=Count("pk", filter=in_due),
                      done=Count("pk", filter=in_done),
                      reached=Count("pk", filter=reached),
                      satisfaction_avg=Avg("satisfaction", filter=reached & Q(satisfaction__isnull=False)),
                      satisfied=Count("pk", filter=reached & Q(satisfaction__gte=4)),
                      rated=Count("pk", filter=reached & Q(satisfaction__isnull=False)))
            .order_by(*[F(g).asc(nulls_last=True) for g in group]))
    result = []
    for row in rows:
        team = row.get("agent__staff_profile__team__name") or ""
        if by == "agent":
            label = name_from_parts(row["agent__last_name"], row["agent__first_name"], row["agent__username"])
        else:
            label = team
        result.append({
            "agent": label if by == "agent" else "", "team": team,
            "due": row["due"], "done": row["done"], "reached": row["reached"],
            "satisfaction_avg": round(float(row["satisfaction_avg"]), 2) if row["satisfaction_avg"] else None,
            "satisfied_rate": round(100.0 * row["satisfied"] / row["rated"], 1) if row["rated"] else None,
        })
    return result


def checklist_report(*, start: dt.date, end: dt.date) -> list[dict]:
    """The callback scripts' checklist answers of the callbacks recorded in [start, end), per item: how
    many callbacks answered it, how many said yes, and the share of yes (one grouped query)."""
    from care.models import ChecklistAnswer

    tz = local_tz()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    rows = (ChecklistAnswer.objects
            .filter(contact__status=ContactLog.Status.DONE, contact__happened_at__gte=start_at,
                    contact__happened_at__lt=end_at)
            .values("item_id", "item__text", "item__script__name", "item__script_id", "item__position")
            .annotate(answered=Count("pk"), yes=Count("pk", filter=Q(answer=True)))
            .order_by("item__script_id", "item__position", "item_id"))
    return [{"script": r["item__script__name"], "item": r["item__text"], "answered": r["answered"],
             "yes": r["yes"], "yes_rate": round(100.0 * r["yes"] / r["answered"], 1)} for r in rows]
