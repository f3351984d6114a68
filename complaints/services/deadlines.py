"""Deadlines: computed from a grade (working days and the official holiday calendar), and the hourly
job that flags, escalates and auto-closes what passed them."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, CharField, Count, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import routing, rules
from complaints.calendar import CalendarNotCovered, is_official_workday, is_weekday
from complaints.deadline_notices import deadline_warnings_send
from complaints.errors import ComplaintError
from complaints.models import Complaint, Grade, TimelineEntry
from complaints.services.common import _grades
from complaints.services.transitions import complaint_transition
from core.dates import local_tz
from core.models import Notification
from core.notifications import notifications_are_muted as _is_muted
from core.notifications import notify
from core.services import job_lock, job_run_record

log = logging.getLogger(__name__)
S = Complaint.Status


def compute_deadlines(*, grade: Grade, start: dt.datetime) -> tuple[dict[str, dt.datetime], str]:
    """The acknowledge/resolve/close deadlines of ``grade`` from ``start``, and a warning when the
    official holiday calendar does not cover a year (then Monday-Friday is counted instead)."""
    start = timezone.localtime(start, local_tz())
    uncovered: set[int] = set()

    def workday(day: dt.date) -> bool:
        try:
            return is_official_workday(day)
        except CalendarNotCovered:
            uncovered.add(day.year)
            return is_weekday(day)

    is_workday = workday if grade.working_days else None
    deadlines = {
        "acknowledge_due_at": rules.due_at(start, grade.acknowledge_hours, is_workday=is_workday),
        "resolve_due_at": rules.due_at(start, grade.resolve_hours, is_workday=is_workday),
        "close_due_at": rules.due_at(start, grade.close_hours, is_workday=is_workday),
    }
    warning = ""
    if uncovered:
        problem = CalendarNotCovered(min(uncovered))
        warning = _("%(problem)s Deadlines counted Monday to Friday without holidays.") % {"problem": problem}
        log.warning("complaint deadlines: %s", problem)
    return deadlines, warning


def _timeline_for_batch(*, ids: list[int], marker: str, now, kind_and_note: dict[int, tuple[str, str]]) -> None:
    """One INSERT … SELECT writing a timeline entry per complaint of the batch still due (``marker``
    unset), with the kind and note of its current grade: no model instances per row."""
    table, complaints = TimelineEntry._meta.db_table, Complaint._meta.db_table
    kind_case = " ".join("WHEN %s THEN %s" for _g in kind_and_note)
    note_case = " ".join("WHEN %s THEN %s" for _g in kind_and_note)
    kind_params = [v for g, (kind, _note) in kind_and_note.items() for v in (g, kind)]
    note_params = [v for g, (_kind, note) in kind_and_note.items() for v in (g, note)]
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"INSERT INTO {table} (complaint_id, at, kind, from_status, to_status, actor_id, note, public) "  # noqa: S608
        f"SELECT c.id, %s, CASE c.grade_id {kind_case} END, '', '', NULL, CASE c.grade_id {note_case} END, %s "
        f"FROM {complaints} c WHERE c.id IN ({placeholders}) AND c.{marker} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *kind_params, *note_params, False, *ids])


def deadlines_process(*, now: dt.datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """The hourly job. For each deadline passed and not yet handled: acknowledge overdue → flagged
    and the owner role told; resolve overdue (the clock is paused while awaiting the customer) →
    one grade up, the new owner role told; close overdue → flagged. Each is done once per
    deadline (the ``*_at`` marker is set in the same UPDATE that selects by it), in batches of
    ``batch_size``, each batch its own transaction. Follow-ups the customer never answered are
    closed through complaint_transition. Idempotent: a second run finds nothing to do."""
    now = now or timezone.now()
    batch_size = batch_size or settings.COMPLAINT_DEADLINE_BATCH
    grades = _grades()
    counts = {"acknowledge_overdue": 0, "escalated": 0, "close_overdue": 0, "auto_closed": 0}
    notices: dict[str, int] = {}

    stages = [
        ("acknowledge_overdue", Complaint.objects.filter(
            status=S.RECEIVED, acknowledged_at__isnull=True, acknowledge_overdue_at__isnull=True,
            acknowledge_due_at__lt=now), "acknowledge_overdue_at", "acknowledge_due_at"),
        ("escalated", Complaint.objects.filter(
            status__in=[s for s in Complaint.UNRESOLVED_STATUSES if s != S.AWAITING_CUSTOMER],
            resolved_at__isnull=True, resolve_escalated_at__isnull=True, resolve_due_at__lt=now),
         "resolve_escalated_at", "resolve_due_at"),
        ("close_overdue", Complaint.objects.filter(
            status__in=Complaint.OPEN_STATUSES, closed_at__isnull=True, close_overdue_at__isnull=True,
            close_due_at__lt=now), "close_overdue_at", "close_due_at"),
    ]
    next_grade = {}
    for grade in grades:
        higher = rules.next_grade_rank(grade.rank, [g.rank for g in grades])
        next_grade[grade.pk] = next((g for g in grades if g.rank == higher), None) if higher else None

    for stage, due, marker, due_field in stages:
        if stage == "escalated":
            kind_and_note = {g.pk: (TimelineEntry.Kind.ESCALATION if next_grade[g.pk] else TimelineEntry.Kind.OVERDUE,
                                    _stage_note(stage, next_grade[g.pk])) for g in grades}
        else:
            kind_and_note = {g.pk: (TimelineEntry.Kind.OVERDUE, _stage_note(stage, None)) for g in grades}
        update = {marker: now}
        whens_grade = [When(grade_id=g, then=n.pk) for g, n in next_grade.items() if n]
        if stage == "escalated" and whens_grade:
            update["grade_id"] = Case(*whens_grade, default=F("grade_id"), output_field=BigIntegerField())
            update.update(_escalation_role_updates(next_grade))
        while True:
            with transaction.atomic():
                job_lock("complaints.process_deadlines")  # one run at a time: no row is handled twice
                # Oldest deadline first; the partial index on (status, deadline) holds only rows not yet handled.
                ids = list(due.order_by(due_field, "pk").values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                _timeline_for_batch(ids=ids, marker=marker, now=now, kind_and_note=kind_and_note)
                counts[stage] += Complaint.objects.filter(pk__in=ids, **{f"{marker}__isnull": True}).update(**update)
        for role, count in (Complaint.objects.filter(**{marker: now}).order_by().values_list("owner_role")
                            .annotate(n=Count("id"))):
            notices[role] = notices.get(role, 0) + count

    cutoff = now - dt.timedelta(days=settings.COMPLAINT_FOLLOW_UP_AUTO_CLOSE_DAYS)
    stale = Complaint.objects.filter(status=S.FOLLOW_UP, resolved_at__lt=cutoff).order_by("pk")[:batch_size]
    for complaint in stale:
        try:
            complaint_transition(complaint=complaint, to_status=S.CLOSED, system=True,
                                 note=_("Closed automatically: no answer to the follow-up within %(days)s days.")
                                 % {"days": settings.COMPLAINT_FOLLOW_UP_AUTO_CLOSE_DAYS})
            counts["auto_closed"] += 1
        except ComplaintError:
            log.exception("could not auto-close complaint %s", complaint.pk)

    deadline_warnings_send(now=now, batch_size=batch_size)
    for role, count in ({} if _is_muted() else notices).items():
        _notify_role(role, _("%(count)s complaints passed a deadline") % {"count": count},
                     _("See the supervisor queue of overdue complaints."))
    job_run_record(name="complaints.process_deadlines", result=" ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _escalation_role_updates(next_grade: dict[int, Grade | None]) -> dict:
    """The owner and informed role of the grade above, routed by (grade, category), as CASEs for the
    deadline job's one UPDATE."""
    routes = routing.escalation_routes(next_grade)
    return {
        field: Case(*[When(grade_id=g, category_id=c, then=Value(pair[index])) for (g, c), pair in routes.items()],
                    default=F(field), output_field=CharField())
        for index, field in enumerate(("owner_role", "informed_role"))
    }


def _stage_note(stage: str, new_grade: Grade | None) -> str:
    if stage == "acknowledge_overdue":
        return _("Not acknowledged in time.")
    if stage == "close_overdue":
        return _("Not closed in time.")
    if new_grade is not None:
        return _("Not resolved in time: escalated to %(grade)s (%(role)s).") % {
            "grade": new_grade.name, "role": new_grade.owner_role}
    return _("Not resolved in time (already at the highest grade).")


def _notify_role(role: str, subject: str, body: str) -> None:
    User = get_user_model()
    from django.urls import reverse

    notify(User.objects.filter(groups__name=role), kind=Notification.Kind.DEADLINE, text=subject,
           link=reverse("admin:complaints_complaint_changelist") + "?overdue=yes")
    recipients = list(User.objects.filter(groups__name=role, is_active=True).exclude(email="")
                      .values_list("email", flat=True))
    if recipients:
        send_mail(subject, body, None, recipients, fail_silently=True)
