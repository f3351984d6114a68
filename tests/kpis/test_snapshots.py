"""Snapshots: one per (month, scope), recomputed in place, frozen after the 10th, late data picked up."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from kpis.errors import KpiError
from kpis.models import MonthlySnapshot, SnapshotRecompute
from kpis.rules import DEFINITION_VERSION
from kpis.services import snapshot_compute_month, snapshot_compute_range
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)


def company():
    return MonthlySnapshot.objects.get(month=OCT, scope_key="company")


def test_running_twice_replaces_the_snapshot_instead_of_duplicating_it():
    agent = b.staff("a1")
    c = b.customer()
    b.callback(c, agent, happened=b.at(2026, 10, 5))
    first_as_of, second_as_of = b.at(2026, 11, 1, 0, 30), b.at(2026, 11, 2, 0, 45)
    snapshot_compute_month(month=OCT, as_of=first_as_of)
    first_pk = company().pk
    snapshot_compute_month(month=OCT, as_of=second_as_of)
    assert MonthlySnapshot.objects.filter(month=OCT).count() == 2  # company + the agent
    assert company().pk == first_pk
    assert company().computed_at == second_as_of
    assert company().definition_version == DEFINITION_VERSION


def test_the_database_refuses_a_second_snapshot_for_the_same_month_and_scope():
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlySnapshot.objects.create(month=OCT, scope="company", scope_key="company", definition_version=1,
                                       computed_at=b.at(2026, 11, 1))


def test_a_scope_that_no_longer_has_figures_is_removed_on_recompute():
    agent = b.staff("a1")
    log = b.callback(b.customer(), agent, happened=b.at(2026, 10, 5))
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    assert MonthlySnapshot.objects.filter(month=OCT, scope="agent").count() == 1
    log.happened_at = b.at(2026, 11, 2)
    log.save()
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 3))
    assert not MonthlySnapshot.objects.filter(month=OCT, scope="agent").exists()


def test_a_late_review_is_picked_up_by_the_daily_recompute_until_the_10th():
    c = b.customer()
    o1, o2 = b.order(c, finished=b.at(2026, 10, 5)), b.order(c, finished=b.at(2026, 10, 6))
    b.review(o1, 5)
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    assert company().satisfaction_rate == Decimal("100.00")

    b.review(o2, 1)  # pushed on 3 November
    result = snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 10, 0, 45))
    assert result.computed
    assert company().satisfaction_rate == Decimal("50.00")
    assert not company().recomputed_after_freeze


def test_after_the_10th_the_month_is_frozen_unless_recomputed_explicitly_and_that_is_recorded():
    c = b.customer()
    manager = b.staff("manager")
    o1, o2 = b.order(c, finished=b.at(2026, 10, 5)), b.order(c, finished=b.at(2026, 10, 6))
    b.review(o1, 5)
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    b.review(o2, 1)

    skipped = snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 11, 0, 45))
    assert not skipped.computed and skipped.frozen
    assert company().satisfaction_rate == Decimal("100.00")

    forced = snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 20), force=True, actor=manager,
                                    note="rating dispute settled")
    assert forced.computed
    assert company().satisfaction_rate == Decimal("50.00")
    assert company().recomputed_after_freeze
    record = SnapshotRecompute.objects.get()
    assert (record.month, record.requested_by, record.note) == (OCT, manager, "rating dispute settled")


def test_a_frozen_month_never_computed_is_computed_the_first_time_without_force():
    result = snapshot_compute_month(month=dt.date(2025, 1, 1), as_of=b.at(2026, 11, 1))
    assert result.computed
    assert not MonthlySnapshot.objects.get(month=dt.date(2025, 1, 1), scope_key="company").recomputed_after_freeze
    assert not SnapshotRecompute.objects.exists()


def test_a_month_that_has_not_started_is_refused():
    with pytest.raises(KpiError):
        snapshot_compute_month(month=dt.date(2026, 12, 1), as_of=b.at(2026, 11, 30))


def test_range_computes_every_month_inclusive():
    results = snapshot_compute_range(first=dt.date(2025, 11, 1), last=dt.date(2026, 2, 1), as_of=b.at(2026, 11, 1))
    assert [r.month for r in results] == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1),
                                          dt.date(2026, 2, 1)]
    assert MonthlySnapshot.objects.filter(scope="company").count() == 4


def test_compute_kpis_command_one_month_and_a_range():
    out = StringIO()
    call_command("compute_kpis", "--month", "2025-10", stdout=out)
    assert "2025-10: 1 snapshots" in out.getvalue()
    call_command("compute_kpis", "--from", "2025-01", "--to", "2025-03", stdout=out)
    assert set(MonthlySnapshot.objects.values_list("month", flat=True)) == {
        dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 10, 1)}


def test_compute_kpis_command_skips_a_frozen_month_and_forces_with_a_reason():
    call_command("compute_kpis", "--month", "2025-10", stdout=StringIO())
    out = StringIO()
    call_command("compute_kpis", "--month", "2025-10", stdout=out)
    assert "skipped" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("compute_kpis", "--month", "2025-10", "--force", stdout=out)
    call_command("compute_kpis", "--month", "2025-10", "--force", "--note", "fix", stdout=out)
    assert SnapshotRecompute.objects.get().note == "fix"


@pytest.mark.parametrize("args", [["--month", "2025-13"], ["--month", "oct"], [], ["--from", "2025-05", "--to",
                                                                                   "2025-01"]])
def test_compute_kpis_command_rejects_bad_months(args):
    with pytest.raises(CommandError):
        call_command("compute_kpis", *args, stdout=StringIO())


def test_beat_task_computes_the_previous_month(monkeypatch):
    from django.utils import timezone

    from kpis import tasks

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 1))
    tasks.compute_previous_month()
    assert MonthlySnapshot.objects.filter(month=OCT, scope_key="company").exists()


def test_beat_schedule_declares_both_kpi_jobs():
    from celery.schedules import crontab
    from django.conf import settings

    monthly = settings.CELERY_BEAT_SCHEDULE["kpis.compute_previous_month"]
    daily = settings.CELERY_BEAT_SCHEDULE["kpis.recompute_previous_month"]
    assert monthly["schedule"] == crontab(day_of_month=1, hour=0, minute=30)
    assert daily["schedule"] == crontab(day_of_month="2-10", hour=0, minute=45)
    assert monthly["options"]["expires"] <= 24 * 3600 and daily["options"]["expires"] <= 24 * 3600
