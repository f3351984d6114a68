"""Demo early warnings (called by ``manage.py seed_demo`` after complaints): the daily job run three
weeks ago and today on the demo company's orders, reviews and complaints; most of the first run's
warnings worked by their owners a few days later (outcomes and their callbacks recorded), so the
warnings list and the dashboard show warnings raised and worked."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from customers.models import ContactLog
from customers.services import callback_outcome_record
from retention.models import CustomerWarning
from retention.services import warning_work, warnings_raise

OUTCOMES = [CustomerWarning.Outcome.RETAINED, CustomerWarning.Outcome.RESOLVED, CustomerWarning.Outcome.NO_PROBLEM,
            CustomerWarning.Outcome.NOT_REACHED, CustomerWarning.Outcome.LOST]
WORKED_SHARE = 0.8


def _work(warning: CustomerWarning, *, rng: random.Random, when: dt.datetime) -> None:
    outcome = rng.choice(OUTCOMES)
    actor = warning.owner
    if warning.callback_id and actor is not None:
        reached = outcome != CustomerWarning.Outcome.NOT_REACHED
        callback_outcome_record(contact=warning.callback, actor=actor,
                                outcome=ContactLog.Outcome.REACHED if reached else ContactLog.Outcome.NOT_REACHED,
                                satisfaction=rng.choice([3, 4, 5]) if reached else None, notes="预警回访")
        ContactLog.objects.filter(pk=warning.callback_id).update(happened_at=when)
    warning_work(warning=warning, actor=actor, outcome=outcome, note="已回访", now=when)


def seed(*, rng: random.Random, stdout=None) -> None:
    now = timezone.now()
    first_run = now - dt.timedelta(days=21)
    earlier = warnings_raise(now=first_run)
    worked = 0
    for warning in CustomerWarning.objects.filter(raised_at=first_run, owner__isnull=False).select_related(
            "owner", "callback").order_by("pk"):
        if rng.random() < WORKED_SHARE:
            _work(warning, rng=rng, when=first_run + dt.timedelta(days=rng.randint(1, 5), hours=2))
            worked += 1
    today = warnings_raise(now=now)
    if stdout is not None:
        stdout.write(f"retention: warnings raised {sum(earlier.values())} three weeks ago ({worked} worked) and "
                     f"{sum(today.values())} today")
