"""Writes the complainant makes without a login: file a complaint from the online form (a repeat of
the same text from the same mobile within minutes is recognised, not filed twice), leave a reply,
and give their satisfaction after a resolution. Each goes through the complaints services."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ComplaintError
from complaints.models import Category, Channel, Complaint, TimelineEntry
from complaints.services import complaint_create, complaint_transition
from core import ratelimit
from core.notifications import email_staff_after_commit

S = Complaint.Status


@dataclass(frozen=True)
class Filed:
    complaint: Complaint | None  # None: an identical submission is being filed right now
    repeat: bool


def _repeat_of(*, mobile: str, content: str, since: dt.datetime) -> Complaint | None:
    return (Complaint.objects.filter(channel=Channel.ONLINE_FORM, complainant_mobile=mobile, content=content,
                                     received_at__gte=since).order_by("-received_at").first())


def _order_of(mobile: str, reference: str):
    """The order named on the form, only if it is the same mobile's (nobody links someone else's)."""
    from customers.models import Order

    reference = (reference or "").strip()
    if not reference:
        return None
    return (Order.objects.select_related("customer", "driver", "platform")
            .filter(external_id=reference, customer__mobile=mobile).first())


def public_complaint_file(*, full_name: str, mobile: str, category: Category, content: str,
                          order_reference: str = "", occurred_at: dt.datetime | None = None,
                          demand: str = "") -> Filed:
    """File a complaint from the online form (``mobile`` already normalised). Idempotent for
    ``COMPLAINT_PUBLIC_REPEAT_MINUTES``: the same mobile with the same text answers the complaint
    already filed. Two identical submissions at the same moment are serialised by a claim in the
    shared cache (which raises ratelimit.RateLimitUnavailable when the cache is down)."""
    content = (content or "").strip()
    window = settings.COMPLAINT_PUBLIC_REPEAT_MINUTES * 60
    earlier = _repeat_of(mobile=mobile, content=content, since=timezone.now() - dt.timedelta(seconds=window))
    if earlier is not None:
        return Filed(earlier, repeat=True)
    claim = hashlib.sha256(f"{mobile}\n{content}".encode()).hexdigest()
    if not ratelimit.claim("complaint-repeat", claim, window=window):
        earlier = _repeat_of(mobile=mobile, content=content, since=timezone.now() - dt.timedelta(seconds=window))
        return Filed(earlier, repeat=True)
    try:
        complaint = complaint_create(
            channel=Channel.ONLINE_FORM, category=category, content=content, complainant_name=full_name,
            complainant_mobile=mobile, order=_order_of(mobile, order_reference), demand=demand or "",
            occurred_at=occurred_at,
        )
    except Exception:
        ratelimit.release("complaint-repeat", claim)
        raise
    return Filed(complaint, repeat=False)


def _staff_of(complaint: Complaint):
    User = get_user_model()
    if complaint.assignee_id:
        return User.objects.filter(pk=complaint.assignee_id)
    return User.objects.filter(Q(groups__name=complaint.owner_role))


@transaction.atomic
def complaint_customer_reply(*, complaint: Complaint, text: str) -> TimelineEntry:
    """The complainant's message from the status page: on the timeline (visible to them) and e-mailed
    to the assignee, or to the owner role while nobody is assigned."""
    text = (text or "").strip()
    if not text:
        raise ComplaintError(_("Write your message."), field="text")
    if not complaint.is_open:
        raise ComplaintError(_("This complaint is closed; please call our hotline."), field="text")
    entry = TimelineEntry.objects.create(complaint=complaint, kind=TimelineEntry.Kind.CUSTOMER_REPLY, note=text,
                                         public=True, at=timezone.now())
    email_staff_after_commit(_("Complaint %(number)s: the customer wrote") % {"number": complaint.number},
                             text[:1000], _staff_of(complaint))
    return entry


@transaction.atomic
def complaint_customer_feedback(*, complaint: Complaint, satisfied: bool, comment: str = "") -> Complaint:
    """The complainant's answer to the follow-up after a resolution: satisfied closes the complaint,
    not satisfied reopens it (back to investigating), both through complaint_transition (the one
    writer of the status). Only a resolved complaint asks for it."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status not in (S.RESOLVED, S.FOLLOW_UP):
        raise ComplaintError(_("We ask for your satisfaction once the complaint is resolved."), field="satisfied")
    comment = (comment or "").strip()
    if complaint.status == S.RESOLVED:
        complaint = complaint_transition(complaint=complaint, to_status=S.FOLLOW_UP, system=True,
                                         note=_("The customer answered on the status page."))
    if satisfied:
        note = _("The customer is satisfied (status page).")
    else:
        note = _("The customer is not satisfied (status page).")
    if comment:
        note = f"{note} {comment}"
    # (system=True: no member of staff acted; the answer is the customer's own, not "no answer")
    answer = Complaint.FollowUpAnswer.SATISFIED if satisfied else Complaint.FollowUpAnswer.DISSATISFIED
    return complaint_transition(complaint=complaint, to_status=S.CLOSED if satisfied else S.INVESTIGATING,
                                system=True, note=note, follow_up_answer=answer)
