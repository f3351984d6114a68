"""Reads for the dashboard, exports and API: snapshots only (a handful of indexed queries)."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.metrics.period import Period
from kpis.models import MonthlySnapshot
from kpis.rules import add_months, change

Scope = MonthlySnapshot.Scope


@dataclass(frozen=True)
class Figure:
    field: str
    label: str
    kind: str  # "rate" (%), "count", "money", "hours", "number"
    higher_is_better: bool = True
    source: str = ""  # which admin list shows the records behind it (see figure_link)


FIGURES = [
    Figure("satisfaction_rate", _("Satisfaction rate"), "rate", source="orders_completed"),
    Figure("complaint_rate", _("Complaint rate"), "rate", higher_is_better=False, source="complaints"),
    Figure("complaints_per_1000_orders", _("Complaints per 1,000 orders (with or without an order)"), "number",
           higher_is_better=False, source="complaints"),
    Figure("retention_rate", _("Retention rate"), "rate", source="orders_completed"),
    Figure("nps", _("NPS"), "number", source="orders_completed"),
    Figure("orders_total", _("Orders booked"), "count", source="orders_booked"),
    Figure("orders_completed", _("Orders completed"), "count", source="orders_completed"),
    Figure("customers_active", _("Active customers"), "count", source="orders_completed"),
    Figure("customers_new", _("New customers"), "count", source="customers_new"),
    Figure("repeat_purchase_rate", _("Repeat-purchase rate"), "rate", source="orders_completed"),
    Figure("avg_orders_per_customer", _("Orders per customer"), "number", source="orders_completed"),
    Figure("revenue", _("Revenue (CNY)"), "money", source="orders_completed"),
    Figure("avg_clv", _("Average customer lifetime value (CNY)"), "money", source="customers"),
    Figure("complaints_total", _("Complaints received"), "count", higher_is_better=False, source="complaints"),
    Figure("avg_acknowledge_hours", _("Average hours to acknowledge"), "hours", higher_is_better=False,
           source="complaints"),
    Figure("avg_resolve_hours", _("Average hours to resolve"), "hours", higher_is_better=False, source="complaints"),
    Figure("sla_acknowledge_rate", _("Acknowledged in time"), "rate", source="complaints"),
    Figure("sla_resolve_rate", _("Resolved in time"), "rate", source="complaints"),
    Figure("first_contact_resolution_rate", _("First-contact resolution"), "rate", source="complaints_closed"),
    Figure("reopen_rate", _("Reopen rate"), "rate", higher_is_better=False, source="complaints"),
    Figure("warnings_raised", _("Early warnings raised"), "count", higher_is_better=False, source="warnings"),
    Figure("warnings_worked", _("Early warnings worked"), "count", source="warnings_worked"),
    Figure("inquiries_answered_in_time_rate", _("Inquiries and suggestions answered within 24 h"), "rate",
           source="inquiries"),
    Figure("appraisal_score", _("Appraisal score (agents' average)"), "number", source="appraisals"),
]
FIGURES_BY_FIELD = {f.field: f for f in FIGURES}

TREND_CHARTS = [
    ("satisfaction", _("Satisfaction rate (%)"), ["satisfaction_rate"]),
    ("complaint_rate", _("Complaint rate (%)"), ["complaint_rate"]),
    ("retention", _("Retention rate (%)"), ["retention_rate"]),
    ("nps", _("NPS"), ["nps"]),
    ("sla", _("SLA compliance (%)"), ["sla_acknowledge_rate", "sla_resolve_rate"]),
    ("orders", _("Orders"), ["orders_total", "orders_completed"]),
    ("customers", _("Active customers"), ["customers_active", "customers_new"]),
]


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def admin_url(name: str, params: dict) -> str | None:
    try:
        base = reverse(f"admin:{name}_changelist")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode(params)}" if params else base


def figure_links(month: dt.date) -> dict[str, str | None]:
    """Admin changelists (filtered to the month) showing the records behind each kind of figure."""
    p = Period.of(month)
    return {
        "orders_booked": admin_url("customers_order", {"booked_at__gte": _iso(p.start), "booked_at__lt": _iso(p.end)}),
        "orders_completed": admin_url("customers_order", {
            "status__exact": "completed", "finished_at__gte": _iso(p.start), "finished_at__lt": _iso(p.end)}),
        "customers_new": admin_url("customers_customer", {
            "first_order_at__gte": _iso(p.start), "first_order_at__lt": _iso(p.end)}),
        "customers": admin_url("customers_customer", {"first_order_at__lt": _iso(p.end)}),
        "complaints": admin_url("complaints_complaint", {
            "received_at__gte": _iso(p.start), "received_at__lt": _iso(p.end)}),
        "complaints_closed": admin_url("complaints_complaint", {
            "received_at__gte": _iso(p.start), "received_at__lt": _iso(p.end), "status__exact": "closed"}),
        "callbacks": admin_url("care_callback", {
            "status__exact": "done", "happened_at__gte": _iso(p.start), "happened_at__lt": _iso(p.end)})
        or admin_url("customers_contactlog", {
            "purpose__in": "callback,complaint_follow_up", "status__exact": "done",
            "happened_at__gte": _iso(p.start), "happened_at__lt": _iso(p.end)}),
        "inquiries": admin_url("customers_inquiry", {
            "happened_at__gte": _iso(p.start), "happened_at__lt": _iso(p.end)}),
        "tiers": admin_url("loyalty_loyaltyaccount", {}),
        "points": admin_url("loyalty_pointsentry", {"created_at__gte": _iso(p.start), "created_at__lt": _iso(p.end)}),
        "warnings": admin_url("retention_customerwarning", {
            "raised_at__gte": _iso(p.start), "raised_at__lt": _iso(p.end)}),
        "warnings_worked": admin_url("retention_customerwarning", {
            "worked_at__gte": _iso(p.start), "worked_at__lt": _iso(p.end)}),
        "care_messages": admin_url("care_message", {"created_at__gte": _iso(p.start), "created_at__lt": _iso(p.end)}),
        "appraisals": admin_url("appraisal_appraisal", {"month": p.month.isoformat()}),
    }


def snapshot_company(month: dt.date) -> MonthlySnapshot | None:
    return MonthlySnapshot.objects.filter(month=month.replace(day=1), scope_key="company").first()


def snapshots_company_between(first: dt.date, last: dt.date):
    return MonthlySnapshot.objects.filter(scope=Scope.COMPANY, month__gte=first, month__lte=last).order_by("month")


def snapshot_months() -> list[dt.date]:
    """Months that have a company snapshot, newest first (the month picker)."""
    return list(MonthlySnapshot.objects.filter(scope=Scope.COMPANY).order_by("-month").values_list("month", flat=True))


def snapshot_rankings(month: dt.date) -> dict:
    """Team and agent snapshots of the month, best first (deadlines met, then their customers' satisfaction)."""
    qs = MonthlySnapshot.objects.filter(month=month.replace(day=1)).select_related("team")
    order = ["-deadlines_met_rate", "-owned_satisfaction_rate", "-callback_satisfaction_rate", "label"]
    return {
        "teams": list(qs.filter(scope=Scope.TEAM).order_by(*order)),
        "agents": list(qs.filter(scope=Scope.AGENT).order_by(*order)),
    }


def dashboard_data(month: dt.date) -> dict | None:
    """Everything the dashboard shows for a month, from at most 13 company snapshots and the month's
    team and agent snapshots. ``None`` when the month has no snapshot."""
    month = month.replace(day=1)
    trend_months = settings.KPI_TREND_MONTHS
    first = add_months(month, -(trend_months - 1))
    by_month = {s.month: s for s in snapshots_company_between(first, month)}
    current = by_month.get(month)
    if current is None:
        return None
    previous = by_month.get(add_months(month, -1))
    last_year = by_month.get(add_months(month, -12))
    partial = partial_month(current)
    links = figure_links(month)
    cards = []
    for f in FIGURES:
        value = getattr(current, f.field)
        if partial:  # like for like: month to date against the same days of the previous month
            prev_value = partial["previous"].get(f.field)
            ly_value = None
        else:
            prev_value = getattr(previous, f.field) if previous else None
            ly_value = getattr(last_year, f.field) if last_year else None
        cards.append({
            "field": f.field, "label": f.label, "kind": f.kind, "value": value,
            "vs_previous": change(value, prev_value), "vs_last_year": change(value, ly_value),
            "previous": prev_value, "last_year": ly_value, "higher_is_better": f.higher_is_better,
            "link": links.get(f.source),
        })
    months = [add_months(first, i) for i in range(trend_months)]
    trend = {
        "months": [f"{m:%Y-%m}" for m in months],
        "charts": [
            {
                "key": key, "title": str(title),
                "series": [
                    {"field": field, "label": str(FIGURES_BY_FIELD[field].label),
                     "data": [_plain(getattr(by_month[m], field)) if m in by_month else None for m in months]}
                    for field in fields
                ],
            }
            for key, title, fields in TREND_CHARTS
        ],
    }
    return {
        "month": month, "snapshot": current, "previous": previous, "last_year": last_year, "cards": cards,
        "trend": trend, "links": links, "partial": partial, **snapshot_rankings(month),
    }


def partial_month(snapshot: MonthlySnapshot) -> dict | None:
    """For a snapshot computed before its month ended: up to when it counts, and the previous month's
    figures over the same days (empty when they were not computed). ``None`` for a complete month."""
    if snapshot.computed_at >= Period.of(snapshot.month).end:
        return None
    same = snapshot.same_days_last_month or {}
    until = same.get("until")
    return {
        "until": timezone.localtime(snapshot.computed_at),
        "previous_until": timezone.localtime(dt.datetime.fromisoformat(until)) if until else None,
        "previous": same.get("figures") or {},
    }


def default_month(months: list[dt.date], *, today: dt.date) -> dt.date | None:
    """The month the dashboard opens on: the last complete month with figures (the running month only
    when nothing else has been computed yet)."""
    running = today.replace(day=1)
    complete = [m for m in months if m < running]
    return complete[0] if complete else (months[0] if months else None)


def headline(*, today: dt.date) -> dict | None:
    """The last complete month's company figures for the managers' start page (one query)."""
    snapshot = (MonthlySnapshot.objects.filter(scope=Scope.COMPANY, month__lt=today.replace(day=1))
                .order_by("-month").first())
    if snapshot is None:
        return None
    return {"month": snapshot.month,
            "figures": [(f, getattr(snapshot, f.field)) for f in FIGURES if f.field in HEADLINE_FIELDS]}


HEADLINE_FIELDS = ("satisfaction_rate", "complaint_rate", "orders_completed", "revenue", "nps", "sla_resolve_rate")


def team_month(user, *, today: dt.date) -> list[MonthlySnapshot]:
    """This month's snapshots of the teams ``user`` supervises (the supervisor's start page)."""
    return list(MonthlySnapshot.objects.filter(scope=Scope.TEAM, month=today.replace(day=1),
                                               team__supervisor=user).order_by("label"))


def _plain(value):
    """A figure as a JSON number for the charts (Decimal → float is fine for drawing)."""
    return float(value) if value is not None else None
