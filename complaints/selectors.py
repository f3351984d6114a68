"""Reads of the complaints app: lists with their joins, overdue queues, driver history and score,
platform scoping, the monthly analysis and the figures the KPI app reads. Aggregation is in SQL."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints import rules
from complaints.models import Complaint, DriverAction, DriverScoreDeduction, Remedy, TimelineEntry
from core.dates import month_bounds, shift_month

S = Complaint.Status


def complaint_list() -> QuerySet[Complaint]:
    return Complaint.objects.select_related("grade", "category", "customer", "driver", "platform", "assignee")


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Complaints that have missed a deadline and not yet met it (the flag and the queue)."""
    now = now or timezone.now()
    unresolved_running = [s for s in Complaint.UNRESOLVED_STATUSES if s != S.AWAITING_CUSTOMER]
    return (
        Q(status=S.RECEIVED, acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
        | Q(status__in=unresolved_running, resolved_at__isnull=True, resolve_due_at__lt=now)
        | Q(status__in=Complaint.OPEN_STATUSES, closed_at__isnull=True, close_due_at__lt=now)
    )


def missed_since() -> Case:
    """The first deadline a complaint missed (or will miss): acknowledge while not acknowledged, else
    resolve while not resolved, else close — the order in which the deadlines fall."""
    return Case(
        When(acknowledged_at__isnull=True, then=F("acknowledge_due_at")),
        When(resolved_at__isnull=True, then=F("resolve_due_at")),
        default=F("close_due_at"),
    )


def complaints_overdue(now: dt.datetime | None = None, *, by_grade: bool = False) -> QuerySet[Complaint]:
    """The supervisor queue: overdue open complaints by due time (the longest overdue first, then the
    highest grade), or with ``by_grade`` highest grade first. Each row carries ``missed_since``."""
    queryset = complaint_list().filter(overdue_q(now)).annotate(missed_since=missed_since())
    if by_grade:
        return queryset.order_by("-grade__rank", "missed_since", "pk")
    return queryset.order_by("missed_since", "-grade__rank", "pk")


def complaint_timeline(complaint: Complaint, *, public_only: bool = False) -> QuerySet[TimelineEntry]:
    entries = complaint.timeline.select_related("actor").order_by("at", "id")
    return entries.filter(public=True) if public_only else entries


def complaints_for_platform(platform) -> QuerySet[Complaint]:
    """What a platform may see: complaints it filed or about its orders."""
    return complaint_list().filter(Q(filed_by_platform=platform) | Q(order__platform=platform))


def complaints_of_customer(customer) -> QuerySet[Complaint]:
    return complaint_list().filter(customer=customer).order_by("-received_at")


def driver_complaint_history(driver) -> QuerySet[Complaint]:
    return complaint_list().filter(driver=driver).order_by("-received_at")


def driver_service_score(*, driver_id: int, year: int) -> tuple[int, bool]:
    """(points left of the yearly service score, flagged for suspension)."""
    deducted = DriverScoreDeduction.objects.filter(driver_id=driver_id, year=year).aggregate(
        total=Coalesce(Sum("points"), 0))["total"]
    return rules.driver_score(per_year=settings.DRIVER_SERVICE_SCORE_PER_YEAR, deductions=[deducted])


def driver_actions(driver) -> QuerySet[DriverAction]:
    return DriverAction.objects.filter(driver=driver).select_related("complaint").order_by("-created_at")


# --- analysis --------------------------------------------------------------------------------
UPHELD = Q(status__in=[S.RESOLVED, S.FOLLOW_UP, S.CLOSED])
NO_ANSWER = Q(follow_up_answer=Complaint.FollowUpAnswer.NO_ANSWER)


def _month_qs(year: int, month: int) -> QuerySet[Complaint]:
    start, end = month_bounds(year, month)
    # A duplicate merged into another complaint is not counted on its own (as in the KPI figures).
    return Complaint.objects.filter(received_at__gte=start, received_at__lt=end).exclude(status=S.DUPLICATE)


def _shift(year: int, month: int, back: int) -> tuple[int, int]:
    return shift_month(year, month, -back)


def complaint_analysis(*, year: int, month: int, months_back: int = 5, top: int = 10) -> dict:
    """The monthly analysis (by the 10th, of the previous month): counts by category, grade,
    channel, cause, responsibility, driver and platform; a trend over the previous months; the
    drivers with the most upheld complaints. One grouped query per breakdown."""
    qs = _month_qs(year, month)

    def by(field: str, label: str | None = None) -> list[dict]:
        label = label or field
        rows = (qs.values(label).annotate(total=Count("id"), upheld=Count("id", filter=UPHELD),
                                          not_upheld=Count("id", filter=Q(status=S.NOT_UPHELD)))
                .order_by("-total", label))
        return [{"key": r[label], "total": r["total"], "upheld": r["upheld"], "not_upheld": r["not_upheld"]}
                for r in rows]

    channel_labels, responsibility_labels = dict(Complaint._meta.get_field("channel").choices), dict(
        Complaint._meta.get_field("responsibility").choices)
    by_channel = [{**r, "key": channel_labels.get(r["key"], r["key"])} for r in by("channel")]
    by_responsibility = [{**r, "key": responsibility_labels.get(r["key"]) or "—"} for r in by("responsibility")]
    trend = []
    for back in range(months_back, -1, -1):
        y, m = _shift(year, month, back)
        figures = _month_qs(y, m).aggregate(total=Count("id"), upheld=Count("id", filter=UPHELD),
                                            overdue_closed=Count("id", filter=Q(close_overdue_at__isnull=False)))
        trend.append({"month": f"{y}-{m:02d}", **figures})
    previous = trend[-2]["total"] if len(trend) > 1 else 0
    current = trend[-1]["total"]
    top_drivers = (qs.filter(UPHELD, driver__isnull=False)
                   .values("driver_id", "driver__name", "driver__employee_no")
                   .annotate(upheld=Count("id")).order_by("-upheld", "driver__name")[:top])
    return {
        "year": year, "month": month, "total": current,
        "change_vs_previous": current - previous,
        "by_category": by("category__name"),
        "by_grade": by("grade__name"),
        "by_channel": by_channel,
        "by_cause": [{**r, "key": r["key"] or "—"} for r in by("cause_category__name")],
        "by_responsibility": by_responsibility,
        "by_driver": [r for r in by("driver__name") if r["key"]][:top],
        "by_platform": [{**r, "key": r["key"] or "—"} for r in by("platform__name")],
        "trend": trend,
        "top_drivers": list(top_drivers),
    }


def complaint_kpi_figures(*, year: int, month: int) -> dict:
    """Figures of the complaints received in a month for the KPI snapshot: counts, overdue, response
    and resolution times (time awaiting the customer excluded), first-contact resolution and SLA
    compliance. Durations in hours (None when nothing to measure)."""
    qs = _month_qs(year, month)
    response = ExpressionWrapper(F("acknowledged_at") - F("received_at"), output_field=DurationField())
    resolution = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
    figures = qs.aggregate(
        total=Count("id"),
        orders_with_complaint=Count("order", distinct=True),
        overdue_flagged=Count("id", filter=Q(acknowledge_overdue_at__isnull=False) | Q(
            resolve_escalated_at__isnull=False) | Q(close_overdue_at__isnull=False)),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        acknowledged_in_time=Count("id", filter=Q(acknowledged_at__lte=F("acknowledge_due_at"))),
        closed=Count("id", filter=Q(status=S.CLOSED)),
        closed_in_time=Count("id", filter=Q(status=S.CLOSED, closed_at__lte=F("close_due_at"))),
        # A complaint closed for want of the customer's answer is neither a success nor a failure of
        # the first resolution: it is left out of "resolved without reopening" (as of first-contact
        # resolution in the KPIs) and counted on its own.
        resolved=Count("id", filter=Q(resolved_at__isnull=False) & ~NO_ANSWER),
        resolved_first_time=Count("id", filter=Q(resolved_at__isnull=False, reopen_count=0) & ~NO_ANSWER),
        answered_satisfied=Count("id", filter=Q(follow_up_answer=Complaint.FollowUpAnswer.SATISFIED)),
        answered_dissatisfied=Count("id", filter=Q(follow_up_answer=Complaint.FollowUpAnswer.DISSATISFIED)),
        no_answer=Count("id", filter=NO_ANSWER),
        not_upheld=Count("id", filter=Q(status=S.NOT_UPHELD)),
        avg_response=Avg(response, filter=Q(acknowledged_at__isnull=False)),
        avg_resolution=Avg(resolution, filter=Q(resolved_at__isnull=False)),
        avg_paused_seconds=Avg("paused_seconds", filter=Q(resolved_at__isnull=False)),
    )
    # The mean of (resolution − paused) is the mean resolution minus the mean paused time.
    paused = figures.pop("avg_paused_seconds")
    if figures["avg_resolution"] is not None:
        figures["avg_resolution"] -= dt.timedelta(seconds=float(paused or 0))
    for key in ("avg_response", "avg_resolution"):
        value = figures[key]
        figures[f"{key}_hours"] = round(value.total_seconds() / 3600, 2) if value is not None else None
        del figures[key]
    figures["overdue_now"] = qs.filter(overdue_q()).count()
    return figures


def complaint_order_matches(*, order_number: str = "", trip_date: dt.date | None = None, driver=None,
                            customer=None, mobile: str = "") -> QuerySet:
    """The orders a complaint may be about, found the way a hotline agent asks for them: by the
    platform's order number, or by the day of the ride and the driver (local day, booked that day).
    Narrowed to the complainant (the customer, or the mobile) when known. At most 10 rows."""
    from customers.models import Order

    qs = Order.objects.select_related("customer", "driver", "platform")
    if order_number.strip():
        qs = qs.filter(external_id=order_number.strip())
    elif trip_date is not None and driver is not None:
        start = timezone.make_aware(dt.datetime.combine(trip_date, dt.time.min))
        qs = qs.filter(driver=driver, booked_at__gte=start, booked_at__lt=start + dt.timedelta(days=1))
    else:
        return qs.none()
    if customer is not None:
        qs = qs.filter(customer=customer)
    elif mobile:
        qs = qs.filter(customer__mobile=mobile)
    return qs.order_by("-booked_at")[:10]


# --- the agent's work ------------------------------------------------------------------------
def next_deadline(complaint: Complaint) -> tuple[str, dt.datetime | None]:
    """(kind, due) of the next deadline of an open complaint; ("", None) when finished."""
    from django.utils.translation import gettext

    if not complaint.is_open:
        return "", None
    if complaint.acknowledged_at is None:
        return gettext("acknowledge"), complaint.acknowledge_due_at
    if complaint.status == S.AWAITING_CUSTOMER:
        return gettext("close"), complaint.close_due_at
    if complaint.resolved_at is None:
        return gettext("resolve"), complaint.resolve_due_at
    return gettext("close"), complaint.close_due_at


def next_due_expression() -> Case:
    """The next deadline as SQL (the list's countdown column sorts by it)."""
    return Case(
        When(status__in=Complaint.TERMINAL_STATUSES, then=Value(None)),
        When(acknowledged_at__isnull=True, then=F("acknowledge_due_at")),
        When(status=S.AWAITING_CUSTOMER, then=F("close_due_at")),
        When(resolved_at__isnull=True, then=F("resolve_due_at")),
        default=F("close_due_at"), output_field=DateTimeField())


def complaints_routed_to(user) -> QuerySet[Complaint]:
    """Open complaints routed to ``user``: assigned to them, or waiting unassigned in the queue of
    one of their roles. Soonest deadline first (the start pages and notifications count these)."""
    roles = list(user.groups.values_list("name", flat=True))
    return (complaint_list().filter(status__in=Complaint.OPEN_STATUSES)
            .filter(Q(assignee=user) | Q(owner_role__in=roles, assignee__isnull=True))
            .annotate(next_due=next_due_expression()).order_by("next_due", "pk"))


def complaints_informed_to(user) -> QuerySet[Complaint]:
    """Open complaints whose routing informs one of ``user``'s roles (e.g. a crisis: the supervisor)."""
    roles = list(user.groups.values_list("name", flat=True))
    return (complaint_list().filter(status__in=Complaint.OPEN_STATUSES, informed_role__in=roles)
            .annotate(next_due=next_due_expression()).order_by("next_due", "pk"))


def complaint_transitions_for(complaint: Complaint, user, *, pending_remedies: bool) -> list[str]:
    """The workflow moves ``user`` may make now: allowed from the status, the user holds the move's
    permission, and what the move needs is there (approval: remedies awaiting it; resolving:
    none awaiting). Merge-only moves are not buttons. complaint_transition checks all of it again."""
    moves = []
    for target in Complaint.TRANSITIONS.get(complaint.status, ()):
        if target in Complaint.MERGE_ONLY:
            continue
        if not user.has_perm(Complaint.TRANSITION_PERMISSIONS.get(target, "complaints.transition_complaint")):
            continue
        if (target == S.APPROVED and not pending_remedies) or (target == S.RESOLVED and pending_remedies):
            continue
        moves.append(target)
    return moves


def complaint_merged_timeline(complaint: Complaint) -> QuerySet[TimelineEntry]:
    """The complaint's timeline with those of the duplicates merged into it, in time order."""
    return (TimelineEntry.objects.filter(Q(complaint=complaint) | Q(complaint__duplicate_of=complaint))
            .select_related("actor", "complaint").order_by("at", "id"))


# --- start pages (issue 15): one aggregate per page, whatever the number of complaints --------
class PastShareOfWindow(Func):
    """True when ``share`` (0–1) of the window from ``start`` to ``due`` has passed at ``now``:
    start + (due − start) × share ≤ now. Timestamps are subtracted natively on PostgreSQL and as
    Julian days on SQLite."""

    output_field = BooleanField()

    def __init__(self, start: str, due: str, *, now: dt.datetime, share: float):
        super().__init__(F(start), F(due), Value(now, output_field=DateTimeField()),
                         Value(share, output_field=FloatField()))

    def _compiled(self, compiler, connection, wrap: str):
        parts = [compiler.compile(e) for e in self.get_source_expressions()]
        (start, start_p), (due, due_p), (now, now_p), (share, share_p) = parts
        w = (lambda s: f"{wrap}({s})") if wrap else (lambda s: s)
        sql = f"({w(start)} + ({w(due)} - {w(start)}) * {share}) <= {w(now)}"
        return sql, (*start_p, *due_p, *start_p, *share_p, *now_p)

    def as_sql(self, compiler, connection, **extra):
        return self._compiled(compiler, connection, "")

    def as_sqlite(self, compiler, connection, **extra):
        return self._compiled(compiler, connection, "julianday")


def deadline_near_q(now: dt.datetime, *, percent: int | None = None) -> Q:
    """Open complaints with a pending deadline past ``percent`` (COMPLAINT_DEADLINE_WARNING_PERCENT)
    of its window and not yet missed: the warning before a breach."""
    share = (settings.COMPLAINT_DEADLINE_WARNING_PERCENT if percent is None else percent) / 100
    running = [s for s in Complaint.UNRESOLVED_STATUSES if s != S.AWAITING_CUSTOMER]
    near = (
        Q(PastShareOfWindow("received_at", "acknowledge_due_at", now=now, share=share),
          status=S.RECEIVED, acknowledged_at__isnull=True)
        | Q(PastShareOfWindow("received_at", "resolve_due_at", now=now, share=share),
            status__in=running, resolved_at__isnull=True)
        | Q(PastShareOfWindow("received_at", "close_due_at", now=now, share=share),
            status__in=Complaint.OPEN_STATUSES, closed_at__isnull=True)
    )
    return near & ~overdue_q(now)


def inbox_counts(user, *, now: dt.datetime) -> dict:
    """The complaint counts of a user's start page, in one aggregate query: their open complaints
    (with the nearest deadline), their roles' unassigned queue, and, for those who approve remedies
    (supervisors and above), the overdue and near-deadline complaints of the whole company."""
    open_ = Q(status__in=Complaint.OPEN_STATUSES)
    mine = open_ & Q(assignee=user)
    figures = {
        "mine": Count("id", filter=mine),
        "mine_overdue": Count("id", filter=mine & overdue_q(now)),
        "mine_next_due": Min(next_due_expression(), filter=mine),
        "role_queue": Count("id", filter=open_ & Q(assignee__isnull=True,
                                                    owner_role__in=user.groups.values("name"))),
    }
    supervises = user.has_perm("complaints.approve_remedy")
    if supervises:
        figures["overdue"] = Count("id", filter=overdue_q(now))
        figures["near"] = Count("id", filter=open_ & deadline_near_q(now))
    counts = Complaint.objects.filter(open_).aggregate(**figures)
    counts["mine_next"] = None
    if counts["mine"]:
        counts["mine_next"] = (Complaint.objects.filter(mine).annotate(next_due=next_due_expression())
                               .order_by("next_due", "pk").values("pk", "number", "next_due").first())
    if supervises:
        mine_to_approve, above_me = remedies_waiting_split(user)
        counts["remedies_waiting"], counts["remedies_higher"] = len(mine_to_approve), len(above_me)
    return counts


# --- remedies awaiting approval, split by who may approve them ----------------------------------
def remedies_waiting_split(user) -> tuple[set[int], set[int]]:
    """The open complaints with a remedy awaiting approval, split into those ``user`` may approve now
    (every proposed remedy's value plus the complaint's approved and carried-out money remedies within
    the user's authority, as ``remedy_approve`` checks; a remedy with no money value always) and those
    above the user's authority (waiting for a higher role). Two queries, whatever the backlog."""
    from complaints.services import approval_limit_of, point_value_cny

    limit, point_value = approval_limit_of(user), point_value_cny()

    def value(row) -> Decimal:
        return rules.remedy_value(kind=row["kind"], amount=row["amount"], points=row["points"],
                                  point_value=point_value)

    waiting = list(Remedy.objects.filter(status=Remedy.Status.PROPOSED, complaint__status__in=Complaint.OPEN_STATUSES)
                   .values("complaint_id", "kind", "amount", "points"))
    complaint_ids = {row["complaint_id"] for row in waiting}
    committed: dict[int, list[Decimal]] = {}
    for row in (Remedy.objects.filter(complaint_id__in=complaint_ids, kind__in=Remedy.MONEY_LIKE,
                                      status__in=(Remedy.Status.APPROVED, Remedy.Status.CARRIED_OUT))
                .values("complaint_id", "kind", "amount", "points")) if complaint_ids else ():
        committed.setdefault(row["complaint_id"], []).append(value(row))
    mine, higher = set(), set()
    for row in waiting:
        within = row["kind"] not in Remedy.MONEY_LIKE or rules.complaint_total_within_authority(
            committed=committed.get(row["complaint_id"], []), new=value(row), limit=limit)[0]
        (mine if within else higher).add(row["complaint_id"])
    return mine, higher - mine
