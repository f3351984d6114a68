"""The agent's daily complaint work, as services: take a complaint and hand it back, internal notes
and messages to the customer (with canned replies), and merging duplicates. Keyword-only, atomic,
raising ComplaintError; the status still changes only through ``services.complaint_transition``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import rules, services
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, Macro, Remedy, TimelineEntry
from core.dates import local_tz

S = Complaint.Status


# --- take and hand back ----------------------------------------------------------------------
def may_take(complaint: Complaint, user) -> bool:
    """The user may handle complaints and the complaint is routed to one of their roles (or their
    role is informed of it); superusers may take any. Not for a finished complaint."""
    if not complaint.is_open or not services._user_has(user, "complaints.transition_complaint"):
        return False
    if complaint.assignee_id == user.pk:
        return False
    return user.is_superuser or rules.may_take(roles=services._roles_of(user), owner_role=complaint.owner_role,
                                               informed_role=complaint.informed_role)


@transaction.atomic
def complaint_take(*, complaint: Complaint, actor) -> Complaint:
    """"Take": assign the complaint to the actor, when it is routed to the actor's role."""
    complaint = services._lock(complaint)
    if not may_take(complaint, actor):
        raise NotAllowed(_("This complaint is not routed to your role: ask its owner role or a supervisor."),
                         field="assignee", code="not_your_role")
    return services.complaint_assign(complaint=complaint, assignee=actor, actor=actor,
                                     note=_("Taken by %(person)s.") % {"person": actor})


@transaction.atomic
def complaint_hand_back(*, complaint: Complaint, actor, note: str = "") -> Complaint:
    """"Hand back": the assignee returns the complaint to its role's queue (unassigned)."""
    complaint = services._lock(complaint)
    if complaint.assignee_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the person handling a complaint can hand it back."), field="assignee")
    if not complaint.is_open:
        raise ComplaintError(_("A finished complaint stays with whoever handled it."), field="assignee")
    text = _("Handed back to the queue of %(role)s.") % {"role": complaint.get_owner_role_display()}
    return services.complaint_assign(complaint=complaint, assignee=None, actor=actor,
                                     note=f"{text} {note}".strip())


# --- notes, messages and canned replies ------------------------------------------------------
def macros_for(complaint: Complaint):
    """The canned replies offered on a complaint: those of its category and those for every one."""
    from django.db.models import Q

    return Macro.objects.filter(Q(category__isnull=True) | Q(category_id=complaint.category_id), is_active=True)


def macro_values(complaint: Complaint) -> dict[str, str]:
    from complaints.selectors import next_deadline

    _kind, due = next_deadline(complaint)
    customer_name = complaint.customer.full_name if complaint.customer_id else complaint.complainant_name
    return {
        "customer_name": customer_name or _("customer"),
        "number": complaint.number,
        "due": timezone.localtime(due, local_tz()).strftime("%Y-%m-%d %H:%M") if due else "",
        "category": complaint.category.name,
        "grade": complaint.grade.name,
        "measures": complaint.resolution_measures,
    }


def macro_fill(*, macro: Macro, complaint: Complaint) -> str:
    return rules.fill_macro(macro.text, macro_values(complaint))


def _text(complaint: Complaint, text: str, macro: Macro | None) -> str:
    text = (text or "").strip()
    if macro is not None:
        if macro.category_id not in (None, complaint.category_id) or not macro.is_active:
            raise ComplaintError(_("This canned reply is not for this complaint's category."), field="macro")
        if not text:
            text = macro_fill(macro=macro, complaint=complaint)
    return text


def _check_writer(actor) -> None:
    if not services._user_has(actor, "complaints.add_timelineentry"):
        raise NotAllowed(_("You are not allowed to write on complaints."), field="note")


@transaction.atomic
def complaint_note(*, complaint: Complaint, actor, text: str = "", macro: Macro | None = None) -> TimelineEntry:
    """An internal note: a timeline entry never shown to the complainant; the status is untouched.
    Without text, the chosen canned reply, filled for this complaint, is the note."""
    _check_writer(actor)
    complaint = services._lock(complaint)
    return services.complaint_add_note(complaint=complaint, actor=actor, note=_text(complaint, text, macro))


@transaction.atomic
def complaint_message_customer(*, complaint: Complaint, actor, text: str = "", macro: Macro | None = None
                               ) -> TimelineEntry:
    """A message to the complainant: a public timeline entry (their status page, their platform) and,
    for a customer, an SMS through the Care outbox after commit (once per entry)."""
    _check_writer(actor)
    complaint = services._lock(complaint)
    if not complaint.is_open:
        raise ComplaintError(_("The complaint is finished."), field="note")
    entry = services.complaint_add_note(complaint=complaint, actor=actor, note=_text(complaint, text, macro),
                                        public=True)
    services._inform_customer_after_commit(complaint, f"message:{entry.pk}", entry.note)
    return entry


# --- merging duplicates ----------------------------------------------------------------------
def _same_complainant(a: Complaint, b: Complaint) -> bool:
    if a.customer_id or b.customer_id:
        return a.customer_id == b.customer_id
    return bool(a.complainant_mobile) and a.complainant_mobile == b.complainant_mobile


@transaction.atomic
def complaint_merge(*, survivor: Complaint, duplicate: Complaint, actor, note: str = "") -> Complaint:
    """Merge ``duplicate`` into ``survivor``: the duplicate is closed as a duplicate with a link to
    the survivor (through complaint_transition); both keep their timelines, and each records the
    merge. Same complainant only; a duplicate with remedies not rejected is refused (its remedies
    would be lost). Returns the survivor."""
    if not services._user_has(actor, "complaints.merge_complaint"):
        raise NotAllowed(_("You are not allowed to merge complaints."))
    if survivor.pk == duplicate.pk:
        raise ComplaintError(_("Choose two different complaints."), field="survivor")
    first, second = sorted([survivor, duplicate], key=lambda c: c.pk)  # lock order: no deadlock
    locked = {c.pk: c for c in (services._lock(first), services._lock(second))}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if not duplicate.is_open:
        raise ComplaintError(_("%(number)s is already finished.") % {"number": duplicate.number}, field="duplicate")
    if survivor.status == S.DUPLICATE:
        raise ComplaintError(_("%(number)s is itself a duplicate.") % {"number": survivor.number}, field="survivor")
    if not _same_complainant(survivor, duplicate):
        raise ComplaintError(_("Only complaints of the same complainant can be merged."), field="duplicate")
    if duplicate.remedies.exclude(status=Remedy.Status.REJECTED).exists():
        raise ComplaintError(_("%(number)s has remedies: reject them, or keep it and merge the other one.")
                             % {"number": duplicate.number}, field="duplicate")
    reason = (note or "").strip()
    services.complaint_transition(
        complaint=duplicate, to_status=S.DUPLICATE, actor=actor, duplicate_of=survivor,
        note=(_("Duplicate of %(number)s.") % {"number": survivor.number} + f" {reason}").strip())
    services.complaint_add_note(complaint=survivor, actor=actor, note=(
        _("%(number)s merged into this complaint as a duplicate (its timeline stays on it).")
        % {"number": duplicate.number} + f" {reason}").strip())
    return survivor
