"""A complaint's grade (raised by staff, never below the rule minimum) and its assignee."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from complaints import routing, rules
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, Grade, TimelineEntry
from complaints.services.common import _complaint_link, _lock, _notify_role_after_commit, _timeline, _user_has
from complaints.services.deadlines import compute_deadlines
from core.models import Notification
from core.notifications import notify


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
