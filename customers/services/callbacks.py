"""Callbacks (a ``ContactLog`` row with status scheduled, a due date and an agent): the one way to put
one on a list and the one way to record its outcome, for every screen (my callbacks due today, care's
callback list, the customer page). What schedules them lives with its rule: care's periodic callbacks
by tier and after a resolved complaint (``care.services.callbacks``, complaints reach it through
``complaints.adapters``); what an outcome leads to is registered on ``hooks.register_callback_outcome_handler``
(care: the order's review). The lists are ``customers.selectors.callbacks_due`` and
``care.selectors.callbacks_open_for``."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import hooks
from customers.errors import CustomerError, NotAllowed
from customers.models import ContactLog, Customer


def callback_schedule(*, customer: Customer, agent, due_on: dt.date, actor=None,
                      purpose: str = ContactLog.Purpose.CALLBACK, notes: str = "", reason_key: str = "") -> ContactLog:
    """Put a callback on an agent's list. With a ``reason_key`` it is idempotent: a second call for
    the same reason returns the existing callback."""
    if customer.status == Customer.Status.ANONYMISED:
        raise NotAllowed(_("An anonymised customer cannot be called back."))
    fields = {"agent": agent, "due_on": due_on, "purpose": purpose, "notes": notes,
              "status": ContactLog.Status.SCHEDULED, "channel": ContactLog.Channel.PHONE_OUT}
    if reason_key:
        contact, _created = ContactLog.objects.get_or_create(customer=customer, reason_key=reason_key,
                                                             defaults=fields)
        return contact
    return ContactLog.objects.create(customer=customer, **fields)


@transaction.atomic
def callback_outcome_record(*, contact: ContactLog, actor, outcome: str, satisfaction: int | None = None,
                            recommend_score: int | None = None, notes: str = "",
                            answers: dict[int, bool] | None = None) -> ContactLog:
    """The one way to record a callback's outcome, from every screen (my callbacks due today, the care
    callback list, the API). Refuses a callback already recorded, and a satisfaction or recommend
    score when the customer was not reached. Then, in the same transaction, the registered handlers
    run (``hooks.register_callback_outcome_handler``): care creates the order's review from a
    reached callback's satisfaction and stores the checklist ``answers`` ({item_id: yes/no})."""
    contact = ContactLog.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactLog.Status.SCHEDULED:
        raise CustomerError(_("This callback has already been recorded."))
    if outcome not in ContactLog.Outcome.values:
        raise CustomerError(_("Choose an outcome."), field="outcome")
    if recommend_score is not None and not 0 <= recommend_score <= 10:
        raise CustomerError(_("The recommend score is from 0 to 10."), field="recommend_score")
    if outcome != ContactLog.Outcome.REACHED and (satisfaction or recommend_score is not None):
        raise CustomerError(_("Satisfaction can only be recorded when the customer was reached."),
                            field="satisfaction")
    contact.status, contact.outcome, contact.happened_at = ContactLog.Status.DONE, outcome, timezone.now()
    contact.satisfaction, contact.recommend_score = satisfaction, recommend_score
    contact.agent = contact.agent or actor
    if notes:
        contact.notes = f"{contact.notes}\n{notes}".strip()
    contact.save()
    for handler in hooks.callback_outcome_handlers():
        handler(contact=contact, notes=notes, answers=answers or {})
    return contact


def callbacks_cancel(*, contact_ids) -> int:
    """Take callbacks off their agents' lists (status scheduled → cancelled; done ones stay as they
    are): the one place a callback is cancelled (a merged duplicate's, a dropped warning's). Returns
    how many were cancelled."""
    return ContactLog.objects.filter(pk__in=list(contact_ids), status=ContactLog.Status.SCHEDULED).update(
        status=ContactLog.Status.CANCELLED)
