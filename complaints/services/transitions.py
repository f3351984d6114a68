"""The one function that changes a complaint's status, and what resolving does beside the remedies
(the driver's service score, the follow-up callback)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.adapters import IntegrationError, callback_schedule
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, DriverAction, DriverScoreDeduction, Remedy, Responsibility, TimelineEntry
from complaints.services.common import (
    _inform_customer_after_commit,
    _lock,
    _notify_role_after_commit,
    _timeline,
    _user_has,
)
from complaints.services.remedies import _approve_pending_remedies, _carry_out_remedies, complaint_remedies_total
from core.dates import local_tz

S = Complaint.Status


CUSTOMER_MESSAGES = {
    S.ACKNOWLEDGED: ("acknowledged", gettext_noop("We have received your complaint %(number)s and are looking "
                                                  "into it.")),
    S.RESOLVED: ("resolved", gettext_noop("Your complaint %(number)s has been resolved: %(measures)s")),
    S.CLOSED: ("closed", gettext_noop("Your complaint %(number)s is closed. Thank you for telling us.")),
    S.NOT_UPHELD: ("not_upheld", gettext_noop("We have looked into your complaint %(number)s: %(reason)s")),
}


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
    _transition_check(current, target, actor=actor, system=system)
    note = (note or "").strip()
    if target in Complaint.NOTE_REQUIRED and not note:
        raise ComplaintError(_("Give a reason for “%(target)s”.") % {"target": S(target).label}, field="note")

    now = timezone.now()
    _details_apply(complaint, cause=cause, responsibility=responsibility, resolution_measures=resolution_measures,
                   customer_informed_by=customer_informed_by, expected_completion_at=expected_completion_at,
                   responsible_staff=responsible_staff)
    _clock_resume(complaint, current, now=now)
    _target_effects(complaint, target, actor=actor, system=system, note=note, now=now,
                    follow_up_answer=follow_up_answer, duplicate_of=duplicate_of)
    if current == S.FOLLOW_UP and target == S.INVESTIGATING:
        complaint.reopen_count += 1
        complaint.follow_up_answer = Complaint.FollowUpAnswer.DISSATISFIED
        complaint.resolved_at = None
    change = Complaint.TRANSITIONS.move(complaint, target)
    complaint.save()
    _timeline(complaint, TimelineEntry.Kind.STATUS, actor=actor, note=note, public=True,
              from_status=change.old, to_status=change.new, at=now)

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



def _transition_check(current: str, target: str, *, actor, system: bool) -> None:
    """The move must be in ``Complaint.TRANSITIONS``, and a person needs the target's permission."""
    Complaint.TRANSITIONS.check(current, target)
    if not system:
        perm = Complaint.TRANSITION_PERMISSIONS.get(target, "complaints.transition_complaint")
        if not _user_has(actor, perm):
            raise NotAllowed(_("You are not allowed to move a complaint to “%(target)s”.")
                             % {"target": S(target).label})


def _details_apply(complaint: Complaint, **details) -> None:
    """The investigation's details given with the move (None: unchanged)."""
    for name, value in details.items():
        if value is not None:
            setattr(complaint, name, value.strip() if isinstance(value, str) else value)
    if complaint.responsibility and complaint.responsibility not in Responsibility.values:
        raise ComplaintError(_("Choose who was responsible."), field="responsibility")


def _clock_resume(complaint: Complaint, current: str, *, now) -> None:
    """Leaving "awaiting customer": the paused time is kept and the resolve/close clocks move by it."""
    if current == S.AWAITING_CUSTOMER and complaint.paused_since:
        paused = now - complaint.paused_since
        complaint.paused_seconds += int(paused.total_seconds())
        complaint.resolve_due_at += paused
        complaint.close_due_at += paused
        complaint.paused_since = None


def _target_effects(complaint: Complaint, target: str, *, actor, system: bool, note: str, now,
                    follow_up_answer: str | None, duplicate_of: Complaint | None) -> None:
    """What the new status means for the complaint's fields, remedies and driver."""
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
        _resolve(complaint, actor=actor, now=now)
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


def _resolve(complaint: Complaint, *, actor, now) -> None:
    """Resolving: nothing may await approval; the remedies are carried out, the driver's score
    charged and the follow-up callback scheduled."""
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
    ref = complaint.number + (f":{complaint.reopen_count}" if complaint.reopen_count else "")
    due = timezone.localdate() + dt.timedelta(days=settings.COMPLAINT_CALLBACK_AFTER_DAYS)
    try:
        callback_schedule(customer=complaint.customer, agent=complaint.assignee or actor, due_on=due, ref=ref,
                          order=complaint.order,
                          notes=_("Ask whether the customer is satisfied with the resolution of %(number)s.")
                          % {"number": complaint.number})
    except IntegrationError as exc:
        _timeline(complaint, TimelineEntry.Kind.NOTE, note=_("No callback scheduled: %(why)s") % {"why": exc.message})
