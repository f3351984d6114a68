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
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from care import rules
from care.adapters import CUSTOMER_TIER_LOOKUP, tier_code
from care.models import CampaignRun, Message, Occasion
from care.rendering import NameOnlyRenderer, TemplateSet
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
    # Only from the oldest lunar-birthday customer's birth year (an index lookup on the partial index).
    earliest = (Customer.objects.filter(birthday_is_lunar=True, birthday__isnull=False)
                .order_by("birthday").values_list("birthday", flat=True).first())
    lunar_dates = rules.lunar_birthday_solar_dates(today, earliest_birth_year=earliest.year) if earliest else []
    lunar = Customer.objects.filter(birthday_is_lunar=True, birthday__in=lunar_dates)
    return solar, lunar


def occasion_enqueue(*, occasion: Occasion, year: int, occasion_date: dt.date, customers: QuerySet,
                     now: dt.datetime | None = None, batch_size: int | None = None, dedupe_prefix: str = "") -> int:
    """Create one outbox row per customer in ``customers`` for ``occasion`` in ``year`` (skipping those
    who already have one), rendered with the template of the customer's tier. Returns the number of
    rows created. Safe to run again: the unique constraint ignores duplicates (with ``dedupe_prefix``
    each row also carries the dedupe key ``<prefix>:<year>``, unique per customer)."""
    now = now or timezone.now()
    batch_size = batch_size or settings.CARE_ENQUEUE_BATCH
    templates = TemplateSet(occasion)
    if not templates:
        return 0
    todo = customers.filter(status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT]).order_by("pk")
    if not settings.CARE_GREET_DORMANT:
        todo = todo.filter(status=Customer.Status.ACTIVE)
    no_consent = _("no marketing consent")
    purpose = {Occasion.Kind.BIRTHDAY: "birthday", Occasion.Kind.ANNIVERSARY: "anniversary"}.get(occasion.kind,
                                                                                                "holiday")
    dedupe_key = f"{dedupe_prefix}:{year}"[:100] if dedupe_prefix else ""
    renderers: dict[str, NameOnlyRenderer | None] = {}
    created, last_pk = 0, 0
    while True:
        rows = list(todo.filter(pk__gt=last_pk).values_list(
            "pk", "full_name", "marketing_consent", CUSTOMER_TIER_LOOKUP)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        # Who in this batch already has the greeting (the unique index answers): skip rendering them.
        # The INSERT's ON CONFLICT is what guarantees one per year even against a concurrent run.
        greeted = set(Message.objects.filter(occasion=occasion, year=year, customer_id__in=[r[0] for r in rows])
                      .values_list("customer_id", flat=True))
        batch = []
        for pk, name, consent, tier_value in rows:
            if pk in greeted:
                continue
            tier = tier_code(tier_value)
            if tier not in renderers:
                compiled = templates.for_tier(tier)
                renderers[tier] = compiled and NameOnlyRenderer(compiled, tier=tier, occasion=occasion,
                                                                date=occasion_date)
            renderer = renderers[tier]
            if renderer is None:
                continue
            subject, body = renderer.render(name)
            skipped = occasion.requires_consent and not consent
            batch.append({
                "customer_id": pk, "occasion_id": occasion.pk, "year": year, "occasion_date": occasion_date,
                "dedupe_key": dedupe_key, "purpose": purpose, "channel": occasion.channel, "tier": tier,
                "subject": subject[:200], "body": body, "coupon": renderer.compiled.coupon, "coupon_ref": "",
                "requires_consent": occasion.requires_consent,
                "status": Message.Status.SKIPPED if skipped else Message.Status.QUEUED,
                "status_reason": no_consent if skipped else "", "attempts": 0, "send_after": now,
                "dispatched_at": None, "last_attempt_at": None, "sent_at": None, "provider_ref": "",
                "created_at": now, "updated_at": now,
            })
        created += messages_bulk_insert(batch)
    return created


def messages_bulk_insert(rows: list[dict]) -> int:
    """Insert outbox rows, ignoring those that would break a unique constraint (already greeted).
    On PostgreSQL: COPY into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
    (about 10× faster than ``bulk_create`` for wide rows); elsewhere ``bulk_create(ignore_conflicts)``.
    Returns the number of rows inserted (PostgreSQL) or attempted (elsewhere)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        with transaction.atomic():
            Message.objects.bulk_create([Message(**row) for row in rows], ignore_conflicts=True)
        return len(rows)
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    table = connection.ops.quote_name(Message._meta.db_table)
    col_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped at commit; inside a caller's longer transaction the table survives, hence the truncate.
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS care_message_stage ON COMMIT DROP AS "  # noqa: S608
                       f"SELECT {col_sql} FROM {table} WITH NO DATA")
        cursor.execute("TRUNCATE care_message_stage")
        with cursor.cursor.copy(f"COPY care_message_stage ({col_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([Jsonb(v) if c == "coupon" else v for c, v in row.items()])
        cursor.execute(f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM care_message_stage "  # noqa: S608
                       f"ON CONFLICT DO NOTHING")
        return cursor.rowcount


def birthday_greetings_enqueue(*, today: dt.date | None = None, now: dt.datetime | None = None,
                               dispatch: bool = True) -> int:
    """The daily birthday job: greet customers whose birthday is ``today`` + the occasion's offset;
    then (``dispatch``) hand the due messages to workers."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    occasion = Occasion.objects.filter(kind=Occasion.Kind.BIRTHDAY, is_active=True).first()
    if occasion is None:
        return 0
    birthday = today + dt.timedelta(days=occasion.send_offset_days)
    created = 0
    for lunar, qs in zip((False, True), birthday_customers(birthday), strict=True):
        created += occasion_enqueue(occasion=occasion, year=rules.greeting_year(birthday, lunar=lunar),
                                    occasion_date=birthday, customers=qs & greetable_customers(), now=now)
    job_run_record(name="care.birthday_greetings", result=f"{birthday}: {created} messages")
    if created and dispatch:
        messages_dispatch_due(now=now)
    return created


def occasions_in_window(today: dt.date) -> list[tuple[Occasion, dt.date]]:
    """Active holiday occasions whose sending window [date − offset, date] contains ``today``."""
    due = []
    for occasion in Occasion.objects.filter(is_active=True).exclude(kind__in=Occasion.PERSONAL_KINDS):
        for date in rules.occasion_occurrences(occasion.spec, today):
            if date - dt.timedelta(days=occasion.send_offset_days) <= today <= date:
                due.append((occasion, date))
                break
    return due


def holiday_greetings_enqueue(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily holiday job. On the first day of an occasion's sending window every greetable
    customer gets a message; the run is then marked finished, so later days (or a second run) only
    look at customers created since it started. A run that crashed is not finished: the next run
    goes over everyone again, and the unique constraint skips those already greeted."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    counts = {}
    for occasion, date in occasions_in_window(today):
        year = rules.greeting_year(date, lunar=occasion.kind == Occasion.Kind.LUNAR)
        run, _created = CampaignRun.objects.get_or_create(occasion=occasion, year=year,
                                                         defaults={"occasion_date": date})
        customers = greetable_customers()
        if run.finished_at is not None:
            # A finished pass covered everyone who existed when it started: later days of the
            # window only look at customers created since (the constraint still guards the rest).
            customers = customers.filter(created_at__gte=run.started_at)
        created = occasion_enqueue(occasion=occasion, year=year, occasion_date=date,
                                   customers=customers, now=now)
        CampaignRun.objects.filter(pk=run.pk).update(enqueued=run.enqueued + created, finished_at=timezone.now())
        counts[occasion.code] = created
    job_run_record(name="care.holiday_greetings", result=str(counts) if counts else "no occasion today")
    if any(counts.values()):
        messages_dispatch_due(now=now)
    return counts
