"""Computing the monthly snapshots: the only writer of MonthlySnapshot."""

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Team
from core.names import person_name
from core.services import job_lock
from kpis.errors import KpiError
from kpis.metrics import appraisal as appraisals
from kpis.metrics import callbacks, campaigns, care, complaints, inquiries, loyalty, orders, surveys, warnings
from kpis.metrics.period import Period
from kpis.models import MonthlySnapshot, SnapshotRecompute
from kpis.rules import DEFINITION_VERSION, add_months, is_frozen, months_between, percentage

# Every figure column the service writes (the upsert replaces all of them).
FIGURE_FIELDS = [
    "orders_total", "orders_completed", "customers_active", "customers_new", "reviews_count",
    "satisfaction_rate", "complaint_rate", "complaints_per_1000_orders", "retention_rate", "nps",
    "repeat_purchase_rate",
    "avg_orders_per_customer", "revenue", "avg_clv", "complaints_total", "complaints_by_grade",
    "complaints_by_category", "avg_acknowledge_hours", "avg_resolve_hours", "sla_acknowledge_rate",
    "sla_resolve_rate", "first_contact_resolution_rate", "reopen_rate", "tiers", "points", "callbacks",
    "care_messages", "reviews_by_source", "surveys", "campaigns", "inquiries", "inquiries_answered_in_time_rate",
    "complaints_handled", "complaints_deadlines_met", "deadlines_met_rate", "callbacks_done",
    "callback_satisfaction_rate", "owned_reviews_count", "owned_satisfaction_rate",
    "warnings_raised", "warnings_worked", "appraisal_score",
]
UPDATE_FIELDS = ["scope", "team", "agent", "label", "definition_version", "computed_at", "compute_seconds",
                 "recomputed_after_freeze", "unavailable", "same_days_last_month", *FIGURE_FIELDS]


@dataclass
class ComputeResult:
    month: dt.date
    computed: bool
    snapshots: int = 0
    seconds: float = 0.0
    reason: str = ""
    frozen: bool = False


def _company_figures(period: Period, *, as_of: dt.datetime,
                     groups: list[dict] | None = None) -> tuple[dict, list[str]]:
    """``groups``: M's completed orders grouped once (``orders.completed_order_groups``)."""
    groups = orders.completed_order_groups(period) if groups is None else groups
    figures: dict = {}
    unavailable: list[str] = []
    figures.update(orders.order_counts(period, groups))
    figures.update(orders.customer_counts(period, orders_completed=figures["orders_completed"]))
    figures["callbacks"] = callbacks.callback_counts(period)
    figures.update(complaints.complaint_counts(period, as_of=as_of, orders_completed=figures["orders_completed"]))
    figures["tiers"] = loyalty.tier_counts(period)
    figures["points"] = loyalty.point_counts(period)
    figures["care_messages"] = care.care_message_counts(period)
    figures["reviews_by_source"] = surveys.reviews_by_source(period, groups)
    figures["surveys"] = surveys.survey_counts(period)
    figures["campaigns"] = campaigns.campaign_reach(period)
    figures.update(warnings.warning_counts(period))
    figures["inquiries"] = inquiries.inquiry_counts(period, as_of=as_of)
    figures["inquiries_answered_in_time_rate"] = figures["inquiries"]["answered_in_time_rate"]
    return figures, unavailable


def _staff_figures(period: Period, *, as_of: dt.datetime, team_level: bool, groups: list[dict]) -> dict:
    """Per agent (or per agent's team): complaints handled and deadlines met, callbacks done and their
    satisfaction, satisfaction of the reviews of orders credited to them (``Order.credited_owner``)."""
    team_path = "__staff_profile__team" if team_level else ""
    out: dict = {}
    for key, values in complaints.complaint_counts_by(period, f"assignee{team_path}", as_of=as_of).items():
        out.setdefault(key, {}).update(values)
    for key, values in callbacks.callback_counts_by(period, f"agent{team_path}").items():
        out.setdefault(key, {}).update(
            callbacks_done=values["done"], callback_satisfaction_rate=values["satisfaction_rate"], callbacks=values
        )
    for key, values in warnings.warning_counts_by(period, f"owner{team_path}").items():
        out.setdefault(key, {}).update(values)
    for key, values in inquiries.inquiry_counts_by(period, f"agent{team_path}", as_of=as_of).items():
        out.setdefault(key, {}).update(inquiries=values,
                                       inquiries_answered_in_time_rate=values["answered_in_time_rate"])
    for key, values in appraisals.appraisal_scores_by(period, f"agent{team_path}").items():
        out.setdefault(key, {}).update(values)
    for key, (reviews, satisfied) in orders.owned_review_counts(period, team_level=team_level,
                                                                groups=groups).items():
        out.setdefault(key, {}).update(owned_reviews_count=reviews,
                                       owned_satisfaction_rate=percentage(satisfied, reviews))
    return out


def _team_figures(period: Period, *, as_of: dt.datetime, groups: list[dict]) -> dict:
    out = _staff_figures(period, as_of=as_of, team_level=True, groups=groups)
    complaint_orders = complaints.complaint_orders_by_driver_team(period)
    for team_id, values in orders.driver_team_orders(period, groups).items():
        entry = out.setdefault(team_id, {})
        entry.update(values)
        entry["complaint_rate"] = percentage(complaint_orders.get(team_id, 0), values.get("orders_completed"))
    return out


def _agent_label(user) -> str:
    return person_name(user)


def same_days_period(period: Period, *, as_of: dt.datetime) -> Period | None:
    """For a month still running at ``as_of``: the previous month from its first day over the same
    elapsed time (1–4 December 17:00 → 1–4 November 17:00; never past the previous month's end).
    ``None`` once the month is complete."""
    if as_of >= period.end:
        return None
    before = Period.of(add_months(period.month, -1))
    end = min(before.start + (as_of - period.start), before.end)
    return Period(month=before.month, start=before.start, end=end, prev_start=before.prev_start)


def _same_days_figures(period: Period, *, as_of: dt.datetime) -> dict | None:
    """The previous month's company figures over the same days as the running month (numbers only)."""
    same = same_days_period(period, as_of=as_of)
    if same is None:
        return None
    figures, _unavailable = _company_figures(same, as_of=same.end)
    return {"until": same.end.isoformat(),
            "figures": {k: v for k, v in figures.items() if not isinstance(v, dict | list)}}


def _build_rows(period: Period, *, as_of: dt.datetime, started: float, forced: bool) -> list[MonthlySnapshot]:
    groups = orders.completed_order_groups(period)
    company, unavailable = _company_figures(period, as_of=as_of, groups=groups)
    company["same_days_last_month"] = _same_days_figures(period, as_of=as_of)
    # (after the same-days figures: an appraisal is of a whole month, never of "the same days")
    company.update(appraisals.appraisal_score(period))
    teams = _team_figures(period, as_of=as_of, groups=groups)
    agents = _staff_figures(period, as_of=as_of, team_level=False, groups=groups)

    common = {"month": period.month, "definition_version": DEFINITION_VERSION, "computed_at": as_of,
              "recomputed_after_freeze": forced, "unavailable": unavailable}
    rows = [MonthlySnapshot(scope=MonthlySnapshot.Scope.COMPANY, scope_key="company",
                            label=str(_("Company")), **common, **company)]
    team_names = dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
    for team_id, values in sorted(teams.items()):
        rows.append(MonthlySnapshot(scope=MonthlySnapshot.Scope.TEAM, scope_key=f"team:{team_id}", team_id=team_id,
                                    label=team_names.get(team_id, ""), **common, **values))
    users = get_user_model().objects.filter(pk__in=agents).select_related("staff_profile")
    users = {u.pk: u for u in users}
    for user_id, values in sorted(agents.items()):
        user = users.get(user_id)
        team_id = getattr(getattr(user, "staff_profile", None), "team_id", None) if user else None
        rows.append(MonthlySnapshot(scope=MonthlySnapshot.Scope.AGENT, scope_key=f"agent:{user_id}", agent_id=user_id,
                                    team_id=team_id, label=_agent_label(user) if user else "", **common, **values))
    seconds = Decimal(str(round(time.monotonic() - started, 3)))
    for row in rows:
        row.compute_seconds = seconds
    return rows


def _tune_session_for_aggregation() -> None:
    """On PostgreSQL, for this transaction only: enough memory for the grouped queries not to spill to
    disk, and no JIT (compiling these one-off plans costs more than it saves at these volumes)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                       [settings.KPI_WORK_MEM])


def snapshot_compute_month(*, month: dt.date, actor=None, force: bool = False, note: str = "",
                           as_of: dt.datetime | None = None) -> ComputeResult:
    """Compute (or recompute) every snapshot of ``month``: the company, each team and each agent.

    Idempotent: one row per (month, scope) is upserted on its unique key; scopes that no longer have
    figures are removed, so a recompute leaves exactly what a first computation would. A month is
    frozen after the ``KPI_FREEZE_DAY`` of the next month: an existing frozen snapshot is left alone
    unless ``force`` (an explicit recompute, recorded with who and why). Two runs for the same month
    serialise on a job lock. Raises ``KpiError`` for a month that has not started."""
    month = month.replace(day=1)
    as_of = as_of or timezone.now()
    today = timezone.localdate(as_of)
    if month > today.replace(day=1):
        raise KpiError(_("%(month)s has not started yet.") % {"month": f"{month:%Y-%m}"})
    started = time.monotonic()
    period = Period.of(month)
    with transaction.atomic():
        _tune_session_for_aggregation()
        job_lock(f"kpis.compute:{month:%Y-%m}")
        exists = MonthlySnapshot.objects.filter(month=month, scope_key="company").exists()
        frozen = is_frozen(month, today=today, freeze_day=settings.KPI_FREEZE_DAY)
        if frozen and exists and not force:
            return ComputeResult(month=month, computed=False, frozen=True,
                                 reason=_("frozen after day %(day)s of the next month; recompute explicitly")
                                 % {"day": settings.KPI_FREEZE_DAY})
        forced = frozen and exists and force
        rows = _build_rows(period, as_of=as_of, started=started, forced=forced)
        MonthlySnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["month", "scope_key"], update_fields=UPDATE_FIELDS,
        )
        MonthlySnapshot.objects.filter(month=month).exclude(scope_key__in=[r.scope_key for r in rows]).delete()
        if forced:
            SnapshotRecompute.objects.create(month=month, requested_by=actor, note=note[:300])
    return ComputeResult(month=month, computed=True, snapshots=len(rows), seconds=time.monotonic() - started)


def snapshot_compute_range(*, first: dt.date, last: dt.date, actor=None, force: bool = False, note: str = "",
                           as_of: dt.datetime | None = None) -> list[ComputeResult]:
    """Compute every month from ``first`` to ``last`` inclusive (each month in its own transaction)."""
    if first > last:
        raise KpiError(_("The first month is after the last month."))
    return [snapshot_compute_month(month=m, actor=actor, force=force, note=note, as_of=as_of)
            for m in months_between(first, last)]
