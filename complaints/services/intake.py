"""Intake from any channel: the customer linked, the grade at the rule minimum, deadlines, a gap-free
number, routing to the owner role."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import routing, rules
from complaints.adapters import customer_tier_code
from complaints.errors import ComplaintError
from complaints.models import Category, Channel, Complaint, ComplaintCounter, Grade, TimelineEntry
from complaints.services.common import _grades, _notify_role_after_commit, _rank_map, _roles_of, _timeline, _user_has
from complaints.services.deadlines import compute_deadlines
from core.dates import local_tz

S = Complaint.Status


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
    return customer_tier_code(customer)
