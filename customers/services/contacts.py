"""Recording a contact with a customer (a call, a visit, a message) in the contact log."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.errors import CustomerError, NotAllowed
from customers.models import ContactLog, Customer
from customers.services.inquiries import inquiry_deadline_set

CONTACT_NOTES_MAX = 2000


@transaction.atomic
def contact_record(*, customer: Customer, actor, channel: str, notes: str,
                   purpose: str = ContactLog.Purpose.INQUIRY, outcome: str = "",
                   happened_at: dt.datetime | None = None, answered: bool = True) -> ContactLog:
    """A contact that took place (not a scheduled callback): the agent is ``actor``, the time is now
    unless given. Refuses an anonymised customer, an unknown channel/purpose/outcome, an empty or
    over-long summary, and a user without ``customers.add_contactlog``. The new row is the newest of
    the customer's contact log (which the customer page lists newest first). An inquiry or suggestion
    not ``answered`` during the contact gets a reply deadline (``services.inquiries``)."""
    if not actor.has_perm("customers.add_contactlog"):
        raise NotAllowed(_("You may not record contacts."))
    if customer.status == Customer.Status.ANONYMISED:
        raise CustomerError(_("An anonymised customer cannot be contacted."), code="anonymised")
    if channel not in ContactLog.Channel.values:
        raise CustomerError(_("Choose how you were in contact."), field="channel")
    if purpose not in ContactLog.Purpose.values:
        raise CustomerError(_("Choose a purpose."), field="purpose")
    if outcome and outcome not in ContactLog.Outcome.values:
        raise CustomerError(_("Choose an outcome."), field="outcome")
    notes = (notes or "").strip()
    if not notes:
        raise CustomerError(_("Write a short summary of the contact."), field="notes")
    if len(notes) > CONTACT_NOTES_MAX:
        raise CustomerError(_("The summary is too long (at most %(n)s characters).") % {"n": CONTACT_NOTES_MAX},
                            field="notes")
    contact = ContactLog(
        customer=customer, agent=actor, channel=channel, purpose=purpose, outcome=outcome, notes=notes,
        status=ContactLog.Status.DONE, happened_at=happened_at or timezone.now(),
    )
    inquiry_deadline_set(contact, answered=answered)
    contact.save()
    return contact
