"""Every write of the complaints app, by use case: ``intake`` (a new complaint), ``transitions`` (the one
status-changing function and what resolving does), ``assignment`` (grade and assignee), ``details``
(staff edits, notes, attachments), ``remedies`` (proposal, approval authority, carrying out) and
``deadlines`` (computed from a grade; the hourly job). ``common`` holds the helpers they share.
Functions are keyword-only and atomic, and raise ComplaintError. Callers import from this package."""

from complaints.errors import ComplaintError, NotAllowed
from complaints.services.assignment import complaint_assign, complaint_assign_check, complaint_set_grade
from complaints.services.common import _inform_customer_after_commit, _lock, _roles_of, _user_has
from complaints.services.deadlines import compute_deadlines, deadlines_process
from complaints.services.details import DETAIL_FIELDS, attachment_add, complaint_add_note, complaint_update_details
from complaints.services.intake import complaint_create
from complaints.services.remedies import (
    COMMITTED_REMEDY_STATUSES,
    approval_limit_of,
    complaint_remedies_total,
    point_value_cny,
    remedy_approve,
    remedy_propose,
    remedy_reject,
)
from complaints.services.transitions import CUSTOMER_MESSAGES, complaint_transition

__all__ = [
    "COMMITTED_REMEDY_STATUSES", "CUSTOMER_MESSAGES", "DETAIL_FIELDS", "ComplaintError", "NotAllowed",
    "_inform_customer_after_commit", "_lock", "_roles_of", "_user_has", "approval_limit_of", "attachment_add",
    "complaint_add_note", "complaint_assign", "complaint_assign_check", "complaint_create", "complaint_remedies_total",
    "complaint_set_grade", "complaint_transition", "complaint_update_details", "compute_deadlines",
    "deadlines_process", "point_value_cny", "remedy_approve", "remedy_propose", "remedy_reject",
]
