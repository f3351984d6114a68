"""Deletion requests and anonymisation (a customer is never deleted: their personal data is scrubbed)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import hooks
from customers.errors import CustomerError, NotAllowed
from customers.models import (
    ContactLog,
    Customer,
    CustomerMerge,
    DeletionRequest,
    KeyFieldChange,
    Order,
    OwnershipChange,
    PlatformAccount,
)
from customers.services.customers import _withdraw_pending_key_changes, customer_set_id_number

ANONYMISED_NAME = "已注销客户"


@transaction.atomic
def deletion_request_create(*, customer: Customer, actor, reason: str, by_customer: bool = False) -> DeletionRequest:
    if not (reason or "").strip():
        raise CustomerError(_("A deletion request needs a reason."), field="reason", code="required")
    if customer.status == Customer.Status.ANONYMISED:
        raise NotAllowed(_("This customer is already anonymised."))
    if DeletionRequest.objects.filter(customer=customer, status=DeletionRequest.Status.PENDING).exists():
        raise CustomerError(_("A deletion request for this customer is already waiting for approval."))
    return DeletionRequest.objects.create(customer=customer, requested_by=actor, reason=reason.strip(),
                                          by_customer=by_customer)


@transaction.atomic
def deletion_request_decide(*, request: DeletionRequest, actor, approve: bool, note: str = "") -> DeletionRequest:
    """A supervisor approves (the customer is anonymised) or rejects a deletion request."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    target = DeletionRequest.Status.APPROVED if approve else DeletionRequest.Status.REJECTED
    DeletionRequest.TRANSITIONS.check(request.status, target)
    if not actor.has_perm("customers.approve_customer_change"):
        raise NotAllowed(_("Only a supervisor may decide a deletion request."))
    if actor.pk == request.requested_by_id and not actor.is_superuser:
        raise NotAllowed(_("A deletion request must be approved by someone other than who asked for it."))
    DeletionRequest.TRANSITIONS.move(request, target, decided_by=actor, decided_at=timezone.now(), decision_note=note)
    request.save()
    if approve:
        customer_anonymise(customer=request.customer, actor=actor, reason=request.reason)
    return request


@transaction.atomic
def customer_anonymise(*, customer: Customer, actor=None, reason: str = "") -> Customer:
    """Scrub the customer's personal fields, places, platform ids and trip addresses, purge the
    history of personal values, and let other apps scrub theirs (anonymise hooks: complainant
    details, message texts); orders, ratings and figures are kept. Irreversible."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.owner_id:
        OwnershipChange.objects.create(customer=customer, from_owner_id=customer.owner_id,
                                       reason=OwnershipChange.Reason.ANONYMISED, changed_by=actor)
    customer.history.all().delete()
    _purge_merged_duplicates(customer)
    customer.full_name = ANONYMISED_NAME
    customer.mobile = None
    customer.email = ""
    customer.birthday = None
    customer.company_name = ""
    customer.notes = ""
    customer_set_id_number(customer, "")
    customer.marketing_consent = False
    customer.marketing_consent_at = timezone.now()
    customer.owner = None
    customer.owner_since = None
    customer.status = Customer.Status.ANONYMISED
    customer.status_reason = (reason or "")[:200]
    customer.tags.clear()
    customer.service_needs.clear()
    customer.places.all().delete()
    PlatformAccount.objects.filter(customer=customer).delete()
    Order.objects.filter(customer=customer).update(
        pickup_address="", dropoff_address="", pickup_lat=None, pickup_lng=None, dropoff_lat=None, dropoff_lng=None
    )
    ContactLog.objects.filter(customer=customer).update(notes="")
    _withdraw_pending_key_changes(customer, actor=actor, note=_("Customer anonymised"))
    KeyFieldChange.objects.filter(customer=customer).update(changes={}, previous={}, id_number_encrypted="",
                                                            id_number_masked="", reason="")
    for handler in hooks.anonymise_handlers():
        handler(customer=customer)
    customer._history_user = actor
    customer._change_reason = "anonymised"
    customer.save()
    # The single history row left holds only the anonymised values.
    return customer


def _purge_merged_duplicates(customer: Customer) -> int:
    """The customers merged into this one are the same person: their history rows (kept after the
    duplicate record was removed, with its name, mobile and e-mail) go too, and the merge audit rows
    keep no name or mobile. Merges into a duplicate were moved to the kept customer when it was
    merged, so every earlier record of the person is found here. Returns the history rows deleted."""
    merges = CustomerMerge.objects.filter(kept=customer)
    merged_ids = list(merges.values_list("merged_public_id", flat=True))
    if not merged_ids:
        return 0
    deleted, _rows = Customer.history.model.objects.filter(public_id__in=merged_ids).delete()
    for merge in merges.only("id", "merged_snapshot"):
        snapshot = {k: v for k, v in (merge.merged_snapshot or {}).items() if k not in ("full_name", "mobile")}
        CustomerMerge.objects.filter(pk=merge.pk).update(merged_snapshot={**snapshot, "anonymised": True})
    return deleted
