"""Merging a duplicate customer into the one that stays."""

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from core.masking import mask_mobile
from customers import hooks
from customers.errors import CustomerError, NotAllowed
from customers.models import (
    ContactLog,
    Customer,
    CustomerMerge,
    DeletionRequest,
    Handover,
    KeyFieldChange,
    Order,
    OwnershipChange,
    Place,
    PlatformAccount,
    Review,
    SensitiveAccess,
)
from customers.services.callbacks import callbacks_cancel
from customers.services.customers import _withdraw_pending_key_changes
from customers.services.order_dates import customer_refresh_order_dates


def _detach_clashing_contacts(kept: Customer, duplicate: Customer) -> int:
    """Contact-log rows of the duplicate for a reason the kept customer already has one for (one per
    customer and reason key, e.g. both records got this month's gold callback ``tier:gold:<period>``):
    the duplicate's stays as history under ``merged:<id>``, and is cancelled if still to do — one person,
    one call for that reason. Returns the rows detached."""
    taken = ContactLog.objects.filter(customer=kept).exclude(reason_key="").values("reason_key")
    clashing = ContactLog.objects.filter(customer=duplicate, reason_key__in=taken)
    ids = list(clashing.values_list("pk", flat=True))
    callbacks_cancel(contact_ids=ids)
    return ContactLog.objects.filter(pk__in=ids).update(
        reason_key=Concat(Value("merged:"), Cast("pk", output_field=CharField())))


@transaction.atomic
def customer_merge(*, kept: Customer, duplicate: Customer, actor=None, reason: str = "") -> CustomerMerge:
    """Move everything of ``duplicate`` to ``kept`` in one transaction (orders, places, reviews,
    contact log, platform accounts, referrals, and other apps' records through merge hooks), keep an
    audit row with a snapshot of the duplicate, then remove the emptied duplicate record."""
    if kept.pk == duplicate.pk:
        raise CustomerError(_("A customer cannot be merged into itself."))
    kept = Customer.objects.select_for_update().get(pk=kept.pk)
    duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
    if Customer.Status.ANONYMISED in (kept.status, duplicate.status):
        raise NotAllowed(_("Anonymised customers cannot be merged."))
    # Key-field values requested for the duplicate's record lapse (the records move with the rest).
    _withdraw_pending_key_changes(duplicate, actor=actor,
                                  note=_("Customer merged into %(id)s") % {"id": kept.public_id})
    contacts_detached = _detach_clashing_contacts(kept, duplicate)
    moved = {
        "orders": Order.objects.filter(customer=duplicate).update(customer=kept),
        "reviews": Review.objects.filter(customer=duplicate).update(customer=kept),
        "contacts": ContactLog.objects.filter(customer=duplicate).update(customer=kept),
        "contacts_detached": contacts_detached,
        "platform_accounts": PlatformAccount.objects.filter(customer=duplicate).update(customer=kept),
        "referrals": Customer.objects.filter(referred_by=duplicate).exclude(pk=kept.pk).update(referred_by=kept),
        "ownership_changes": OwnershipChange.objects.filter(customer=duplicate).update(customer=kept),
        "sensitive_accesses": SensitiveAccess.objects.filter(customer=duplicate).update(customer=kept),
        "deletion_requests": DeletionRequest.objects.filter(customer=duplicate).update(customer=kept),
        "key_field_changes": KeyFieldChange.objects.filter(customer=duplicate).update(customer=kept),
        # Audit rows of earlier merges into the duplicate (else the PROTECT key blocks retiring it).
        "earlier_merges": CustomerMerge.objects.filter(kept=duplicate).update(kept=kept),
    }
    places = 0
    for place in Place.objects.filter(customer=duplicate):
        same = Place.objects.filter(customer=kept, kind=place.kind, address=place.address).first()
        if same:
            same.use_count += place.use_count
            same.save(update_fields=["use_count"])
            place.delete()
        else:
            place.customer = kept
            place.save(update_fields=["customer"])
        places += 1
    moved["places"] = places
    for handover in Handover.objects.filter(customers=duplicate):
        handover.customers.remove(duplicate)
        handover.customers.add(kept)
    for handler in hooks.merge_handlers():
        moved.update(handler(kept=kept, duplicate=duplicate) or {})
    # Fill gaps in the kept profile from the duplicate; the kept record's own values win.
    for field in ("email", "birthday", "company_name", "notes"):
        if not getattr(kept, field) and getattr(duplicate, field):
            setattr(kept, field, getattr(duplicate, field))
    if not kept.id_number_encrypted and duplicate.id_number_encrypted:
        kept.id_number_encrypted = duplicate.id_number_encrypted
        kept.id_number_masked = duplicate.id_number_masked
        index = duplicate.id_number_index
        Customer.objects.filter(pk=duplicate.pk).update(id_number_index=None)
        kept.id_number_index = index
    kept.tags.add(*duplicate.tags.all())
    kept.service_needs.add(*duplicate.service_needs.all())
    if kept.referred_by_id == duplicate.pk:
        kept.referred_by = None
    if not kept.referred_by_id and duplicate.referred_by_id and duplicate.referred_by_id != kept.pk:
        kept.referred_by_id = duplicate.referred_by_id
    kept._history_user = actor
    kept._change_reason = f"merge {duplicate.public_id}"
    kept.save()
    merge = CustomerMerge.objects.create(
        kept=kept,
        merged_public_id=duplicate.public_id,
        merged_snapshot={
            "full_name": duplicate.full_name,
            "mobile": mask_mobile(duplicate.mobile),
            "source": duplicate.source,
            "created_at": duplicate.created_at.isoformat(),
        },
        moved=moved,
        reason=reason,
        merged_by=actor,
    )
    customer_refresh_order_dates(customer_ids=[kept.pk])
    duplicate.tags.clear()
    duplicate.service_needs.clear()
    duplicate.delete()
    return merge
