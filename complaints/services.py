"""Every write of the complaints app: intake, the one status-changing function, grades,
assignment, remedies with approval authority, driver score, and the hourly deadline job.
Functions are keyword-only and atomic, and raise ComplaintError."""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, CharField, Count, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import routing, rules
from complaints.calendar import CalendarNotCovered, is_official_workday, is_weekday
from complaints.deadline_notices import deadline_warnings_send
from complaints.errors import ComplaintError, NotAllowed
from complaints.integrations import IntegrationError
from complaints.models import (
    Attachment,
    Category,
    Channel,
    Complaint,
    ComplaintCounter,
    DriverAction,
    DriverScoreDeduction,
    Grade,
    Remedy,
    Responsibility,
    TimelineEntry,
)
from complaints.models.complaint import validate_attachment
from core.dates import local_tz
from core.models import Notification
from core.notifications import notifications_are_muted as _is_muted
from core.notifications import notify
from core.services import job_lock, job_run_record

log = logging.getLogger(__name__)
S = Complaint.Status


# --- helpers ---------------------------------------------------------------------------------
def _grades() -> list[Grade]:
    return list(Grade.objects.order_by("rank"))


def _grade_by_code(grades: list[Grade], code: str | None) -> Grade | None:
    return next((g for g in grades if g.code == code), None)


def _rank_map(mapping: dict[str, str], grades: list[Grade]) -> dict[str, int]:
    ranks = {g.code: g.rank for g in grades}
    return {key: ranks[code] for key, code in mapping.items() if code in ranks}


def _roles_of(user) -> list[str]:
    if user is None:
        return []
    return list(user.groups.values_list("name", flat=True))


def _user_has(user, perm: str) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(perm))


def approval_limit_of(user) -> Decimal | None:
    """The largest remedy value ``user`` may approve (None: no limit)."""
    limits = {role: None if value is None else Decimal(str(value))
              for role, value in settings.COMPLAINT_APPROVAL_LIMITS.items()}
    return rules.approval_limit(roles=_roles_of(user), limits=limits, unlimited=bool(user and user.is_superuser))


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


def _timeline(complaint: Complaint, kind: str, *, actor=None, note: str = "", public: bool = False,
              from_status: str = "", to_status: str = "", at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(complaint=complaint, kind=kind, actor=actor, note=note, public=public,
                                        from_status=from_status, to_status=to_status, at=at or timezone.now())


def _complaint_link(complaint: Complaint) -> str:
    from django.urls import reverse

    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def _notify_role_after_commit(role: str, subject: str, body: str, *, complaint: Complaint | None = None,
                              kind: str = Notification.Kind.INFO) -> None:
    """Tell the active members of a role: an item under their bell now, an e-mail after commit."""
    notify(get_user_model().objects.filter(groups__name=role), kind=kind, text=subject,
           link=_complaint_link(complaint) if complaint is not None else "", email_subject=subject, email_body=body)


def _inform_customer_after_commit(complaint: Complaint, event: str, text: str) -> None:
    """Queue a progress message through the Care outbox after commit (once per complaint and event)."""
    if complaint.customer_id is None or _is_muted():
        return
    key = f"complaint:{complaint.number}:{event}"
    if complaint.reopen_count:
        key = f"{key}:{complaint.reopen_count}"
    customer = complaint.customer

    def send():
        from complaints.integrations import customer_message

        try:
            customer_message(customer=customer, key=key, text=text)
        except Exception:  # noqa: BLE001 - a message must never undo the complaint's progress
            log.exception("could not queue complaint message %s", key)

    transaction.on_commit(send)


def _next_number(received_at: dt.datetime) -> str:
    """``TS`` + YYMM + ``-`` + the month's running number. The month's counter row is locked until
    the intake commits, so concurrent intakes get consecutive numbers and a failed intake leaves no
    gap (its increment rolls back with it)."""
    local = timezone.localtime(received_at, local_tz())
    period = local.strftime("%y%m")
    ComplaintCounter.objects.get_or_create(period=period)
    counter = ComplaintCounter.objects.select_for_update().get(period=period)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"TS{period}-{counter.last_number:04d}"


# --- intake ----------------------------------------------------------------------------------
@transaction.atomic
def complaint_create(
    *,
    channel: str,
    category: Category,
    content: str,
    customer=None,
    complainant_name: str = "",
    complainant_mobile: str = "",
    order=None,
    driver=None,
    demand: str = "",
    occurred_at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    grade: Grade | None = None,
    actor=None,
    filed_by_platform=None,
) -> Complaint:
    """Take a complaint from any channel. Links the customer by mobile when one exists, takes the
    driver and platform from the order, sets the grade to the rule minimum (or the higher grade
    asked for), computes the deadlines, numbers it gap-free, records it in the timeline and tells
    the owner role after commit."""
    from customers.models import Customer

    content = (content or "").strip()
    if not content:
        raise ComplaintError(_("Describe the complaint."), field="content")
    if channel not in Channel.values:
        raise ComplaintError(_("Choose a channel."), field="channel")
    if not category.is_active:
        raise ComplaintError(_("This category is no longer used."), field="category")
    complainant_mobile = "".join(ch for ch in (complainant_mobile or "") if ch.isdigit() or ch == "-")
    if order is not None:
        if customer is not None and order.customer_id != customer.pk:
            raise ComplaintError(_("The order belongs to another customer."), field="order")
        customer = customer or order.customer
        driver = driver or order.driver
    if customer is None and complainant_mobile:
        customer = Customer.objects.filter(mobile=complainant_mobile).first()
    if customer is None and not complainant_mobile:
        raise ComplaintError(_("Give the complainant's phone number or choose the customer."),
                             field="complainant_mobile")
    if customer is None and not complainant_name.strip():
        raise ComplaintError(_("Give the complainant's name."), field="complainant_name")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise ComplaintError(_("The time received cannot be in the future."), field="received_at")
    if occurred_at and occurred_at > now + dt.timedelta(minutes=5):
        raise ComplaintError(_("The time it happened cannot be in the future."), field="occurred_at")

    grades = _grades()
    if not grades:
        raise ComplaintError(_("No complaint grades are defined."))
    repeat = False
    window_start = received_at - dt.timedelta(days=settings.COMPLAINT_REPEAT_WINDOW_DAYS)
    earlier = Complaint.objects.filter(received_at__gte=window_start, received_at__lte=received_at)
    if customer is not None:
        repeat = earlier.filter(customer=customer).exists()
    elif complainant_mobile:
        repeat = earlier.filter(complainant_mobile=complainant_mobile).exists()
    min_rank = rules.minimum_grade_rank(
        channel=channel,
        category_min_rank=category.min_grade.rank if category.min_grade_id else None,
        channel_min_ranks=_rank_map(settings.COMPLAINT_CHANNEL_MIN_GRADE, grades),
        customer_tier=_tier_of(customer),
        tier_min_ranks=_rank_map(settings.COMPLAINT_TIER_MIN_GRADE, grades),
        repeat_within_window=repeat,
        lowest_rank=grades[0].rank,
        highest_rank=grades[-1].rank,
    )
    minimum = next(g for g in grades if g.rank >= min_rank)
    if grade is None:
        grade = minimum
    try:
        rules.check_grade(requested_rank=grade.rank, minimum_rank=minimum.rank)
    except rules.RuleError:
        raise ComplaintError(
            _("The grade cannot be below %(grade)s, the minimum the rules require for this complaint.")
            % {"grade": minimum.name}, field="grade", code="grade_below_minimum") from None

    deadlines, warning = compute_deadlines(grade=grade, start=received_at)
    # The month's counter row is locked first: intakes serialise, so two at once see each other's
    # assignment and the least-loaded choice stays fair.
    number = _next_number(received_at)
    owner_role, informed_role = routing.route_for(category=category, grade=grade)
    assignee = _route_assignee(owner_role, actor=actor)
    complaint = Complaint(
        number=number, received_at=received_at, channel=channel, customer=customer,
        # What the complainant told us; a linked customer's own record stays the one source of their data.
        complainant_name=complainant_name.strip(), complainant_mobile=complainant_mobile,
        order=order, driver=driver, platform=order.platform if order else filed_by_platform,
        filed_by_platform=filed_by_platform, category=category, occurred_at=occurred_at, content=content,
        demand=demand.strip(), grade=grade, min_grade=minimum, owner_role=owner_role, informed_role=informed_role,
        assignee=assignee, received_by=actor, **deadlines,
    )
    try:
        complaint.full_clean(exclude=["number", "customer", "order", "driver", "platform", "filed_by_platform",
                                      "category", "grade", "min_grade", "assignee", "received_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ComplaintError(messages[0], field=field) from None
    complaint.save()
    reasons = []
    if repeat:
        reasons.append(_("second complaint within %(days)s days") % {"days": settings.COMPLAINT_REPEAT_WINDOW_DAYS})
    note = _("Received via %(channel)s; grade %(grade)s (rule minimum %(minimum)s%(reasons)s).") % {
        "channel": complaint.get_channel_display(), "grade": grade.name, "minimum": minimum.name,
        "reasons": f"; {', '.join(reasons)}" if reasons else "",
    }
    _timeline(complaint, TimelineEntry.Kind.CREATED, actor=actor, note=note, public=True, to_status=S.RECEIVED)
    if warning:
        _timeline(complaint, TimelineEntry.Kind.NOTE, note=warning)
    _timeline(complaint, TimelineEntry.Kind.ASSIGNMENT, actor=actor, note=_routing_note(complaint))
    subject = _("New complaint %(number)s (%(grade)s)") % {"number": complaint.number, "grade": grade.name}
    for role in filter(None, (owner_role, informed_role)):
        _notify_role_after_commit(role, subject, content[:500], complaint=complaint)
    return complaint


def _route_assignee(owner_role: str, *, actor):
    """Who gets a new complaint: the person taking it when they are in the owner role, else the
    least-loaded member of the role (None when it has nobody: it waits in the role's queue)."""
    if actor is not None and owner_role in _roles_of(actor) and _user_has(actor, "complaints.transition_complaint"):
        return actor
    return routing.least_loaded_member(owner_role)


def _routing_note(complaint: Complaint) -> str:
    note = _("Routed to %(role)s: %(person)s.") % {
        "role": complaint.get_owner_role_display(), "person": complaint.assignee or _("the role's queue")}
    if complaint.informed_role:
        note += " " + _("Informed: %(role)s.") % {"role": complaint.get_informed_role_display()}
    return note


def _tier_of(customer) -> str | None:
    from complaints.integrations import customer_tier_code

    return customer_tier_code(customer)


# --- the workflow ----------------------------------------------------------------------------
CUSTOMER_MESSAGES = {
    S.ACKNOWLEDGED: ("acknowledged", gettext_noop("We have received your complaint %(number)s and are looking "
                                                  "into it.")),
    S.RESOLVED: ("resolved", gettext_noop("Your complaint %(number)s has been resolved: %(measures)s")),
    S.CLOSED: ("closed", gettext_noop("Your complaint %(number)s is closed. Thank you for telling us.")),
    S.NOT_UPHELD: ("not_upheld", gettext_noop("We have looked into your complaint %(number)s: %(reason)s")),
}


def _lock(complaint: Complaint) -> Complaint:
    return (Complaint.objects.select_for_update(of=("self",))
            .select_related("grade", "min_grade", "category", "customer", "driver").get(pk=complaint.pk))


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    to_status: str,
    actor=None,
    note: str = "",
    system: bool = False,
    follow_up_answer: str | None = None,
    cause: str | None = None,
    responsibility: str | None = None,
    responsible_staff=None,
    resolution_measures: str | None = None,
    expected_completion_at: dt.datetime | None = None,
    customer_informed_by: str | None = None,
    duplicate_of: Complaint | None = None,
) -> Complaint:
    """The one function that changes a complaint's status. Locks the row, checks the move against
    ``Complaint.TRANSITIONS`` and the actor's rights, applies what the new status means (clock
    pause, approvals within authority, remedies carried out, driver score, reopen count), writes
    the status-change row and informs the customer and owners after commit. ``system=True`` is
    the scheduled job acting without a person."""
    complaint = _lock(complaint)
    current, target = complaint.status, to_status
    try:
        rules.check_transition(current=current, target=target, transitions=Complaint.TRANSITIONS)
    except rules.RuleError:
        allowed = ", ".join(str(S(t).label) for t in Complaint.TRANSITIONS.get(current, ())
                            if t not in Complaint.MERGE_ONLY) or _("none")
        raise ComplaintError(
            _("A complaint cannot go from “%(current)s” to “%(target)s”. Allowed from here: %(allowed)s.")
            % {"current": S(current).label, "target": S(target).label if target in S.values else target,
               "allowed": allowed},
            field="status", code="illegal_transition") from None
    if not system:
        perm = Complaint.TRANSITION_PERMISSIONS.get(target, "complaints.transition_complaint")
        if not _user_has(actor, perm):
            raise NotAllowed(_("You are not allowed to move a complaint to “%(target)s”.")
                             % {"target": S(target).label})
    note = (note or "").strip()
    if target in Complaint.NOTE_REQUIRED and not note:
        raise ComplaintError(_("Give a reason for “%(target)s”.") % {"target": S(target).label}, field="note")

    now = timezone.now()
    for name, value in (("cause", cause), ("responsibility", responsibility),
                        ("resolution_measures", resolution_measures), ("customer_informed_by", customer_informed_by),
                        ("expected_completion_at", expected_completion_at), ("responsible_staff", responsible_staff)):
        if value is not None:
            setattr(complaint, name, value.strip() if isinstance(value, str) else value)
    if complaint.responsibility and complaint.responsibility not in Responsibility.values:
        raise ComplaintError(_("Choose who was responsible."), field="responsibility")

    # Leaving "awaiting customer": the paused time is kept and the resolve/close clocks move by it.
    if current == S.AWAITING_CUSTOMER and complaint.paused_since:
        paused = now - complaint.paused_since
        complaint.paused_seconds += int(paused.total_seconds())
        complaint.resolve_due_at += paused
        complaint.close_due_at += paused
        complaint.paused_since = None

    if target == S.ACKNOWLEDGED:
        complaint.acknowledged_at = now
    elif target == S.AWAITING_CUSTOMER:
        complaint.paused_since = now
    elif target == S.RESOLUTION_PROPOSED:
        missing = [f for f in ("cause", "responsibility", "resolution_measures") if not getattr(complaint, f)]
        if missing:
            raise ComplaintError(_("Record the cause, who was responsible and the measures before proposing a "
                                   "resolution."), field=missing[0])
        complaint.proposed_by = actor
    elif target == S.APPROVED:
        _approve_pending_remedies(complaint, actor=actor, system=system)
    elif target == S.RESOLVED:
        pending = complaint.remedies.filter(status=Remedy.Status.PROPOSED)
        if pending.exists():
            raise ComplaintError(
                _("%(count)s remedies await approval (the complaint's remedies total ¥%(amount)s): a role with that "
                  "authority must approve them first.")
                % {"count": pending.count(), "amount": complaint_remedies_total(complaint)},
                field="status", code="approval_required")
        if not complaint.resolution_measures:
            raise ComplaintError(_("Record the measures before resolving."), field="resolution_measures")
        complaint.resolved_at = now
        _carry_out_remedies(complaint, actor=actor)
        _driver_score_deduct(complaint, actor=actor)
        _schedule_follow_up_callback(complaint, actor=actor)
    elif target == S.FOLLOW_UP:
        pass
    elif target == S.CLOSED:
        complaint.closed_at = now
        # Staff close when the customer says they are satisfied; the deadline job closes when the
        # customer never answered the follow-up: that is no answer, not satisfaction.
        answers = Complaint.FollowUpAnswer
        complaint.follow_up_answer = follow_up_answer or (answers.NO_ANSWER if system else answers.SATISFIED)
    elif target == S.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == complaint.pk:
            raise ComplaintError(_("A duplicate is closed by merging it into the complaint that stays."),
                                 field="status", code="merge_required")
        complaint.duplicate_of, complaint.closed_at = duplicate_of, now
    elif target == S.NOT_UPHELD:
        complaint.not_upheld_reason = note
        complaint.closed_at = now
        complaint.remedies.filter(status=Remedy.Status.PROPOSED).update(status=Remedy.Status.REJECTED)
    if current == S.FOLLOW_UP and target == S.INVESTIGATING:
        complaint.reopen_count += 1
        complaint.follow_up_answer = Complaint.FollowUpAnswer.DISSATISFIED
        complaint.resolved_at = None
    complaint.status = target
    complaint.save()
    _timeline(complaint, TimelineEntry.Kind.STATUS, actor=actor, note=note, public=True,
              from_status=current, to_status=target, at=now)

    if target in CUSTOMER_MESSAGES:
        event, text = CUSTOMER_MESSAGES[target]
        _inform_customer_after_commit(complaint, event, _(text) % {
            "number": complaint.number, "measures": complaint.resolution_measures, "reason": note})
    if target == S.APPROVED or (current == S.FOLLOW_UP and target == S.INVESTIGATING):
        _notify_role_after_commit(
            complaint.owner_role, _("Complaint %(number)s: %(status)s") % {"number": complaint.number,
                                                                           "status": S(target).label}, note,
            complaint=complaint)
    return complaint


# --- grade and assignment --------------------------------------------------------------------
@transaction.atomic
def complaint_set_grade(*, complaint: Complaint, grade: Grade, actor, note: str = "") -> Complaint:
    """Change the grade (staff raise it; nobody sets it below the rule minimum). The owner role
    follows the grade and the deadlines are recomputed from receipt (a crisis has shorter ones)."""
    complaint = _lock(complaint)
    if not _user_has(actor, "complaints.raise_grade"):
        raise NotAllowed(_("You are not allowed to change a complaint's grade."))
    if not complaint.is_open:
        raise ComplaintError(_("A closed complaint keeps its grade."), field="grade")
    try:
        rules.check_grade(requested_rank=grade.rank, minimum_rank=complaint.min_grade.rank)
    except rules.RuleError:
        raise ComplaintError(
            _("The grade cannot be below %(grade)s, the minimum the rules require for this complaint.")
            % {"grade": complaint.min_grade.name}, field="grade", code="grade_below_minimum") from None
    if grade.pk == complaint.grade_id:
        return complaint
    old = complaint.grade
    deadlines, warning = compute_deadlines(grade=grade, start=complaint.received_at)
    paused = dt.timedelta(seconds=complaint.paused_seconds)
    complaint.grade = grade
    complaint.owner_role, complaint.informed_role = routing.route_for(category=complaint.category, grade=grade)
    complaint.acknowledge_due_at = deadlines["acknowledge_due_at"]
    complaint.resolve_due_at = deadlines["resolve_due_at"] + paused
    complaint.close_due_at = deadlines["close_due_at"] + paused
    complaint.save()
    _timeline(complaint, TimelineEntry.Kind.GRADE, actor=actor,
              note=_("%(old)s → %(new)s. %(note)s") % {"old": old.name, "new": grade.name, "note": note}
              + (f" {warning}" if warning else ""))
    for role in filter(None, (complaint.owner_role, complaint.informed_role)):
        _notify_role_after_commit(role, _("Complaint %(number)s is now %(grade)s") % {
            "number": complaint.number, "grade": grade.name}, note, complaint=complaint)
    return complaint


def complaint_assign_check(*, actor, assignee) -> None:
    """Who may assign, and to whom: the actor may change complaints, the assignee may handle them.
    Raises ``NotAllowed`` / ``ComplaintError`` (field ``assignee``); forms call it to show the error."""
    if not _user_has(actor, "complaints.change_complaint"):
        raise NotAllowed(_("You are not allowed to assign complaints."), field="assignee")
    if assignee is not None and not _user_has(assignee, "complaints.transition_complaint"):
        raise ComplaintError(_("This person cannot handle complaints."), field="assignee")


@transaction.atomic
def complaint_assign(*, complaint: Complaint, assignee, actor, note: str = "") -> Complaint:
    """The one writer of a complaint's assignee (take / hand back in complaints.casework, the details
    form): checks ``complaint_assign_check`` and records the assignment in the timeline."""
    complaint = _lock(complaint)
    complaint_assign_check(actor=actor, assignee=assignee)
    complaint.assignee = assignee
    complaint.save(update_fields=["assignee", "updated_at"])
    _timeline(complaint, TimelineEntry.Kind.ASSIGNMENT, actor=actor,
              note=note or (str(assignee) if assignee else _("Unassigned")))
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        notify(assignee, kind=Notification.Kind.ASSIGNED, link=_complaint_link(complaint),
               text=_("Complaint %(number)s was assigned to you") % {"number": complaint.number})
    return complaint


DETAIL_FIELDS = ("demand", "cause_category", "cause", "responsibility", "responsible_staff", "resolution_measures",
                 "expected_completion_at", "customer_informed_by")


@transaction.atomic
def complaint_update_details(*, complaint: Complaint, actor, changes: dict) -> Complaint:
    """Staff edits of the details form. A new assignee goes through ``complaint_assign`` (its checks,
    its timeline entry); the other fields (``DETAIL_FIELDS`` only) are saved with a note naming them."""
    changes = dict(changes)
    if unknown := set(changes) - {"assignee", *DETAIL_FIELDS}:
        raise ComplaintError(_("These fields change only through the workflow: %(fields)s.")
                             % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if not _user_has(actor, "complaints.change_complaint"):
        raise NotAllowed(_("You are not allowed to change complaints."))
    complaint = _lock(complaint)  # the stored row: the caller's instance may already carry the edits
    if "assignee" in changes:
        assignee = changes.pop("assignee")
        if getattr(assignee, "pk", None) != complaint.assignee_id:
            complaint = complaint_assign(complaint=complaint, assignee=assignee, actor=actor)
    if not changes:
        return complaint
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=[*changes, "updated_at"])
    complaint_add_note(complaint=complaint, actor=actor, note=_("Details updated: %(fields)s") % {
        "fields": ", ".join(str(Complaint._meta.get_field(name).verbose_name) for name in changes)})
    return complaint


def complaint_add_note(*, complaint: Complaint, actor, note: str, public: bool = False) -> TimelineEntry:
    note = (note or "").strip()
    if not note:
        raise ComplaintError(_("Write the note."), field="note")
    return _timeline(complaint, TimelineEntry.Kind.NOTE if not public else TimelineEntry.Kind.MESSAGE,
                     actor=actor, note=note, public=public)


@transaction.atomic
def attachment_add(*, complaint: Complaint, file, actor=None, description: str = "") -> Attachment:
    """Attach a photo, recording or document: size and type (by content) checked, stored under a random
    name; the name it was uploaded with is kept for display and as the download's file name."""
    from complaints.filetypes import read_head, sniff

    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise ComplaintError(exc.messages[0], field="file", code="attachment_rejected") from None
    original = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    attachment = Attachment.objects.create(complaint=complaint, file=file, description=description,
                                           size=file.size, uploaded_by=actor, original_name=original,
                                           content_type=sniff(read_head(file)).mime)
    _timeline(complaint, TimelineEntry.Kind.ATTACHMENT, actor=actor, note=original)
    return attachment


# --- remedies --------------------------------------------------------------------------------
# Remedies that count against the approval authority: everything not rejected.
COMMITTED_REMEDY_STATUSES = (Remedy.Status.PROPOSED, Remedy.Status.APPROVED, Remedy.Status.CARRIED_OUT)


def point_value_cny() -> Decimal:
    """What one point is worth for the authority check: COMPLAINT_POINT_VALUE_CNY when set, else what
    a point buys at redemption (¥1 / LOYALTY_REDEMPTION_POINTS_PER_YUAN), so the two cannot drift."""
    if settings.COMPLAINT_POINT_VALUE_CNY:
        return Decimal(str(settings.COMPLAINT_POINT_VALUE_CNY))
    return Decimal(1) / Decimal(settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN)


def _remedy_value(remedy: Remedy) -> Decimal:
    return rules.remedy_value(kind=remedy.kind, amount=remedy.amount, points=remedy.points,
                              point_value=point_value_cny())


def _committed_remedy_values(complaint: Complaint) -> list[Decimal]:
    remedies = complaint.remedies.filter(kind__in=Remedy.MONEY_LIKE, status__in=COMMITTED_REMEDY_STATUSES)
    return [_remedy_value(r) for r in remedies.only("kind", "amount", "points")]


def complaint_remedies_total(complaint: Complaint) -> Decimal:
    """The money value of the complaint's remedies approved, carried out or awaiting approval."""
    return sum(_committed_remedy_values(complaint), Decimal("0"))


@transaction.atomic
def remedy_propose(
    *,
    complaint: Complaint,
    kind: str,
    actor,
    amount: Decimal | None = None,
    points: int = 0,
    overcharged_amount: Decimal | None = None,
    action: str = "",
    target_user=None,
    note: str = "",
) -> Remedy:
    """Propose a remedy while investigating or proposing a resolution. A remedy within the
    proposer's authority (or with no money value) is approved at once; a larger one waits for a
    role whose limit covers it (the complaint's move to "approved")."""
    complaint = _lock(complaint)
    if not _user_has(actor, "complaints.transition_complaint"):
        raise NotAllowed(_("You are not allowed to propose remedies."))
    if complaint.status not in (S.INVESTIGATING, S.AWAITING_CUSTOMER, S.RESOLUTION_PROPOSED):
        raise ComplaintError(_("Remedies are proposed while investigating or proposing a resolution."),
                             field="kind")
    if kind not in Remedy.Kind.values:
        raise ComplaintError(_("Choose a remedy."), field="kind")
    amount = Decimal(amount or 0)
    if amount < 0:
        raise ComplaintError(_("An amount cannot be negative."), field="amount")
    if kind == Remedy.Kind.COMPENSATION and overcharged_amount is not None and not amount:
        try:
            amount = rules.overcharge_refund(Decimal(overcharged_amount),
                                             Decimal(settings.COMPLAINT_OVERCHARGE_REFUND_MULTIPLIER))
        except rules.RuleError as exc:
            raise ComplaintError(str(exc), field="overcharged_amount") from None
    if kind in (Remedy.Kind.COMPENSATION, Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON) and amount <= 0:
        raise ComplaintError(_("Give the amount."), field="amount")
    if kind == Remedy.Kind.POINTS and points <= 0:
        raise ComplaintError(_("Give the number of points."), field="points")
    if kind in (Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON, Remedy.Kind.POINTS) \
            and complaint.customer_id is None:
        raise ComplaintError(_("Coupons and points need the complainant to be a customer: link the customer first."),
                             field="kind")
    if kind in (Remedy.Kind.DRIVER_ACTION, Remedy.Kind.AGENT_ACTION):
        if action not in Remedy.Action.values:
            raise ComplaintError(_("Choose the action."), field="action")
        if kind == Remedy.Kind.DRIVER_ACTION and complaint.driver_id is None:
            raise ComplaintError(_("No driver is linked to this complaint."), field="kind")
        if kind == Remedy.Kind.AGENT_ACTION and target_user is None:
            raise ComplaintError(_("Choose the agent concerned."), field="target_user")
    remedy = Remedy(complaint=complaint, kind=kind, amount=amount, points=points if kind == Remedy.Kind.POINTS else 0,
                    overcharged_amount=overcharged_amount, action=action, target_user=target_user, note=note.strip(),
                    proposed_by=actor)
    state = _approve_within_authority(remedy, complaint=complaint, actor=actor)
    remedy.save()
    _timeline(complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=f"{remedy.get_kind_display()} ¥{_remedy_value(remedy)} — {state}. {remedy.note}".strip())
    if remedy.status == Remedy.Status.PROPOSED:
        notify(_approvers_for(complaint_remedies_total(complaint)).exclude(pk=actor.pk),
               kind=Notification.Kind.APPROVAL, link=_complaint_link(complaint),
               text=_("A remedy of ¥%(amount)s on complaint %(number)s waits for approval")
               % {"amount": _remedy_value(remedy), "number": complaint.number})
    return remedy


def _approvers_for(total: Decimal):
    """The members of the role(s) with the lowest approval limit that covers ``total`` (no limit
    counts as the highest), among those allowed to approve remedies."""
    limits = {role: None if value is None else Decimal(str(value))
              for role, value in settings.COMPLAINT_APPROVAL_LIMITS.items()}
    enough = [(limit is None, limit or 0, role) for role, limit in limits.items() if limit is None or limit >= total]
    lowest = min(enough, default=None)
    roles = [role for unlimited, limit, role in enough if lowest and (unlimited, limit) == lowest[:2]]
    User = get_user_model()
    allowed = User.objects.with_perm("complaints.approve_remedy", include_superusers=False,
                                     backend="django.contrib.auth.backends.ModelBackend")
    return User.objects.filter(pk__in=allowed.values("pk"), groups__name__in=roles).distinct()


def _approve_within_authority(remedy: Remedy, *, complaint: Complaint, actor) -> str:
    """Approve a new remedy at once when it has no money value, or when the complaint's committed
    remedies plus this one stay within the proposer's authority; otherwise it awaits approval
    (as one large remedy would: splitting it changes nothing). Returns the timeline's wording."""
    if remedy.kind in Remedy.MONEY_LIKE:
        limit = approval_limit_of(actor)
        within, total = rules.complaint_total_within_authority(
            committed=_committed_remedy_values(complaint), new=_remedy_value(remedy), limit=limit)
        if not within:
            return _("awaiting approval: the complaint's remedies total ¥%(total)s, above the proposer's limit "
                     "of ¥%(limit)s") % {"total": total, "limit": limit}
    remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, timezone.now()
    return _("approved within the proposer's authority")


def _approve_pending_remedies(complaint: Complaint, *, actor, system: bool) -> None:
    pending = list(complaint.remedies.select_for_update().filter(status=Remedy.Status.PROPOSED))
    if not pending:
        raise ComplaintError(_("No remedy awaits approval: resolve the complaint directly."), field="status")
    limit = None if system else approval_limit_of(actor)
    # The approver answers for the whole complaint: remedies approved earlier count too.
    within, total = rules.complaint_total_within_authority(
        committed=_committed_remedy_values(complaint), new=Decimal("0"), limit=limit)
    if not within:
        raise NotAllowed(
            _("Your approval limit is ¥%(limit)s; this complaint's remedies total ¥%(total)s (approved and "
              "awaiting approval together) and need a role with a higher authority.")
            % {"limit": limit, "total": total},
            field="status", code="over_authority")
    now = timezone.now()
    for remedy in pending:
        remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, now
        remedy.save(update_fields=["status", "approved_by", "approved_at"])


@transaction.atomic
def remedy_reject(*, remedy: Remedy, actor, note: str = "") -> Remedy:
    remedy = Remedy.objects.select_for_update().select_related("complaint").get(pk=remedy.pk)
    if not _user_has(actor, "complaints.approve_remedy"):
        raise NotAllowed(_("You are not allowed to decide on remedies."))
    if remedy.status != Remedy.Status.PROPOSED:
        raise ComplaintError(_("Only a remedy awaiting approval can be rejected."))
    remedy.status = Remedy.Status.REJECTED
    remedy.save(update_fields=["status"])
    _timeline(remedy.complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=_("%(remedy)s rejected. %(note)s") % {"remedy": remedy.get_kind_display(), "note": note})
    return remedy


@transaction.atomic
def remedy_approve(*, remedy: Remedy, actor, note: str = "") -> Remedy:
    """Approve one remedy awaiting approval. The approver answers for the complaint: the money value
    of its remedies already approved or carried out plus this one must be within the approver's
    authority (five small remedies pass no more easily than one large one). The complaint's status
    is unchanged; with nothing left awaiting approval it can be resolved."""
    complaint = _lock(remedy.complaint)  # the complaint first, then its remedy: the transition's lock order
    remedy = Remedy.objects.select_for_update().get(pk=remedy.pk, complaint=complaint)
    if not _user_has(actor, "complaints.approve_remedy"):
        raise NotAllowed(_("You are not allowed to decide on remedies."))
    if remedy.status != Remedy.Status.PROPOSED or not complaint.is_open:
        raise ComplaintError(_("Only a remedy awaiting approval can be approved."))
    if remedy.kind in Remedy.MONEY_LIKE:
        approved = complaint.remedies.filter(kind__in=Remedy.MONEY_LIKE, status__in=(
            Remedy.Status.APPROVED, Remedy.Status.CARRIED_OUT)).only("kind", "amount", "points")
        limit = approval_limit_of(actor)
        within, total = rules.complaint_total_within_authority(
            committed=[_remedy_value(r) for r in approved], new=_remedy_value(remedy), limit=limit)
        if not within:
            raise NotAllowed(
                _("Your approval limit is ¥%(limit)s; with this one the complaint's approved remedies total "
                  "¥%(total)s and need a role with a higher authority.") % {"limit": limit, "total": total},
                code="over_authority")
    remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, timezone.now()
    remedy.save(update_fields=["status", "approved_by", "approved_at"])
    _timeline(complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=_("%(remedy)s ¥%(value)s approved. %(note)s") % {
                  "remedy": remedy.get_kind_display(), "value": _remedy_value(remedy), "note": note})
    return remedy


def _carry_out_remedies(complaint: Complaint, *, actor) -> None:
    """Carry out the approved remedies: coupons and points through Loyalty (idempotent by key),
    actions on the driver recorded on the driver, compensation recorded for payment."""
    from complaints import integrations

    year = timezone.localtime(timezone.now(), local_tz()).year
    for remedy in complaint.remedies.select_for_update().filter(status=Remedy.Status.APPROVED):
        key = f"complaint:{complaint.number}:remedy:{remedy.pk}"
        try:
            if remedy.kind in (Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON):
                remedy.loyalty_reference = integrations.coupon_issue(
                    customer=complaint.customer, amount=remedy.amount, key=key, actor=actor, note=complaint.number,
                    kind="free_ride" if remedy.kind == Remedy.Kind.FREE_RIDE_COUPON else "fixed")
            elif remedy.kind == Remedy.Kind.POINTS:
                remedy.loyalty_reference = integrations.points_grant(
                    customer=complaint.customer, points=remedy.points, key=key, actor=actor, note=complaint.number)
        except IntegrationError as exc:
            raise ComplaintError(exc.message, field="kind", code="remedy_failed") from None
        if remedy.kind == Remedy.Kind.DRIVER_ACTION and complaint.driver_id:
            DriverAction.objects.create(driver_id=complaint.driver_id, complaint=complaint, kind=remedy.action,
                                        year=year, note=remedy.note, created_by=actor)
        remedy.status, remedy.carried_out_at = Remedy.Status.CARRIED_OUT, timezone.now()
        remedy.save(update_fields=["status", "carried_out_at", "loyalty_reference"])


def _driver_score_deduct(complaint: Complaint, *, actor) -> None:
    """An upheld complaint for which the driver was responsible takes the category's points from the
    driver's yearly score (once per complaint); at 0 the driver is flagged for suspension (once a
    year)."""
    deduction = complaint.category.driver_score_deduction
    if complaint.responsibility != Responsibility.DRIVER or not complaint.driver_id or not deduction:
        return
    year = timezone.localtime(timezone.now(), local_tz()).year
    _row, created = DriverScoreDeduction.objects.get_or_create(
        complaint=complaint, defaults={"driver_id": complaint.driver_id, "year": year, "points": deduction})
    if not created:
        return
    from complaints.selectors import driver_service_score

    left, flagged = driver_service_score(driver_id=complaint.driver_id, year=year)
    note = _("Driver service score −%(points)s, %(left)s left in %(year)s.") % {
        "points": deduction, "left": left, "year": year}
    if flagged:
        _flag, flag_created = DriverAction.objects.get_or_create(
            driver_id=complaint.driver_id, year=year, kind=DriverAction.Kind.SUSPENSION_FLAG,
            defaults={"complaint": complaint, "note": note, "created_by": actor})
        if flag_created:
            note += " " + _("The driver is flagged for suspension.")
            _notify_role_after_commit(complaint.owner_role, _("Driver flagged for suspension"),
                                      f"{complaint.driver} — {complaint.number}")
    _timeline(complaint, TimelineEntry.Kind.NOTE, actor=actor, note=note)


def _schedule_follow_up_callback(complaint: Complaint, *, actor) -> None:
    """After a resolution the customer is called back (once per complaint and reopening)."""
    if complaint.customer_id is None:
        return
    from complaints.integrations import callback_schedule

    ref = complaint.number + (f":{complaint.reopen_count}" if complaint.reopen_count else "")
    due = timezone.localdate() + dt.timedelta(days=settings.COMPLAINT_CALLBACK_AFTER_DAYS)
    try:
        callback_schedule(customer=complaint.customer, agent=complaint.assignee or actor, due_on=due, ref=ref,
                          order=complaint.order,
                          notes=_("Ask whether the customer is satisfied with the resolution of %(number)s.")
                          % {"number": complaint.number})
    except IntegrationError as exc:
        _timeline(complaint, TimelineEntry.Kind.NOTE, note=_("No callback scheduled: %(why)s") % {"why": exc.message})


# --- the hourly deadline job -----------------------------------------------------------------
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


__all__ = [
    "ComplaintError", "NotAllowed", "approval_limit_of", "attachment_add", "complaint_add_note",
    "complaint_remedies_total", "complaint_assign", "complaint_create", "complaint_set_grade",
    "complaint_transition", "compute_deadlines", "deadlines_process", "remedy_approve", "remedy_propose",
    "remedy_reject",
]
