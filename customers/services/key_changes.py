"""Review of key-field changes of owned VIP customers (001 篇2): the account manager's change waits
(``customer_update`` records it); a supervisor approves it (applied then, through ``customer_update``,
with the same entry rules) or sends it back with a note; the requester may withdraw it."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import crypto
from customers.errors import CustomerError, NotAllowed
from customers.models import KeyFieldChange
from customers.services.customers import _key_changes_close, customer_update, user_can_edit_key_fields


def _pending(change: KeyFieldChange, *, to_status: str) -> KeyFieldChange:
    """The change, locked, if it may still move to ``to_status`` (``KeyFieldChange.TRANSITIONS``)."""
    change = KeyFieldChange.objects.select_for_update().select_related("customer", "requested_by").get(pk=change.pk)
    KeyFieldChange.TRANSITIONS.check(change.status, to_status)
    return change


def _requested_values(change: KeyFieldChange) -> dict:
    values = dict(change.changes)
    if values.get("birthday"):
        values["birthday"] = dt.date.fromisoformat(values["birthday"])
    return values


def user_can_review_key_change(user, change: KeyFieldChange) -> bool:
    """A supervisor (approve rights) who may edit this customer's key fields, and not the requester."""
    return bool(
        user is not None and user.has_perm("customers.approve_customer_change")
        and user_can_edit_key_fields(user, change.customer)
        and (user.pk != change.requested_by_id or user.is_superuser)
    )


@transaction.atomic
def key_change_decide(*, change: KeyFieldChange, actor, approve: bool, note: str = "") -> KeyFieldChange:
    """Approve (the requested values are applied now, checked again against the entry rules and
    duplicates: an error leaves the request waiting) or send back with a note saying what to correct."""
    to_status = KeyFieldChange.Status.APPROVED if approve else KeyFieldChange.Status.SENT_BACK
    change = _pending(change, to_status=to_status)
    if not user_can_review_key_change(actor, change):
        raise NotAllowed(_("Only the account manager's supervisor or a manager, other than the requester, "
                           "may review this change."))
    note = (note or "").strip()
    if not approve and not note:
        raise CustomerError(_("Say what to correct when sending a change back."), field="note", code="required")
    if approve:
        id_number = crypto.decrypt(change.id_number_encrypted) if change.id_number_encrypted else None
        reason = _("%(reason)s (requested by %(who)s, approved by %(approver)s)") % {
            "reason": change.reason or _("Key-field change"), "who": change.requested_by, "approver": actor}
        customer_update(customer=change.customer, actor=actor, reason=reason[:100], id_number=id_number,
                        **_requested_values(change))
    # Applied or not, the new ID number is no longer needed in this row (_key_changes_close drops it).
    _key_changes_close(KeyFieldChange.objects.filter(pk=change.pk), actor=actor, note=note, to_status=to_status)
    change.refresh_from_db()
    return change


@transaction.atomic
def key_change_withdraw(*, change: KeyFieldChange, actor, note: str = "") -> KeyFieldChange:
    """The requester (or a reviewer) takes a waiting change back, with an optional note."""
    change = _pending(change, to_status=KeyFieldChange.Status.WITHDRAWN)
    if actor.pk != change.requested_by_id and not user_can_review_key_change(actor, change):
        raise NotAllowed(_("Only the requester or a reviewer may withdraw this change."))
    _key_changes_close(KeyFieldChange.objects.filter(pk=change.pk), to_status=KeyFieldChange.Status.WITHDRAWN,
                       actor=actor, note=(note or "").strip())
    change.refresh_from_db()
    return change
