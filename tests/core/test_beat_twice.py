"""Beat twice / two beats (issue 16, fault 4): every scheduled job, run twice at the same moment,
leaves exactly what one run leaves. One scenario per entry of ``CELERY_BEAT_SCHEDULE`` (a job added
without one fails ``test_every_scheduled_job_has_a_scenario``): ``given`` makes data on which the job
has real work, ``effects`` counts what it writes (rows of every table, plus the states, files,
messages and e-mails it produces). The task's function runs once on one copy of the data and twice
at once (two threads, a barrier) on a fresh copy; the effects must be equal."""

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from care.channels.sms import LoggingSmsBackend
from config.celery import app
from tests.core import beat_scenarios_rules as more
from tests.core.beat_scenarios_rules import given_late_inquiries, given_pool_customers, inquiry_states, pool_states
from tests.faults import reference_rows
from tests.kpis import builders as b


def _now():
    return timezone.now()


# --- the data each job works on -------------------------------------------------------------------
def given_heartbeat(ctx):
    pass  # the job's effect is its own JobRun row


def given_backup(ctx):
    b.customer()
    ctx["settings"].BACKUP_DIR = ctx["tmp"] / f"backups-{ctx['phase']}"
    ctx["settings"].BACKUP_ALLOW_UNENCRYPTED = True  # (tests run with DEBUG off: plain copies must be allowed)
    ctx["settings"].MEDIA_ROOT = ctx["tmp"] / "no-media"


def given_dormant_customers(ctx):
    agent = b.staff("owner")
    old = _now() - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS + 5)
    for owner in (agent, None):
        c = b.customer(owner=owner)
        type(c).objects.filter(pk=c.pk).update(last_order_at=old, created_at=old)


def given_pending_order_events(ctx):
    from customers.models import OrderEvent

    for _ in range(3):
        order = b.order(b.customer(), finished=_now() - dt.timedelta(hours=2), fee="88.00")
        OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.COMPLETED)


def given_overdue_complaints(ctx):
    agent = b.staff("agent")
    agent.email = "agent@example.com"
    agent.save()
    b.complaint(received=_now() - dt.timedelta(days=5), assignee=agent)  # acknowledge + resolve overdue
    b.complaint(received=_now() - dt.timedelta(days=20), assignee=agent, grade="major")


def given_tier_review(ctx):
    from loyalty.models import LoyaltyAccount, Tier

    LoyaltyAccount.objects.create(customer=b.customer(), tier=Tier.SILVER)  # first miss: warned
    LoyaltyAccount.objects.create(customer=b.customer(), tier=Tier.GOLD, missed_reviews=1)  # downgraded


def given_expiring_points(ctx):
    long_ago = _now() - dt.timedelta(days=31 * (settings.LOYALTY_POINTS_EXPIRE_MONTHS + 1))
    for amount in (300, 120):
        b.points(b.customer(), "earn", amount, long_ago)


def given_old_idempotency_keys(ctx):
    from customers.models import IdempotencyRecord

    platform = b.platform()
    for n in range(3):
        record = IdempotencyRecord.objects.create(platform=platform, key=f"k{n}", request_hash="0" * 64,
                                                  method="POST", path="/api/v1/orders")
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=_now() - dt.timedelta(days=3))


def given_birthdays_today(ctx):
    from care.models import Occasion

    offset = Occasion.objects.get(kind=Occasion.Kind.BIRTHDAY).send_offset_days
    day = timezone.localdate() + dt.timedelta(days=offset)
    for _ in range(2):
        c = b.customer()
        type(c).objects.filter(pk=c.pk).update(birthday=day.replace(year=1988), marketing_consent=True)


def given_holiday_today(ctx):
    from care.models import Occasion

    today = timezone.localdate()
    Occasion.objects.exclude(kind=Occasion.Kind.BIRTHDAY).update(is_active=False)
    Occasion.objects.create(code="test_day", name="测试节", kind=Occasion.Kind.FIXED,
                            month=today.month, day=today.day, send_offset_days=0, requires_consent=False)
    for _ in range(3):
        b.customer()


def given_due_messages(ctx):
    for _ in range(3):
        b.care_message(b.customer(), status="queued", send_after=_now() - dt.timedelta(minutes=10))


def given_gold_customers(ctx):
    from loyalty.models import LoyaltyAccount, Tier

    agent = b.staff("am")
    for owner in (agent, None):
        LoyaltyAccount.objects.create(customer=b.customer(owner=owner), tier=Tier.GOLD)


def given_finished_month(ctx):
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    agent = b.staff("kpi", team=b.team("组"))
    c = b.customer(owner=agent)
    o = b.order(c, finished=b.at(first.year, first.month, 10), credited_owner=agent)
    b.review(o, 5, 9)
    b.callback(c, agent, happened=b.at(first.year, first.month, 11), satisfaction=5)


def given_running_month(ctx):
    today = timezone.localdate()
    agent = b.staff("kpi", team=b.team("组"))
    c = b.customer(owner=agent)
    b.review(b.order(c, finished=b.at(today.year, today.month, 1), credited_owner=agent), 4, 8)


def given_incomplete_profiles(ctx):
    from customers.models import Customer

    supervisor = b.staff("sup")
    supervisor.email = "sup@example.com"
    supervisor.save()
    team = b.team("资料组")
    team.supervisor = supervisor
    team.save()
    for name in ("a1", "a2"):
        agent = b.staff(name, team=team)
        agent.email = f"{name}@example.com"
        agent.save()
        c = b.customer(owner=agent)
        Customer.objects.filter(pk=c.pk).update(
            created_at=_now() - dt.timedelta(days=settings.CUSTOMER_PROFILE_INCOMPLETE_DAYS + 3))


def given_anniversaries_today(ctx):
    from customers.models import AnniversaryKind, Customer, CustomerAnniversary

    today = timezone.localdate()
    for _ in range(2):
        c = b.customer()
        Customer.objects.filter(pk=c.pk).update(marketing_consent=True)
        CustomerAnniversary.objects.create(customer=c, kind=AnniversaryKind.objects.get(code="wedding"),
                                           date=today.replace(year=2015) if (today.month, today.day) != (2, 29)
                                           else dt.date(2016, 2, 29))


def given_late_profile_reviews(ctx):
    from customers.models import ProfileReview

    supervisor = b.staff("hq", role="客服主管")
    supervisor.email = "hq@example.com"
    supervisor.save()
    agent = b.staff("entering")
    for _ in range(3):
        ProfileReview.objects.create(customer=b.customer(), created_by=agent,
                                     created_at=_now() - dt.timedelta(hours=13), due_at=_now() - dt.timedelta(hours=1))
    # the same 12-hour clock for deletion requests, key-field changes and handovers
    from customers.models import DeletionRequest, Handover, KeyFieldChange

    late = _now() - dt.timedelta(hours=1)
    for _ in range(2):
        customer = b.customer(owner=agent)
        DeletionRequest.objects.create(customer=customer, reason="x", requested_by=agent, review_due_at=late)
        KeyFieldChange.objects.create(customer=customer, requested_by=agent, review_due_at=late)
        Handover.objects.create(from_user=agent, to_user=supervisor, requested_by=agent, review_due_at=late)


def given_warning_signals(ctx):
    agent = b.staff("am")
    steady = b.customer(owner=agent)  # weekly for five weeks, then silent for seven
    for week in range(5):
        b.order(steady, finished=_now() - dt.timedelta(days=84 - 7 * week))
    unhappy = b.customer()  # two low ratings in a row (public pool: the team queue)
    for rating in (2, 1):
        b.review(b.order(unhappy, finished=_now() - dt.timedelta(days=2)), rating)
    complaining = b.customer(owner=agent)  # two complaints within 30 days
    for days in (3, 10):
        b.complaint(received=_now() - dt.timedelta(days=days), cust=complaining)


def warning_states():
    from retention.models import CustomerWarning

    return {"warnings": sorted(CustomerWarning.objects.values_list("customer_id", "kind", "status",
                                                                    "callback__reason_key"))}


def review_states():
    from customers.models import DeletionRequest, Handover, KeyFieldChange, ProfileReview

    return {"late": ProfileReview.objects.filter(late_at__isnull=False).count(),
            **{m.__name__: m.objects.filter(review_late_at__isnull=False).count()
               for m in (DeletionRequest, Handover, KeyFieldChange)}}


def given_analysis_not_signed_off(ctx):
    # Any day of the month is past the reminder day and the due day here (the job itself checks the date).
    ctx["settings"].COMPLAINT_ANALYSIS_REMIND_DAY, ctx["settings"].COMPLAINT_ANALYSIS_DUE_DAY = 1, 0
    supervisor = b.staff("analyst", role="客服主管")
    supervisor.email = "analyst@example.com"
    supervisor.save()


def analysis_states():
    from complaints.models import AnalysisMonth

    return {"analyses": sorted((a.month, a.reminded_at is None, a.flagged_late_at is None)
                               for a in AnalysisMonth.objects.all())}


# --- what each job writes beyond row counts --------------------------------------------------------
def backup_effects():
    from core import backup
    from core.models import JobRun

    run = JobRun.objects.filter(name="backup").first()
    return {"backups made": run.runs if run else 0,
            "backup files": len(backup.backups_in(settings.BACKUP_DIR)),
            "partial files": len(list(settings.BACKUP_DIR.glob("*.partial")))}


def customer_states():
    from customers.models import Customer

    return {"statuses": sorted(Customer.objects.values_list("status", "owner_id"), key=str)}


def loyalty_states():
    from loyalty.models import LoyaltyAccount, PointsEntry

    return {"accounts": sorted(LoyaltyAccount.objects.values_list("customer_id", "tier", "missed_reviews")),
            "points": PointsEntry.objects.aggregate(s=Sum("points"))["s"]}


def complaint_states():
    from complaints.models import Complaint

    return {"complaints": sorted(Complaint.objects.values_list("pk", "grade_id", "status", "owner_role"))}


def campaign_states():
    from care.models import CampaignRun

    return {"campaign enqueued": sorted(CampaignRun.objects.values_list("occasion__code", "enqueued"))}


def message_states():
    from care.models import Message

    return {"messages": sorted(Message.objects.values_list("customer_id", "status", "attempts"))}


def snapshot_states():
    from kpis.models import MonthlySnapshot

    return {"snapshots": sorted(MonthlySnapshot.objects.values_list("month", "scope_key"))}


def nothing():
    return {}


@dataclass(frozen=True)
class Scenario:
    given: Callable
    states: Callable = nothing


SCENARIOS = {
    "core.heartbeat": Scenario(given_heartbeat),
    "core.database_backup": Scenario(given_backup, backup_effects),
    "customers.dormancy_sweep": Scenario(given_dormant_customers, customer_states),
    "customers.sweep_order_events": Scenario(given_pending_order_events, loyalty_states),
    "complaints.process_deadlines": Scenario(given_overdue_complaints, complaint_states),
    "loyalty.monthly_tier_review": Scenario(given_tier_review, loyalty_states),
    "loyalty.points_expiry": Scenario(given_expiring_points, loyalty_states),
    "customers.api.purge_idempotency_keys": Scenario(given_old_idempotency_keys),
    "care.birthday_greetings": Scenario(given_birthdays_today, message_states),
    "care.holiday_greetings": Scenario(given_holiday_today, lambda: {**message_states(), **campaign_states()}),
    "care.dispatch_messages": Scenario(given_due_messages, message_states),
    "care.schedule_callbacks": Scenario(given_gold_customers),
    "kpis.compute_previous_month": Scenario(given_finished_month, snapshot_states),
    "customers.incomplete_profiles": Scenario(given_incomplete_profiles),
    "customers.profile_reviews_late": Scenario(given_late_profile_reviews, review_states),
    "customers.inquiries_late": Scenario(given_late_inquiries, inquiry_states),
    "customers.pool_rules": Scenario(given_pool_customers, pool_states),
    "care.anniversary_greetings": Scenario(given_anniversaries_today, message_states),
    "complaints.analysis_reminder": Scenario(given_analysis_not_signed_off, analysis_states),
    "complaints.analysis_overdue": Scenario(given_analysis_not_signed_off, analysis_states),
    "kpis.recompute_previous_month": Scenario(given_finished_month, snapshot_states),
    "kpis.compute_running_month": Scenario(given_running_month, snapshot_states),
    "retention.raise_warnings": Scenario(given_warning_signals, warning_states),
    "appraisal.compute_previous_month": Scenario(more.given_appraisal_month, more.appraisal_states),
}


def effects(scenario: Scenario) -> dict:
    """Rows of every table (JobRun's run counter aside), e-mails and SMS sent, and the job's states."""
    rows = {m._meta.label: m._default_manager.count() for m in apps.get_models() if not m._meta.proxy}
    sms = LoggingSmsBackend.sent
    return {"rows": rows, "emails": sorted(m.subject for m in mail.outbox), "sms sent": len(sms),
            "sms to a number already sent to": len(sms) - len({s["to"] for s in sms}), **scenario.states()}


def _fresh_data(ctx, scenario: Scenario, phase: str) -> dict:
    call_command("flush", interactive=False, verbosity=0)
    reference_rows()
    mail.outbox.clear()
    LoggingSmsBackend.sent.clear()
    ctx["phase"] = phase
    scenario.given(ctx)
    return effects(scenario)


def _twice_at_once(job) -> list[Exception]:
    errors, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def jobs_run_in_process(settings):
    """Tasks a job starts run in the same thread (no broker); no quiet hours, so messages go out."""
    settings.CARE_QUIET_HOURS_START = settings.CARE_QUIET_HOURS_END = "00:00"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def test_every_scheduled_job_has_a_scenario():
    assert set(settings.CELERY_BEAT_SCHEDULE) == set(SCENARIOS), (
        "every beat job needs a scenario in tests/core/test_beat_twice.py")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_a_job_run_twice_at_once_does_nothing_twice(name, settings, tmp_path, jobs_run_in_process):
    if name not in SCENARIOS:
        pytest.fail(f"the beat job {name} has no scenario in tests/core/test_beat_twice.py")
    scenario, entry = SCENARIOS[name], settings.CELERY_BEAT_SCHEDULE[name]
    app.loader.import_default_modules()  # the task modules a worker imports (autodiscovery, CELERY_IMPORTS)
    job = app.tasks[entry["task"]]  # the task's own function, as beat runs it
    ctx = {"settings": settings, "tmp": tmp_path}

    before = _fresh_data(ctx, scenario, "once")
    job()
    once = effects(scenario)
    assert once != before, f"the scenario of {name} gives the job no work"

    _fresh_data(ctx, scenario, "twice")
    errors = _twice_at_once(job)
    assert errors == []
    assert effects(scenario) == once
