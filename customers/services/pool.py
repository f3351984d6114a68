"""The public pool's rules (issue 17 item 15; 001 篇2, 篇9, 篇10), run by the daily job ``customers.pool_rules``:

(a) a pool customer served twice in the current month by the same agent (done contact-log entries, or
    complaints assigned to them) goes to that agent;
(b) a customer who booked at least CUSTOMER_POOL_DETACH_SHARE % of last month's orders (and at least
    CUSTOMER_POOL_DETACH_MIN_ORDERS) without their account manager's *involvement* is detached to the pool.
    Involvement: the account manager recorded a done contact with the customer in the
    CUSTOMER_POOL_INVOLVEMENT_DAYS before the order was booked (a call, a visit, a callback, a phone
    booking: every one is in the contact log). A VIP's dedicated agent is a tier benefit: kept;
(c) ``pool_distribute``: agents' requests for more customers are served from the pool round-robin by
    load (the least-loaded requester first, one customer at a time);
(d) a customer with a complaint not handled (unresolved) CUSTOMER_POOL_COMPLAINT_DAYS after receipt
    moves to the least-loaded other agent of the owner's team, once per complaint;
(e) each VIP customer (gold/diamond: the tiers with a dedicated agent) gets a second contact, the
    least-loaded other agent of the owner's team.

Every step is idempotent: its state is the data it changes (an owner set, a second contact set, an
ownership change per complaint), so a second run the same day finds nothing left to do."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import month_bounds
from core.services import job_lock, job_run_record
from customers import hooks
from customers.errors import NotAllowed
from customers.models import ContactLog, Customer, Order, OwnershipChange, PoolRequest
from customers.services.ownership import customer_assign_owner, customer_release_to_pool

Reason = OwnershipChange.Reason


def _agents():
    """Active staff who take customers, with their load (customers owned)."""
    return (get_user_model().objects.filter(is_active=True, staff_profile__takes_customers=True,
                                            staff_profile__left_at__isnull=True)
            .annotate(load=Count("owned_customers")))


def _least_loaded(*, team_id, exclude: set[int]):
    qs = _agents().exclude(pk__in=exclude)
    if team_id is not None:
        qs = qs.filter(staff_profile__team_id=team_id)
    return qs.order_by("load", "pk").first()


def _vip_ids():
    ids = set()
    for select in hooks.keeps_owner_when_dormant():
        ids |= set(select().values_list("customer_id", flat=True))
    return ids


# (a) -------------------------------------------------------------------------------------------
def pool_served_twice(*, now: dt.datetime) -> int:
    local = timezone.localtime(now)
    start, _end = month_bounds(local.year, local.month)
    events = Counter()
    pool = set(Customer.objects.filter(owner__isnull=True, status=Customer.Status.ACTIVE).values_list("pk", flat=True))
    if not pool:
        return 0
    contacts = ContactLog.objects.filter(customer_id__in=pool, status=ContactLog.Status.DONE, agent__isnull=False,
                                         happened_at__gte=start, happened_at__lt=now)
    events.update(contacts.values_list("customer_id", "agent_id"))
    for select in hooks.service_events():
        events.update(pair for pair in select(start, now) if pair[0] in pool)
    takers = set(_agents().values_list("pk", flat=True))
    best: dict[int, tuple[int, int]] = {}
    for (customer_id, agent_id), n in events.items():
        if n >= 2 and agent_id in takers and (customer_id not in best or (-n, agent_id) < (-best[customer_id][1],
                                                                                           best[customer_id][0])):
            best[customer_id] = (agent_id, n)
    User = get_user_model()
    for customer_id, (agent_id, n) in sorted(best.items()):
        customer_assign_owner(customer=Customer(pk=customer_id), owner=User.objects.get(pk=agent_id),
                              reason=Reason.SERVED_TWICE, note=_("Served %(n)s times this month") % {"n": n})
    return len(best)


# (b) -------------------------------------------------------------------------------------------
def pool_detach_not_involved(*, now: dt.datetime) -> int:
    local = timezone.localtime(now)
    first = (local.replace(day=1) - dt.timedelta(days=1))
    start, end = month_bounds(first.year, first.month)
    days = dt.timedelta(days=settings.CUSTOMER_POOL_INVOLVEMENT_DAYS)
    involved = ContactLog.objects.filter(
        customer_id=OuterRef("customer_id"), agent_id=OuterRef("customer__owner_id"), status=ContactLog.Status.DONE,
        happened_at__lte=OuterRef("booked_at"), happened_at__gte=OuterRef("booked_at") - days)
    # only orders booked while the present account manager owned the customer
    rows = (Order.objects.filter(booked_at__gte=start, booked_at__lt=end, customer__owner__isnull=False,
                                 customer__owner_since__lte=F("booked_at"), customer__status=Customer.Status.ACTIVE)
            .annotate(involved=Exists(involved)).values("customer_id")
            .annotate(total=Count("pk"), without=Count("pk", filter=Q(involved=False))).order_by())
    share, minimum = settings.CUSTOMER_POOL_DETACH_SHARE, settings.CUSTOMER_POOL_DETACH_MIN_ORDERS
    keep = _vip_ids()
    detached = 0
    for row in rows:
        if row["total"] >= minimum and row["without"] * 100 >= share * row["total"] and row["customer_id"] not in keep:
            customer_release_to_pool(customer=Customer(pk=row["customer_id"]), note=_(
                "%(without)s of %(total)s orders in %(month)s without the account manager") % {
                "without": row["without"], "total": row["total"], "month": f"{first:%Y-%m}"})
            latest = OwnershipChange.objects.filter(customer_id=row["customer_id"]).latest("pk")
            OwnershipChange.objects.filter(pk=latest.pk).update(reason=Reason.NOT_INVOLVED)
            detached += 1
    return detached


# (d) -------------------------------------------------------------------------------------------
def pool_move_unhandled_complaints(*, now: dt.datetime) -> int:
    before = now - dt.timedelta(days=settings.CUSTOMER_POOL_COMPLAINT_DAYS)
    moved = 0
    for select in hooks.unhandled_complaints():
        for customer_id, key in select(before):
            note = f"complaint:{key}"
            if OwnershipChange.objects.filter(customer_id=customer_id, reason=Reason.COMPLAINT_UNHANDLED,
                                              note=note).exists():
                continue
            customer = Customer.objects.select_related("owner__staff_profile").get(pk=customer_id)
            if customer.owner_id is None or customer.status != Customer.Status.ACTIVE:
                continue
            team_id = getattr(getattr(customer.owner, "staff_profile", None), "team_id", None)
            to = _least_loaded(team_id=team_id, exclude={customer.owner_id})
            if to is None:
                continue
            customer_assign_owner(customer=customer, owner=to, reason=Reason.COMPLAINT_UNHANDLED, note=note)
            moved += 1
    return moved


# (e) -------------------------------------------------------------------------------------------
def pool_secondary_contacts() -> int:
    given = 0
    vips = (Customer.objects.filter(pk__in=_vip_ids(), secondary_owner__isnull=True, owner__isnull=False)
            .exclude(status=Customer.Status.ANONYMISED).select_related("owner__staff_profile"))
    for customer in vips:
        team_id = getattr(getattr(customer.owner, "staff_profile", None), "team_id", None)
        second = _least_loaded(team_id=team_id, exclude={customer.owner_id})
        if second is not None:
            Customer.objects.filter(pk=customer.pk, secondary_owner__isnull=True).update(secondary_owner=second)
            given += 1
    return given


def pool_rules_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily job: (a), (b) on the first days of a month (last month's orders), (d) and (e)."""
    now = now or timezone.now()
    with transaction.atomic():
        job_lock("customers.pool_rules")
        done = {"served_twice": pool_served_twice(now=now), "detached": pool_detach_not_involved(now=now),
                "complaint_moves": pool_move_unhandled_complaints(now=now),
                "second_contacts": pool_secondary_contacts()}
    job_run_record(name="customers.pool_rules", result=" ".join(f"{k}={v}" for k, v in done.items()))
    return done


# (c) -------------------------------------------------------------------------------------------
@transaction.atomic
def pool_distribute(*, requests, actor) -> int:
    """Serve waiting requests from the pool, round-robin by load: each turn gives one pool customer (the
    longest in the pool first) to the requester who owns the fewest customers, until every request has
    its count or the pool is empty. Returns how many customers were given."""
    if not actor.has_perm("customers.manage_ownership"):
        raise NotAllowed(_("Only a supervisor may distribute pool customers."))
    waiting = {r.pk: r for r in PoolRequest.objects.select_for_update().filter(
        pk__in=[r.pk for r in requests], status=PoolRequest.Status.WAITING).select_related("requested_by")}
    load = dict(_agents().filter(pk__in=[r.requested_by_id for r in waiting.values()]).values_list("pk", "load"))
    pool = list(Customer.objects.filter(owner__isnull=True, status=Customer.Status.ACTIVE)
                .order_by("updated_at", "pk").values_list("pk", flat=True)[:2000])
    given = 0
    while pool:
        open_ = [r for r in waiting.values() if r.given < r.count and r.requested_by_id in load]
        if not open_:
            break
        req = min(open_, key=lambda r: (load[r.requested_by_id], r.requested_at, r.pk))
        customer_assign_owner(customer=Customer(pk=pool.pop(0)), owner=req.requested_by, actor=actor,
                              reason=Reason.POOL_REQUEST)
        req.given += 1
        load[req.requested_by_id] += 1
        given += 1
    now = timezone.now()
    for req in waiting.values():
        if req.given >= req.count or not pool:
            req.status, req.served_at = PoolRequest.Status.SERVED, now
        req.save(update_fields=["given", "status", "served_at"])
    return given
