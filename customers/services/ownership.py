import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Notification
from core.notifications import notify
from core.services import job_lock, job_run_record
from customers import hooks
from customers.errors import CustomerError, NotAllowed
from customers.models import Customer, Handover, OwnershipChange


def _lock(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


@transaction.atomic
def customer_assign_owner(*, customer: Customer, owner, actor=None,
                          reason: str = OwnershipChange.Reason.ASSIGNED, note: str = "", handover=None) -> Customer:
    """Give the customer an account manager (or a new one), recording who/when/why."""
    customer = _lock(customer)
    if customer.status == Customer.Status.ANONYMISED:
        raise NotAllowed(_("An anonymised customer cannot be assigned."))
    if actor is not None and reason == OwnershipChange.Reason.ASSIGNED and not (
        actor.has_perm("customers.manage_ownership") or (customer.owner_id is None and owner.pk == actor.pk)
    ):
        raise NotAllowed(_("Only a supervisor may assign customers (agents may claim public-pool customers)."))
    if not owner.is_active:
        raise CustomerError(_("The account manager must be an active member of staff."), field="owner")
    if customer.owner_id == owner.pk:
        return customer
    OwnershipChange.objects.create(customer=customer, from_owner_id=customer.owner_id, to_owner=owner,
                                   reason=reason, note=note[:200], changed_by=actor, handover=handover)
    customer.owner, customer.owner_since = owner, timezone.now()
    customer._history_user = actor
    customer._change_reason = str(reason)
    customer.save(update_fields=["owner", "owner_since", "updated_at"])
    return customer


@transaction.atomic
def customer_release_to_pool(*, customer: Customer, actor=None, note: str = "") -> Customer:
    customer = _lock(customer)
    if customer.owner_id is None:
        return customer
    if actor is not None and not (actor.has_perm("customers.manage_ownership") or actor.pk == customer.owner_id):
        raise NotAllowed(_("Only the account manager or a supervisor may release this customer."))
    OwnershipChange.objects.create(customer=customer, from_owner_id=customer.owner_id,
                                   reason=OwnershipChange.Reason.RELEASED, note=note[:200], changed_by=actor)
    customer.owner, customer.owner_since = None, None
    customer._history_user = actor
    customer.save(update_fields=["owner", "owner_since", "updated_at"])
    return customer


# --- handovers (客户交接) ---------------------------------------------------------------------
@transaction.atomic
def handover_request(*, from_user, to_user, actor, customers=None, reason: str = "",
                     kind: str = Handover.Kind.RESIGNATION) -> Handover:
    """List a member of staff's customers (all of them, or ``customers``) for a handover to
    ``to_user``. Ownership moves only when a supervisor approved and the receiver confirmed."""
    if kind not in Handover.Kind.values:
        raise CustomerError(_("Choose the handover type."), field="kind")
    if from_user.pk == to_user.pk:
        raise CustomerError(_("The receiver must be someone else."), field="to_user")
    if not to_user.is_active:
        raise CustomerError(_("The receiver must be an active member of staff."), field="to_user")
    if actor.pk != from_user.pk and not actor.has_perm("customers.manage_ownership"):
        raise NotAllowed(_("Only the leaver or a supervisor may start a handover."))
    owned = Customer.objects.filter(owner=from_user)
    if customers is not None:
        ids = [c.pk for c in customers]
        if owned.filter(pk__in=ids).count() != len(set(ids)):
            raise CustomerError(_("Only customers owned by %(user)s can be handed over.") % {"user": from_user},
                                field="customers")
        owned = owned.filter(pk__in=ids)
    ids = list(owned.values_list("pk", flat=True))
    if not ids:
        raise CustomerError(_("There are no customers to hand over."), field="customers")
    handover = Handover.objects.create(from_user=from_user, to_user=to_user, requested_by=actor, reason=reason,
                                       kind=kind)
    handover.customers.set(ids)
    _notify_handover_approvers(handover)
    return handover


def _handover_link(handover: Handover) -> str:
    from django.urls import reverse

    return reverse("admin:customers_handover_change", args=[handover.pk])


def _notify_handover_approvers(handover: Handover) -> None:
    """The leaver's team supervisor (or, without one, whoever may approve) has a handover to decide."""
    User = get_user_model()
    approvers = User.objects.filter(supervised_teams__members__user_id=handover.from_user_id, is_active=True)
    if not approvers.exists():
        approvers = User.objects.with_perm("customers.approve_customer_change", include_superusers=False,
                                       backend="django.contrib.auth.backends.ModelBackend")
    notify(approvers.exclude(pk=handover.requested_by_id), kind=Notification.Kind.APPROVAL,
           link=_handover_link(handover),
           text=_("Handover of %(from)s's customers to %(to)s waits for your approval")
           % {"from": handover.from_user, "to": handover.to_user})


def _locked_handover(handover: Handover) -> Handover:
    return Handover.objects.select_for_update().get(pk=handover.pk)


@transaction.atomic
def handover_approve(*, handover: Handover, actor, note: str = "") -> Handover:
    handover = _locked_handover(handover)
    Handover.TRANSITIONS.check(handover.status, Handover.Status.APPROVED)
    if not actor.has_perm("customers.approve_customer_change"):
        raise NotAllowed(_("Only a supervisor may approve a handover."))
    Handover.TRANSITIONS.move(handover, Handover.Status.APPROVED, approved_by=actor, approved_at=timezone.now(),
                              note=note)
    handover.save()
    notify(handover.to_user, kind=Notification.Kind.HANDOVER, link=_handover_link(handover),
           text=_("%(from)s's customers are handed over to you: confirm to take them")
           % {"from": handover.from_user})
    return handover


@transaction.atomic
def handover_reject(*, handover: Handover, actor, note: str = "") -> Handover:
    handover = _locked_handover(handover)
    Handover.TRANSITIONS.check(handover.status, Handover.Status.REJECTED)
    if actor.pk != handover.to_user_id and not actor.has_perm("customers.approve_customer_change"):
        raise NotAllowed(_("Only a supervisor or the receiver may reject a handover."))
    Handover.TRANSITIONS.move(handover, Handover.Status.REJECTED, note=note)
    handover.save()
    return handover


@transaction.atomic
def handover_cancel(*, handover: Handover, actor) -> Handover:
    handover = _locked_handover(handover)
    Handover.TRANSITIONS.check(handover.status, Handover.Status.CANCELLED)
    if actor.pk != handover.requested_by_id and not actor.has_perm("customers.approve_customer_change"):
        raise NotAllowed(_("Only who requested the handover or a supervisor may cancel it."))
    Handover.TRANSITIONS.move(handover, Handover.Status.CANCELLED)
    handover.save()
    return handover


@transaction.atomic
def handover_confirm(*, handover: Handover, actor) -> Handover:
    """The receiver confirms: ownership of the listed customers still owned by the leaver moves to
    the receiver. Orders keep their credited owner, so past figures stay with the leaver. The handover
    handlers (care: the notice to each customer naming the new contact) run inside the transaction."""
    handover = _locked_handover(handover)
    Handover.TRANSITIONS.check(handover.status, Handover.Status.CONFIRMED)
    if actor.pk != handover.to_user_id:
        raise NotAllowed(_("Only the receiver can confirm the handover."))
    moved = []
    for customer in handover.customers.filter(owner_id=handover.from_user_id):
        customer_assign_owner(customer=customer, owner=handover.to_user, actor=actor,
                              reason=OwnershipChange.Reason.HANDOVER, handover=handover)
        moved.append(customer.pk)
    Handover.TRANSITIONS.move(handover, Handover.Status.CONFIRMED, confirmed_at=timezone.now())
    handover.save()
    for handler in hooks.handover_confirmed_handlers():
        handler(handover=handover, customer_ids=moved)
    return handover


# --- dormancy sweep --------------------------------------------------------------------------
def dormancy_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Customers with no completed order for CUSTOMER_DORMANT_AFTER_DAYS become dormant; owned ones
    fall to the public pool, the reason kept in an ownership-change row, except those whose account
    manager is a tier benefit (a gold/diamond customer's dedicated agent, registered through
    ``hooks.register_keeps_owner_when_dormant``): they keep it, so a reactivated VIP finds the same
    agent. Set-based (one INSERT … SELECT and two UPDATEs), idempotent, and serialised by a job lock
    so concurrent runs do nothing twice."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS)
    reason = _("No completed order for %(days)s days") % {"days": settings.CUSTOMER_DORMANT_AFTER_DAYS}
    with transaction.atomic():
        job_lock("dormancy_sweep")
        due = Customer.objects.filter(status=Customer.Status.ACTIVE).filter(
            Q(last_order_at__lt=cutoff) | Q(last_order_at__isnull=True, created_at__lt=cutoff)
        )
        released_due = due
        for select in hooks.keeps_owner_when_dormant():
            released_due = released_due.exclude(pk__in=select())
        # Select "id" (not "pk": Django aliases that column "pk", which the outer SELECT would not find).
        owned = released_due.filter(owner__isnull=False).order_by().values_list("id", "owner_id")
        select_sql, params = owned.query.sql_with_params()
        table = OwnershipChange._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (customer_id, from_owner_id, reason, note, changed_at) "  # noqa: S608
                f"SELECT d.id, d.owner_id, %s, %s, %s FROM ({select_sql}) d",
                [OwnershipChange.Reason.DORMANT, reason[:200], now, *params],
            )
            released = cursor.rowcount
        dormant = released_due.update(status=Customer.Status.DORMANT, status_reason=reason[:200], owner=None,
                                      owner_since=None, updated_at=now)
        dormant += due.update(status=Customer.Status.DORMANT, status_reason=reason[:200], updated_at=now)
    job_run_record(name="dormancy_sweep", result=f"dormant={dormant} released={released}")
    return {"dormant": dormant, "released_to_pool": max(released, 0)}


def least_loaded_agent():
    """The active staff member who takes customers and owns the fewest (dedicated-agent assignment)."""
    from django.db.models import Count

    User = get_user_model()
    return (
        User.objects.filter(is_active=True, staff_profile__takes_customers=True, staff_profile__left_at__isnull=True)
        .annotate(load=Count("owned_customers"))
        .order_by("load", "pk")
        .first()
    )
