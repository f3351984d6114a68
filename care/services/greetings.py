"""Enqueueing greetings: birthdays (daily) and holidays (during each occasion's sending window).

Both write the outbox in bulk (``bulk_create(ignore_conflicts=True)`` in batches) and rely on the
unique constraint (customer, occasion, year): a second run, a late run, or a run after a crash
creates nothing twice. Customers without marketing consent get a *skipped* row with the reason, so
the campaign summary shows them; anonymised customers get nothing; dormant ones follow
``CARE_GREET_DORMANT``. Delivery happens afterwards (``messages_dispatch_due``), outside quiet hours.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from care import rules
from care.loyalty_bridge import tiers_for
from care.models import CampaignRun, Message, Occasion
from care.rendering import TemplateSet
from care.services.messages import messages_dispatch_due
from core.services import job_run_record
from customers.models import Customer


def greetable_customers() -> QuerySet:
    qs = Customer.objects.exclude(status=Customer.Status.ANONYMISED)
    if not settings.CARE_GREET_DORMANT:
        qs = qs.filter(status=Customer.Status.ACTIVE)
    return qs


def birthday_customers(today: dt.date) -> tuple[QuerySet, QuerySet]:
    """(solar, lunar) querysets of customers whose birthday is greeted on ``today``. Both use an
    index on PostgreSQL: the expression index on (month, day) of the birthday, and the partial
    index on the birthday of lunar-birthday customers (care migration 0002)."""
    month, days = today.month, [day for _month, day in rules.solar_birthday_keys(today)]
    solar = Customer.objects.filter(birthday__month=month, birthday__day__in=days, birthday_is_lunar=False)
    lunar_dates = rules.lunar_birthday_solar_dates(today)
    lunar = Customer.objects.filter(birthday_is_lunar=True, birthday__in=lunar_dates)
    return solar, lunar


def occasion_enqueue(*, occasion: Occasion, year: int, occasion_date: dt.date, customers: QuerySet,
                     now: dt.datetime | None = None, batch_size: int | None = None) -> int:
    """Create one outbox row per customer in ``customers`` for ``occasion`` in ``year`` (skipping those
    who already have one), rendered with the template of the customer's tier. Returns the number of
    rows created. Safe to run again: the unique constraint ignores duplicates."""
    now = now or timezone.now()
    batch_size = batch_size or settings.CARE_ENQUEUE_BATCH
    templates = TemplateSet(occasion)
    if not templates:
        return 0
    already = Message.objects.filter(customer=OuterRef("pk"), occasion=occasion, year=year)
    todo = (customers.filter(status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT])
            .exclude(Exists(already)).order_by("pk"))
    if not settings.CARE_GREET_DORMANT:
        todo = todo.filter(status=Customer.Status.ACTIVE)
    no_consent = _("no marketing consent")
    created, last_pk = 0, 0
    while True:
        rows = list(todo.filter(pk__gt=last_pk).values_list("pk", "full_name", "marketing_consent")[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        tiers = tiers_for(pk for pk, _name, _consent in rows)
        messages = []
        for pk, name, consent in rows:
            tier = tiers[pk]
            compiled = templates.for_tier(tier)
            if compiled is None:
                continue
            subject, body = compiled.render(name=name, tier=tier, occasion=occasion, date=occasion_date)
            skipped = occasion.requires_consent and not consent
            messages.append(Message(
                customer_id=pk, occasion=occasion, year=year, occasion_date=occasion_date,
                purpose="birthday" if occasion.kind == Occasion.Kind.BIRTHDAY else "holiday",
                channel=occasion.channel, tier=tier, subject=subject[:200], body=body,
                coupon=compiled.coupon, requires_consent=occasion.requires_consent,
                status=Message.Status.SKIPPED if skipped else Message.Status.QUEUED,
                status_reason=no_consent if skipped else "", send_after=now, created_at=now, updated_at=now,
            ))
        with transaction.atomic():
            Message.objects.bulk_create(messages, ignore_conflicts=True)
        created += len(messages)
    return created


def birthday_greetings_enqueue(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """The daily birthday job: greet customers whose birthday is ``today`` + the occasion's offset."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    occasion = Occasion.objects.filter(kind=Occasion.Kind.BIRTHDAY, is_active=True).first()
    if occasion is None:
        return 0
    birthday = today + dt.timedelta(days=occasion.send_offset_days)
    created = 0
    for qs in birthday_customers(birthday):
        created += occasion_enqueue(occasion=occasion, year=birthday.year, occasion_date=birthday,
                                    customers=qs & greetable_customers(), now=now)
    job_run_record(name="care.birthday_greetings", result=f"{birthday}: {created} messages")
    if created:
        messages_dispatch_due(now=now)
    return created


def occasions_in_window(today: dt.date) -> list[tuple[Occasion, dt.date]]:
    """Active holiday occasions whose sending window [date − offset, date] contains ``today``."""
    due = []
    for occasion in Occasion.objects.filter(is_active=True).exclude(kind=Occasion.Kind.BIRTHDAY):
        for year in (today.year, today.year + 1):
            date = occasion.date_in(year)
            if date and date - dt.timedelta(days=occasion.send_offset_days) <= today <= date:
                due.append((occasion, date))
                break
    return due


def holiday_greetings_enqueue(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily holiday job. Every day of an occasion's sending window it makes sure every greetable
    customer has a message; the run is marked finished so later days skip the work (new customers
    who arrive during the window are still greeted: a finished run is re-checked cheaply)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    counts = {}
    for occasion, date in occasions_in_window(today):
        run, _created = CampaignRun.objects.get_or_create(occasion=occasion, year=date.year,
                                                         defaults={"occasion_date": date})
        created = occasion_enqueue(occasion=occasion, year=date.year, occasion_date=date,
                                   customers=greetable_customers(), now=now)
        CampaignRun.objects.filter(pk=run.pk).update(enqueued=run.enqueued + created, finished_at=timezone.now())
        counts[occasion.code] = created
    job_run_record(name="care.holiday_greetings", result=str(counts) if counts else "no occasion today")
    if any(counts.values()):
        messages_dispatch_due(now=now)
    return counts
