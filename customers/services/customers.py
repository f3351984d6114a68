import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto
from core.masking import mask_id_number
from core.models import Notification
from core.notifications import notify
from customers import hooks
from customers.errors import CustomerError, DuplicateCustomer, NotAllowed
from customers.models import Customer, KeyFieldChange, OwnershipChange, Place, SensitiveAccess
from customers.services.order_dates import customer_refresh_order_dates
from customers.validators import normalise_id_number, normalise_mobile

# Fields that only the owner, the owner's supervisor and managers may change on an owned customer.
KEY_FIELDS = ("full_name", "mobile", "birthday", "id_number", "customer_type", "company_name", "owner")
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
    return changes.filter(status__in=KeyFieldChange.TRANSITIONS.sources(to_status)).update(
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


__all__ = [
    "KEY_FIELDS", "customer_create", "customer_profile_checked", "customer_refresh_order_dates",
    "customer_reveal_sensitive", "customer_set_id_number", "customer_update", "key_change_needs_review",
    "user_can_edit_key_fields",
]
