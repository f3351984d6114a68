"""Customers' commemoration days (001 篇2 各项纪念日: wedding anniversary, company founding, first
ride…), greeted like birthdays: the daily job finds the customers whose day falls today (+ the
occasion's offset) and puts one greeting per customer, occasion and year in the outbox (dedupe key
``anniversary:<kind>:<year>`` beside the (customer, occasion, year) constraint), skipped without
marketing consent, delivered outside quiet hours by the outbox. The first year (the day itself) is
not greeted: an anniversary starts a year later."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from care import rules
from care.models import Occasion
from care.services.greetings import greetable_customers, occasion_enqueue
from care.services.messages import messages_dispatch_due
from core.services import job_run_record
from customers.models import AnniversaryKind, Customer


def anniversary_customers(kind: AnniversaryKind, day: dt.date) -> QuerySet:
    """Customers whose commemoration day of ``kind`` falls on ``day`` in an earlier year (29 February
    on 28 February of a non-leap year); for the first ride, the day of the first completed order."""
    month, days = day.month, [d for _m, d in rules.solar_birthday_keys(day)]
    if kind.from_first_order:
        start = timezone.make_aware(dt.datetime(day.year, 1, 1))
        return Customer.objects.filter(first_order_at__month=month, first_order_at__day__in=days,
                                       first_order_at__lt=start)
    return Customer.objects.filter(anniversaries__kind=kind, anniversaries__date__month=month,
                                   anniversaries__date__day__in=days, anniversaries__date__year__lt=day.year)


def anniversary_greetings_enqueue(*, today: dt.date | None = None, now: dt.datetime | None = None,
                                  dispatch: bool = True) -> dict[str, int]:
    """The daily job: for each active commemoration-day occasion, greet the customers whose day is
    ``today`` + the occasion's offset. Idempotent (a second run creates nothing)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    counts = {}
    occasions = (Occasion.objects.filter(kind=Occasion.Kind.ANNIVERSARY, is_active=True,
                                         anniversary_kind__is_active=True).select_related("anniversary_kind"))
    for occasion in occasions:
        day = today + dt.timedelta(days=occasion.send_offset_days)
        kind = occasion.anniversary_kind
        customers = anniversary_customers(kind, day) & greetable_customers()
        counts[kind.code] = occasion_enqueue(occasion=occasion, year=day.year, occasion_date=day,
                                             customers=customers, now=now,
                                             dedupe_prefix=f"anniversary:{kind.code}")
    job_run_record(name="care.anniversary_greetings", result=str(counts) if counts else "no commemoration days")
    if dispatch and any(counts.values()):
        messages_dispatch_due(now=now)
    return counts
