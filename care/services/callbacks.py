"""Callbacks: periodic ones by tier, one after every resolved complaint, and the review a reached one gives.

A callback is a ``customers.ContactLog`` row (status scheduled, due date, agent). It goes to the
customer's owner; a public-pool customer's callback has no agent and sits in the team queue (the
"unassigned" filter of the callback list), from which any agent takes it.

Decision (reviews): a reached callback with a satisfaction becomes a ``Review`` (source = callback)
only when the callback is tied to an order (complaint follow-ups name the complaint's order) and
that order has no review yet: a platform's own review is never overwritten, and a periodic
callback, which is about the service in general, feeds the KPI figures through the contact-log row
(satisfaction, recommend score) rather than inventing an order review.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from care import rules
from care.adapters import callback_interval_days, customers_in_tier, tier_choices, tier_label
from care.errors import CareError
from care.models import CallbackOrder
from core.services import job_lock, job_run_record
from customers.errors import CustomerError
from customers.models import ContactLog, Customer, Order, Review
from customers.services import callback_schedule, order_events_emit


def callbacks_schedule_due(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: every customer of a tier with a callback interval gets one callback per period
    (reason key ``tier:<tier>:<period>``, e.g. ``tier:gold:2026-11``), due today, on the owner's list
    or in the team queue. Idempotent: the reason key is unique per customer."""
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        job_lock("care.schedule_callbacks")
        for tier, _label in tier_choices():
            days = callback_interval_days(tier)
            if not days:
                continue
            customers = customers_in_tier(tier)
            key = f"tier:{tier}:{rules.callback_period_key(today, days)}"
            has_one = ContactLog.objects.filter(reason_key=key).values("customer_id")
            due = (customers.exclude(status=Customer.Status.ANONYMISED).exclude(pk__in=has_one)
                   .select_related("owner").order_by("pk"))
            note = _("Periodic callback (%(tier)s, every %(days)s days)") % {"tier": tier_label(tier), "days": days}
            n = 0
            for customer in due.iterator(chunk_size=500):
                callback_schedule(customer=customer, agent=customer.owner, due_on=today, reason_key=key, notes=note)
                n += 1
            counts[str(tier)] = n
    job_run_record(name="care.schedule_callbacks", result=str(counts))
    return counts


def callback_schedule_after_complaint(*, customer: Customer, complaint_ref: str, order: Order | None = None,
                                      agent=None, due_on: dt.date | None = None, notes: str = "") -> ContactLog:
    """For the complaints app: after a complaint is resolved, put a follow-up callback on ``agent``'s
    list (default: the customer's owner; none → team queue), due ``due_on`` (default: tomorrow, by
    ``COMPLAINT_CALLBACK_AFTER_DAYS`` or ``CARE_COMPLAINT_CALLBACK_AFTER_DAYS``). Idempotent per
    complaint (reason key ``complaint:<ref>``). With ``order``, a reached callback's satisfaction
    becomes the order's review if it has none."""
    if not complaint_ref:
        raise CareError(_("The complaint reference is required."), field="complaint_ref")
    days = getattr(settings, "COMPLAINT_CALLBACK_AFTER_DAYS", settings.CARE_COMPLAINT_CALLBACK_AFTER_DAYS)
    due_on = due_on or timezone.localdate() + dt.timedelta(days=days)
    with transaction.atomic():
        try:
            contact = callback_schedule(
                customer=customer, agent=agent or customer.owner, due_on=due_on,
                purpose=ContactLog.Purpose.COMPLAINT_FOLLOW_UP, reason_key=f"complaint:{complaint_ref}"[:100],
                notes=notes or _("Follow-up after complaint %(ref)s") % {"ref": complaint_ref},
            )
        except CustomerError as exc:
            raise CareError(exc.message, code=exc.code) from exc
        if order is not None:
            CallbackOrder.objects.get_or_create(contact=contact, defaults={"order": order})
    return contact


def review_from_callback(*, contact: ContactLog, notes: str = "") -> None:
    """customers' callback-outcome handler (``customers.services.callback_outcome_record`` runs it for
    every screen, inside its transaction): a reached callback with a satisfaction, about an order that
    has no review yet, becomes that order's review (source = callback)."""
    if contact.outcome != ContactLog.Outcome.REACHED or not contact.satisfaction:
        return
    link = CallbackOrder.objects.filter(contact=contact).select_related("order").first()
    if link is None:
        return
    _review, created = Review.objects.get_or_create(
        order=link.order,
        defaults={"customer_id": link.order.customer_id, "rating": contact.satisfaction,
                  "recommend_score": contact.recommend_score, "comment": notes,
                  "source": Review.Source.CALLBACK},
    )
    if created:
        order_events_emit(order_ids=[link.order_id], kind="reviewed")


def callback_take(*, contact: ContactLog, actor) -> ContactLog:
    """An agent takes an unassigned callback from the team queue (public-pool customers)."""
    with transaction.atomic():
        contact = ContactLog.objects.select_for_update().get(pk=contact.pk)
        if contact.status != ContactLog.Status.SCHEDULED:
            raise CareError(_("This callback has already been recorded."))
        if contact.agent_id and contact.agent_id != actor.pk:
            raise CareError(_("This callback is already on another agent's list."))
        contact.agent = actor
        contact.save(update_fields=["agent"])
    return contact
