"""Demo data for care (called by ``manage.py seed_demo`` after customers and loyalty): this year's
Mid-Autumn and National Day greetings to a sample of customers, delivered through the real service
(logging SMS backend), a few failed with a provider error, skipped ones without consent; the last
week's birthday greetings; and today's periodic callbacks by tier."""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.db.models import Count, Q
from django.utils import timezone

from care.models import Message, Occasion
from care.services import birthday_greetings_enqueue, callbacks_schedule_due, message_deliver, occasion_enqueue
from customers.models import Customer

SAMPLE = 300
FAILURE_RATE = 0.06
PROVIDER_ERRORS = ["SMS provider answered 503", "SMS provider unreachable: timed out", "push webhook answered 502"]


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _deliver(messages, *, rng: random.Random, when: dt.datetime) -> None:
    for message in messages:
        if rng.random() < FAILURE_RATE:
            # What five failed attempts leave behind (the demo does not wait for the backoff).
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.FAILED, attempts=5, last_attempt_at=when,
                status_reason=f"failed after 5 attempts: {rng.choice(PROVIDER_ERRORS)}")
        else:
            message_deliver(message_id=message.pk, now=when)


def seed(*, rng: random.Random, stdout) -> None:
    sms_logger = logging.getLogger("care.sms")
    level = sms_logger.level
    sms_logger.setLevel(logging.WARNING)  # thousands of "SMS to …" lines help nobody here
    try:
        _seed(rng=rng, stdout=stdout)
        from care.demo_rules import seed_rules

        seed_rules(stdout)  # no random draws: the rest of the demo stays as it was
        from care.demo_scripts import seed_checklist_answers

        seed_checklist_answers(stdout)
    finally:
        sms_logger.setLevel(level)


def _seed(*, rng: random.Random, stdout) -> None:
    today = timezone.localdate()
    ids = list(Customer.objects.exclude(status=Customer.Status.ANONYMISED).values_list("pk", flat=True))
    if not ids:
        return
    for code in ("mid_autumn", "national_day"):
        occasion = Occasion.objects.filter(code=code).first()
        if occasion is None:
            continue
        year = today.year if (occasion.date_in(today.year) or today) < today else today.year - 1
        date = occasion.date_in(year)
        sample = rng.sample(ids, min(SAMPLE, len(ids)))
        occasion_enqueue(occasion=occasion, year=year, occasion_date=date,
                         customers=Customer.objects.filter(pk__in=sample), now=_noon(date) - dt.timedelta(hours=3))
        queued = Message.objects.filter(occasion=occasion, year=year, status=Message.Status.QUEUED).order_by("pk")
        _deliver(list(queued), rng=rng, when=_noon(date))
    for days_ago in range(7, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        birthday_greetings_enqueue(today=day, now=_noon(day) - dt.timedelta(hours=3), dispatch=False)
        queued = Message.objects.filter(occasion__kind=Occasion.Kind.BIRTHDAY, occasion_date=day,
                                        status=Message.Status.QUEUED).order_by("pk")
        _deliver(list(queued), rng=rng, when=_noon(day))
    callbacks = callbacks_schedule_due(today=today)
    counts = Message.objects.aggregate(
        sent=Count("pk", filter=Q(status=Message.Status.SENT)),
        failed=Count("pk", filter=Q(status=Message.Status.FAILED)),
        skipped=Count("pk", filter=Q(status=Message.Status.SKIPPED)),
        queued=Count("pk", filter=Q(status=Message.Status.QUEUED)),
    )
    stdout.write(f"care: greetings sent {counts['sent']}, failed {counts['failed']}, skipped {counts['skipped']}, "
                 f"queued {counts['queued']}; callbacks scheduled {sum(callbacks.values())}")
