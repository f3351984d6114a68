import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto
from core.masking import mask_id_number, mask_mobile
from core.models import Notification
from core.notifications import notify
from customers import hooks
from customers.errors import CustomerError, DuplicateCustomer, NotAllowed
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
from customers.services.order_dates import customer_refresh_order_dates
from customers.validators import normalise_id_number, normalise_mobile

# Fields that only the owner, the owner's supervisor and managers may change on an owned customer.
KEY_FIELDS = ("full_name", "mobile", "birthday", "id_number", "customer_type", "company_name", "owner")
ANONYMISED_NAME = "已注销客户"
# On an owned customer the same people (not another agent) also decide how the customer is contacted
# and who is credited with the referral; these change at once, without the key fields' VIP review.
OWNER_ONLY_FIELDS = ("email", "marketing_consent", "referred_by")


def _validation_to_error(exc: ValidationError) -> CustomerError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return CustomerError(errors[0].messages[0], field=field, code=errors[0].code)
    return CustomerError(exc.messages[0], code=getattr(exc, "code", None))


def user_can_edit_key_fields(user, customer: Customer) -> bool:
    """Only the owner, their team's supervisor and managers (``manage_ownership``) may change an owned
    customer's key fields; anyone with change rights may edit a public-pool customer."""
    if user is None or user.is_superuser or customer.owner_id is None or customer.owner_id == user.pk:
        return True
    if user.has_perm("customers.manage_ownership"):
        return True
    team = getattr(getattr(customer.owner, "staff_profile", None), "team", None)
    return bool(team and team.supervisor_id == user.pk)


def key_change_needs_review(user, customer: Customer) -> bool:
    """Changes to the key fields of an owned VIP (loyalty's tier, through ``hooks.is_vip``) made by
    someone other than a supervisor or a manager, in practice its account manager, wait for a
    supervisor's review (001 篇2). Public-pool customers and non-VIPs are changed at once."""
    if customer.owner_id is None or user is None or user.is_superuser:
        return False
    if user.has_perm("customers.approve_customer_change") or user.has_perm("customers.manage_ownership"):
        return False
    return hooks.is_vip(customer)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _key_change_submit(*, customer: Customer, actor, changes: dict, id_number: str | None,
                       reason: str) -> KeyFieldChange | None:
    """Check the requested key-field values exactly as an approval would apply them (entry rules,
    duplicates), then record them for review. Nothing of them is applied now."""
    candidate = Customer.objects.get(pk=customer.pk)
    changes = {f: v for f, v in changes.items() if getattr(candidate, f) != v}
    for field, value in changes.items():
        setattr(candidate, field, value)
    new_id = None
    if id_number:
        customer_set_id_number(candidate, id_number)
        if candidate.id_number_index != customer.id_number_index:
            new_id = candidate
    if not changes and new_id is None:
        return None
    _check_unique(candidate)
    try:
        candidate.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    pending = KeyFieldChange.objects.filter(customer=customer, status=KeyFieldChange.Status.PENDING).first()
    if pending is not None:
        raise CustomerError(
            _("A change to this customer's key fields is already waiting for review (submitted by %(who)s); "
              "wait for the decision or withdraw it first.") % {"who": pending.requested_by},
            field=next(iter(changes), "id_number"), code="review_pending")
    previous = {f: _json_value(getattr(customer, f)) for f in changes}
    if new_id is not None:
        previous["id_number"] = customer.id_number_masked
    change = KeyFieldChange.objects.create(
        customer=customer, requested_by=actor, reason=(reason or "")[:100],
        changes={f: _json_value(v) for f, v in changes.items()}, previous=previous,
        id_number_encrypted=new_id.id_number_encrypted if new_id else "",
        id_number_masked=new_id.id_number_masked if new_id else "",
    )
    _notify_reviewers_after_commit(change)
    return change


def _notify_reviewers_after_commit(change: KeyFieldChange) -> None:
    """E-mail the account manager's team supervisor (or, without one, the users who may approve)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    User = get_user_model()
    subject = _("Key-field change of %(customer)s waiting for your review") % {"customer": change.customer}
    body = "\n".join([
        _("%(who)s asks to change key fields of customer %(customer)s.")
        % {"who": change.requested_by, "customer": change.customer},
        _("Review it in the admin: %(path)s") % {"path": reverse("admin:customers_keyfieldchange_change",
                                                                 args=[change.pk])},
    ])
    reviewers = User.objects.filter(supervised_teams__members__user_id=change.customer.owner_id, is_active=True)
    if not reviewers.exclude(email="").exists():
        reviewers = User.objects.with_perm("customers.approve_customer_change", include_superusers=False,
                                       backend="django.contrib.auth.backends.ModelBackend")
    notify(reviewers, kind=Notification.Kind.APPROVAL, text=subject, email_subject=subject, email_body=body,
           link=reverse("admin:customers_keyfieldchange_change", args=[change.pk]))


def _key_changes_close(changes, *, to_status: str, actor, note: str = "") -> int:
    """The one place a key-field change's status moves (``KeyFieldChange.TRANSITIONS``): from waiting
    to approved, sent back or withdrawn, with who, when and why; a waiting new ID number is dropped.
    Rows not in a state that allows the move are left alone; returns how many moved."""
    allowed_from = [s for s, targets in KeyFieldChange.TRANSITIONS.items() if to_status in targets]
    return changes.filter(status__in=allowed_from).update(
        status=to_status, decided_by=actor, decided_at=timezone.now(), decision_note=note, id_number_encrypted="")


def _withdraw_pending_key_changes(customer: Customer, *, actor, note: str) -> int:
    return _key_changes_close(KeyFieldChange.objects.filter(customer=customer),
                              to_status=KeyFieldChange.Status.WITHDRAWN, actor=actor, note=note)


def customer_set_id_number(customer: Customer, id_number: str) -> None:
    """Validate (GB 11643) and set the ID number on the instance: encrypted, blind-indexed, masked.
    The plain number never reaches the database. An empty value clears it."""
    if not id_number:
        customer.id_number_encrypted, customer.id_number_index, customer.id_number_masked = "", None, ""
        return
    try:
        number = normalise_id_number(id_number)
    except ValidationError as exc:
        raise CustomerError(exc.messages[0], field="id_number", code=exc.code) from exc
    customer.id_number_encrypted = crypto.encrypt(number)
    customer.id_number_index = crypto.blind_index(number)
    customer.id_number_masked = mask_id_number(number)


def _check_unique(customer: Customer) -> None:
    if customer.mobile:
        existing = Customer.objects.filter(mobile=customer.mobile).exclude(pk=customer.pk).first()
        if existing:
            raise DuplicateCustomer(existing)
    if customer.id_number_index:
        existing = Customer.objects.filter(id_number_index=customer.id_number_index).exclude(pk=customer.pk).first()
        if existing:
            raise DuplicateCustomer(existing, field="id_number")


@transaction.atomic
def customer_create(
    *,
    actor=None,
    full_name: str,
    mobile: str,
    id_number: str = "",
    tags=(),
    service_needs=(),
    places=(),
    **fields,
) -> Customer:
    """Create a customer after the entry rules. A mobile (or ID number) that already belongs to a
    customer raises DuplicateCustomer carrying the existing one, so the caller can offer a merge."""
    try:
        mobile = normalise_mobile(mobile)
    except ValidationError as exc:
        raise CustomerError(exc.messages[0], field="mobile", code=exc.code) from exc
    customer = Customer(full_name=(full_name or "").strip(), mobile=mobile, **fields)
    if actor is not None:
        customer.profile_checked_at = timezone.now()  # entered by staff: checked now
    if customer.owner_id:
        customer.owner_since = timezone.now()
    if customer.marketing_consent:
        customer.marketing_consent_at = timezone.now()
    customer_set_id_number(customer, id_number)
    _check_unique(customer)
    try:
        customer.full_clean(exclude=["mobile"] if not mobile else None, validate_unique=False)
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    customer._history_user = actor
    customer.save()
    from customers.services.profile_review import profile_review_open

    profile_review_open(customer=customer, actor=actor)  # staff-entered: reviewed within 12 hours
    if tags:
        customer.tags.set(tags)
    if service_needs:
        customer.service_needs.set(service_needs)
    for place in places:
        p = Place(customer=customer, **place)
        try:
            p.full_clean(exclude=["customer"])
        except ValidationError as exc:
            raise _validation_to_error(exc) from exc
        p.save()
    if customer.owner_id:
        OwnershipChange.objects.create(customer=customer, to_owner_id=customer.owner_id,
                                       reason=OwnershipChange.Reason.ASSIGNED, changed_by=actor)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor=None, reason: str = "", id_number: str | None = None,
                    **changes) -> Customer:
    """Change a customer's fields. Key fields of an owned customer need the owner, their supervisor or
    a manager. Every change is kept in the customer's history (who, when, old → new)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status == Customer.Status.ANONYMISED:
        raise NotAllowed(_("An anonymised customer cannot be changed."))
    touches_key = any(f in changes for f in KEY_FIELDS) or id_number is not None
    if touches_key and not user_can_edit_key_fields(actor, customer):
        raise NotAllowed(
            _("Only the account manager, their supervisor or a manager may change this customer's key fields.")
        )
    owner_only = _owner_only_changes(customer, changes)
    if owner_only and not user_can_edit_key_fields(actor, customer):
        raise NotAllowed(_("Only the account manager, their supervisor or a manager may change this customer's "
                           "e-mail, marketing consent or referrer."), field=owner_only[0])
    if "owner" in changes or "owner_id" in changes:
        raise CustomerError(_("Use assign owner, release to pool or a handover to change the owner."),
                            field="owner")
    if "mobile" in changes:
        try:
            changes["mobile"] = normalise_mobile(changes["mobile"])
        except ValidationError as exc:
            raise CustomerError(exc.messages[0], field="mobile", code=exc.code) from exc
    submitted = None
    if touches_key and key_change_needs_review(actor, customer):
        key_changes = {f: changes.pop(f) for f in KEY_FIELDS if f in changes}
        submitted = _key_change_submit(customer=customer, actor=actor, changes=key_changes, id_number=id_number,
                                       reason=reason)
        id_number = None
    if "marketing_consent" in changes and changes["marketing_consent"] != customer.marketing_consent:
        customer.marketing_consent_at = timezone.now()
    tags = changes.pop("tags", None)
    needs = changes.pop("service_needs", None)
    for field, value in changes.items():
        setattr(customer, field, value)
    if id_number is not None:
        customer_set_id_number(customer, id_number)
    _check_unique(customer)
    try:
        customer.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    if actor is not None:
        customer.profile_checked_at = timezone.now()  # a member of staff went through the profile
    customer._history_user = actor
    customer._change_reason = reason
    customer.save()
    if tags is not None:
        customer.tags.set(tags)
    if needs is not None:
        customer.service_needs.set(needs)
    # The key-field change waiting for review, if this update made one (the admin says so).
    customer.submitted_key_change = submitted
    return customer


def _owner_only_changes(customer: Customer, changes: dict) -> list[str]:
    """The OWNER_ONLY_FIELDS that ``changes`` would really change (a value equal to the current one
    is no change)."""
    if "referred_by_id" in changes:
        changes["referred_by"] = Customer.objects.filter(pk=changes.pop("referred_by_id")).first()
    changed = []
    for field in OWNER_ONLY_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        current = customer.referred_by_id if field == "referred_by" else getattr(customer, field)
        if (getattr(value, "pk", value) if field == "referred_by" else value) != current:
            changed.append(field)
    return changed


def customer_profile_checked(*, customer_ids, actor) -> int:
    """The periodic profile review: staff went through these customers' profiles with them and found
    nothing to change. Anonymised customers are left alone. Returns how many were marked."""
    if not actor.has_perm("customers.change_customer"):
        raise NotAllowed(_("You may not change customers."))
    return (Customer.objects.filter(pk__in=list(customer_ids)).exclude(status=Customer.Status.ANONYMISED)
            .update(profile_checked_at=timezone.now()))


def customer_reveal_sensitive(*, customer: Customer, user, field: str, reason: str) -> str:
    """Return the full ID number or mobile to a user allowed to see it, and record the access (who,
    when, which customer, why). Raises NotAllowed otherwise; nothing is revealed without a record."""
    reason = (reason or "").strip()
    if not reason:
        raise CustomerError(_("State why you need to see this."), field="reason", code="required")
    perm = "customers.view_sensitive" if field == SensitiveAccess.Field.ID_NUMBER else "customers.view_full_mobile"
    if not (user.has_perm(perm) or user.has_perm("customers.view_sensitive")):
        raise NotAllowed(_("Your role may not see this field."))
    if field == SensitiveAccess.Field.ID_NUMBER:
        value = crypto.decrypt(customer.id_number_encrypted) if customer.id_number_encrypted else ""
    elif field == SensitiveAccess.Field.MOBILE:
        value = customer.mobile or ""
    else:
        raise CustomerError(_("Unknown field."), field="field")
    SensitiveAccess.objects.create(customer=customer, user=user, field=field, reason=reason[:200])
    return value


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
    moved = {
        "orders": Order.objects.filter(customer=duplicate).update(customer=kept),
        "reviews": Review.objects.filter(customer=duplicate).update(customer=kept),
        "contacts": ContactLog.objects.filter(customer=duplicate).update(customer=kept),
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
    if request.status != DeletionRequest.Status.PENDING:
        raise CustomerError(_("This request has already been decided."))
    if not actor.has_perm("customers.approve_customer_change"):
        raise NotAllowed(_("Only a supervisor may decide a deletion request."))
    if actor.pk == request.requested_by_id and not actor.is_superuser:
        raise NotAllowed(_("A deletion request must be approved by someone other than who asked for it."))
    request.status = DeletionRequest.Status.APPROVED if approve else DeletionRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
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


def encryption_keys_rotate(*, batch_size: int = 1000) -> int:
    """Re-encrypt every ID number under the newest key (MultiFernet.rotate), in batches. Old keys can
    be dropped from FIELD_ENCRYPTION_KEYS afterwards. Safe to rerun."""
    done = 0
    last_pk = 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last_pk).exclude(id_number_encrypted="")
            .order_by("pk").values_list("pk", "id_number_encrypted")[:batch_size]
        )
        if not rows:
            return done + _rotate_pending_key_changes()
        with transaction.atomic():
            for pk, token in rows:
                Customer.objects.filter(pk=pk).update(id_number_encrypted=crypto.rotate(token))
        done += len(rows)
        last_pk = rows[-1][0]


def _rotate_pending_key_changes() -> int:
    """New ID numbers waiting in key-field change requests (cleared once decided)."""
    rows = list(KeyFieldChange.objects.exclude(id_number_encrypted="").values_list("pk", "id_number_encrypted"))
    with transaction.atomic():
        for pk, token in rows:
            KeyFieldChange.objects.filter(pk=pk).update(id_number_encrypted=crypto.rotate(token))
    return len(rows)


__all__ = [
    "KEY_FIELDS", "customer_anonymise", "customer_create", "customer_merge", "customer_profile_checked",
    "customer_refresh_order_dates",
    "customer_reveal_sensitive", "customer_set_id_number", "customer_update", "deletion_request_create",
    "deletion_request_decide", "encryption_keys_rotate", "key_change_needs_review", "user_can_edit_key_fields",
]
