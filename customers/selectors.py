"""Reads of the customers app: querysets with their joins decided here, so the admin, the API and
the benchmarks ask the database the same (indexed) questions."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers import privacy, rules
from customers.models import (
    ContactLog,
    Customer,
    Driver,
    KeyFieldChange,
    Order,
    OwnershipChange,
    Place,
    PlatformAccount,
)
from customers.validators import try_normalise_mobile

_MAX_CHAR = "\U0010ffff"


# --- finding a customer ------------------------------------------------------------------------
def customer_search_query(term: str, *, user=None) -> QuerySet | None:
    """The customer ids an agent means by ``term``, as one query whose every branch is an exact,
    indexed lookup:

    - a mobile typed in any form (``138 0013 8000``, ``+86-138-0013-8000``) → the unique mobile;
    - otherwise the full name (as a prefix), a platform's user id or a platform order id (a UNION).

    A part of a mobile matches nothing. For a ``user`` who sees mobiles masked each mobile search is
    counted against their limit (customers.privacy; raises privacy.SearchRefused over it).
    ``None`` means "no term": do not filter.
    """
    term = (term or "").strip()
    if not term:
        return None
    mobile = try_normalise_mobile(term)
    if mobile:
        if user is not None and not privacy.can_see_full_mobile(user):
            privacy.masked_mobile_search_term(user, term)
        return Customer.objects.filter(mobile=mobile).order_by().values_list("pk")
    # A name prefix as an index range (LIKE 'x%' cannot use a btree index outside the C collation).
    by_name = (
        Customer.objects.filter(full_name__gte=term, full_name__lt=term + _MAX_CHAR, full_name__startswith=term)
        .order_by().values_list("pk")
    )
    by_platform_user = PlatformAccount.objects.filter(external_user_id=term).order_by().values_list("customer_id")
    by_order = Order.objects.filter(external_id=term).order_by().values_list("customer_id")
    return by_name.union(by_platform_user, by_order)


def customer_search_ids(term: str, *, user=None) -> list[int] | None:
    """``customer_search_query`` run once, capped at CUSTOMER_SEARCH_MAX_MATCHES ids."""
    query = customer_search_query(term, user=user)
    if query is None:
        return None
    return [pk for (pk,) in query[: settings.CUSTOMER_SEARCH_MAX_MATCHES]]


def customer_list(*, base: QuerySet | None = None) -> QuerySet:
    """The customer changelist's rows: everything a row shows in the same query."""
    qs = base if base is not None else Customer.objects.all()
    return qs.select_related("owner", "source_platform")


# --- the customer page -------------------------------------------------------------------------
def customer_latest_orders(customer: Customer, *, limit: int | None = None) -> list[Order]:
    limit = limit or settings.CUSTOMER_PAGE_ORDERS
    return list(
        Order.objects.filter(customer=customer)
        .select_related("platform", "driver", "review")
        .order_by("-booked_at")[:limit]
    )


def customer_contacts(customer: Customer, *, limit: int | None = None) -> list[ContactLog]:
    """The customer's contact log, newest first by when the contact took place (a callback scheduled
    last month and made today is today's), the row's creation for contacts without that time."""
    limit = limit or settings.CUSTOMER_PAGE_CONTACTS
    return list(
        ContactLog.objects.filter(customer=customer)
        .exclude(status=ContactLog.Status.SCHEDULED)
        .select_related("agent")
        .order_by(Coalesce("happened_at", "created_at").desc(), "-pk")[:limit]
    )


def customer_upcoming_callbacks(customer: Customer, *, limit: int | None = None) -> list[ContactLog]:
    limit = limit or settings.CUSTOMER_PAGE_CONTACTS
    return list(
        ContactLog.objects.filter(customer=customer, status=ContactLog.Status.SCHEDULED)
        .select_related("agent")
        .order_by("due_on", "pk")[:limit]
    )


def customer_ownership_history(customer: Customer, *, limit: int | None = None) -> list[OwnershipChange]:
    limit = limit or settings.CUSTOMER_PAGE_CONTACTS
    return list(
        OwnershipChange.objects.filter(customer=customer)
        .select_related("from_owner", "to_owner", "changed_by")
        .order_by("-changed_at")[:limit]
    )


def customer_key_change(customer: Customer) -> KeyFieldChange | None:
    """The customer's latest key-field change request if it still matters on the customer page:
    waiting for review, or sent back in the last CUSTOMER_KEY_CHANGE_SENT_BACK_DAYS (its note says what to
    correct)."""
    latest = (KeyFieldChange.objects.filter(customer=customer).select_related("requested_by", "decided_by")
              .order_by("-requested_at", "-pk").first())
    if latest is None:
        return None
    if latest.status == KeyFieldChange.Status.PENDING:
        return latest
    recent = timezone.now() - dt.timedelta(days=settings.CUSTOMER_KEY_CHANGE_SENT_BACK_DAYS)
    if latest.status == KeyFieldChange.Status.SENT_BACK and latest.decided_at and latest.decided_at >= recent:
        return latest
    return None


def key_change_visible_to(user, change: KeyFieldChange) -> bool:
    """Who may open a key-field change: its requester, and those who approve customer changes."""
    return user.has_perm("customers.approve_customer_change") or change.requested_by_id == user.pk


def key_changes_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The same rule as ``key_change_visible_to``, as a filter for the list."""
    return queryset if user.has_perm("customers.approve_customer_change") else queryset.filter(requested_by=user)


def key_changes_sent_back(user) -> int:
    """The user's own key-field changes sent back lately (to correct and submit again)."""
    since = timezone.now() - dt.timedelta(days=settings.CUSTOMER_KEY_CHANGE_SENT_BACK_DAYS)
    return KeyFieldChange.objects.filter(requested_by=user, status=KeyFieldChange.Status.SENT_BACK,
                                         decided_at__gte=since).count()


def customer_platform_accounts(customer: Customer) -> list[PlatformAccount]:
    return list(PlatformAccount.objects.filter(customer=customer).select_related("platform"))


def customer_order_count(customer: Customer) -> tuple[int, bool]:
    """How many orders the customer has, counted up to CUSTOMER_PAGE_COUNT_CAP (an index range on
    ``order_customer_booked_idx``), so the page costs the same for a customer with 60,000 orders.
    Returns (count, capped)."""
    cap = settings.CUSTOMER_PAGE_COUNT_CAP
    count = Order.objects.filter(customer=customer).order_by()[: cap + 1].count()
    return min(count, cap), count > cap


# --- an agent's lists --------------------------------------------------------------------------
def callbacks_due(*, agent, on: dt.date | None = None) -> QuerySet:
    """An agent's scheduled callbacks due on or before ``on`` (today by default), oldest first
    (index ``contact_agent_due_idx``)."""
    on = on or timezone.localdate()
    return (
        ContactLog.objects.filter(agent=agent, status=ContactLog.Status.SCHEDULED, due_on__lte=on)
        .select_related("customer")
        .order_by("due_on", "pk")
    )


def callbacks_due_counts(*, agent, on: dt.date | None = None) -> dict[str, int]:
    """How many of ``callbacks_due`` there are, and how many of them are overdue (one query)."""
    on = on or timezone.localdate()
    return ContactLog.objects.filter(agent=agent, status=ContactLog.Status.SCHEDULED, due_on__lte=on).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=on)))


def customers_owned_by(user) -> QuerySet:
    return customer_list(base=Customer.objects.filter(owner=user))


def driver_latest_orders(driver: Driver, *, limit: int | None = None) -> list[Order]:
    limit = limit or settings.CUSTOMER_PAGE_ORDERS
    return list(
        Order.objects.filter(driver=driver).select_related("customer", "platform", "review")
        .order_by("-booked_at")[:limit]
    )


# --- counting large tables ---------------------------------------------------------------------
def estimated_row_count(model) -> int | None:
    """PostgreSQL's planner estimate of a table's rows (``pg_class.reltuples``, kept by ANALYZE and
    autovacuum); ``None`` elsewhere or before the table was ever analysed."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    if not row or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


# --- classification and profile review (000, 003) -------------------------------------------------
def _activity_cutoff(now=None):
    return (now or timezone.now()) - dt.timedelta(days=settings.CUSTOMER_ACTIVITY_WINDOW_DAYS)


def customer_classification(customer: Customer, *, now=None) -> rules.Classification:
    """Activity level and new/returning of one customer (one indexed count of recent orders)."""
    now = now or timezone.now()
    cutoff = _activity_cutoff(now)
    recent = 0
    if customer.last_order_at and customer.last_order_at >= cutoff:
        recent = Order.objects.filter(customer=customer, status=Order.Status.COMPLETED,
                                      finished_at__gte=cutoff).count()
    return rules.classify(orders_in_window=recent, first_order_at=customer.first_order_at, now=now,
                          high_from=settings.CUSTOMER_ACTIVITY_HIGH_ORDERS, new_days=settings.CUSTOMER_NEW_DAYS)


def filter_by_activity(queryset: QuerySet, level: str, *, now=None) -> QuerySet:
    """The customer list's activity filter, by the same thresholds as ``rules.activity_level``:
    low = no completed order in the window (the stored last order date says so), high = at least
    CUSTOMER_ACTIVITY_HIGH_ORDERS of them (the stored activity mark says so), medium = the rest of
    those who ordered."""
    cutoff = _activity_cutoff(now)
    if level == "low":
        return queryset.filter(Q(last_order_at__lt=cutoff) | Q(last_order_at__isnull=True))
    # The stored activity mark (the N-th most recent completed order) inside the window means at
    # least N orders in it: an indexed comparison, whatever the size of the orders table.
    if level == "high":
        return queryset.filter(activity_mark_at__gte=cutoff)
    if level == "medium":
        return queryset.filter(Q(activity_mark_at__lt=cutoff) | Q(activity_mark_at__isnull=True),
                               last_order_at__gte=cutoff)
    return queryset


def filter_by_lifecycle(queryset: QuerySet, stage: str, *, now=None) -> QuerySet:
    new_since = (now or timezone.now()) - dt.timedelta(days=settings.CUSTOMER_NEW_DAYS)
    if stage == "new":
        return queryset.filter(first_order_at__gte=new_since)
    if stage == "returning":
        return queryset.filter(first_order_at__lt=new_since)
    if stage == "prospect":
        return queryset.filter(first_order_at__isnull=True)
    return queryset


def _profile_incomplete_q() -> Q:
    q = (Q(birthday__isnull=True) | ~Exists(Place.objects.filter(customer=OuterRef("pk")))
         | Q(customer_type=Customer.Type.ENTERPRISE, company_name=""))
    if settings.API_PENDING_NAME_PREFIX:
        q |= Q(full_name__startswith=settings.API_PENDING_NAME_PREFIX)
    return q


def _profile_stale_q(now=None) -> Q:
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CUSTOMER_PROFILE_STALE_DAYS)
    return Q(profile_checked_at__lt=cutoff) | Q(profile_checked_at__isnull=True, created_at__lt=cutoff)


def filter_by_profile_review(queryset: QuerySet, which: str, *, now=None) -> QuerySet:
    """The periodic profile review: ``incomplete`` (something to ask the customer), ``stale`` (not
    checked by staff for CUSTOMER_PROFILE_STALE_DAYS) or ``due`` (either). Anonymised customers never."""
    queryset = queryset.exclude(status=Customer.Status.ANONYMISED)
    if which == "incomplete":
        return queryset.filter(_profile_incomplete_q())
    if which == "stale":
        return queryset.filter(_profile_stale_q(now))
    if which == "due":
        return queryset.filter(_profile_incomplete_q() | _profile_stale_q(now))
    if which == "incomplete_after":
        cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CUSTOMER_PROFILE_INCOMPLETE_DAYS)
        return queryset.filter(_profile_incomplete_q(), created_at__lt=cutoff)
    return queryset


def customer_profile_review(customer: Customer, *, now=None) -> dict:
    """What the customer page says about the profile: the gaps, whether it is stale, when checked."""
    now = now or timezone.now()
    gaps = rules.profile_gaps(full_name=customer.full_name, birthday=customer.birthday,
                              has_place=customer.places.exists(), customer_type=customer.customer_type,
                              company_name=customer.company_name,
                              pending_name_prefix=settings.API_PENDING_NAME_PREFIX)
    cutoff = now - dt.timedelta(days=settings.CUSTOMER_PROFILE_STALE_DAYS)
    checked = customer.profile_checked_at
    stale = customer.status != Customer.Status.ANONYMISED and (
        checked < cutoff if checked else customer.created_at < cutoff)
    return {"gaps": [rules.GAP_LABELS[g] for g in gaps], "gap_keys": gaps, "stale": stale, "checked_at": checked}


def my_profiles_due(user) -> int:
    """The user's own customers whose profile review is due (for the workbench)."""
    return filter_by_profile_review(Customer.objects.filter(owner=user), "due").count()


# --- start pages (issue 15): a constant number of indexed queries, whatever the data size -------
def inbox_counts(user, *, today: dt.date) -> dict:
    """The customers' counts of a user's start page: their scheduled callbacks due today and
    overdue (inquiries have their own count: ``services.inquiries.inquiry_counts``), customers
    whose profile review is due, key-field changes sent back, handovers to confirm. The reviews
    waiting for those who decide: ``services.review_clock.waiting_deadlines``."""
    from customers.models import Handover

    scheduled = Q(status=ContactLog.Status.SCHEDULED)
    inquiry = Q(purpose=ContactLog.Purpose.INQUIRY)
    counts = ContactLog.objects.filter(scheduled, agent=user).aggregate(
        callbacks_today=Count("id", filter=~inquiry & Q(due_on=today)),
        callbacks_overdue=Count("id", filter=~inquiry & Q(due_on__lt=today)),
    )
    counts["profiles_due"] = my_profiles_due(user)
    counts["key_changes_sent_back"] = key_changes_sent_back(user)
    counts["handovers_to_confirm"] = Handover.objects.filter(to_user=user, status=Handover.Status.APPROVED).count()
    counts["profiles_incomplete"] = profiles_incomplete_after(user)
    return counts


def profiles_incomplete_after(user, days: int | None = None, *, now=None) -> int:
    """How many of ``user``'s own customers still have an incomplete profile ``days`` (default
    CUSTOMER_PROFILE_INCOMPLETE_DAYS, 001 篇2: 90) after the profile was created (the workbench)."""
    return profiles_incomplete_qs(days, now=now).filter(owner=user).count()


def profiles_incomplete_qs(days: int | None = None, *, now=None) -> QuerySet:
    """Customers not anonymised whose profile was created more than ``days`` ago and is still incomplete."""
    days = settings.CUSTOMER_PROFILE_INCOMPLETE_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return (Customer.objects.exclude(status=Customer.Status.ANONYMISED)
            .filter(created_at__lt=cutoff).filter(_profile_incomplete_q()))


def profiles_incomplete_by_owner(days: int | None = None, *, now=None) -> dict[int, int]:
    """{owner id: count} of owned customers incomplete after ``days`` (one grouped query)."""
    rows = (profiles_incomplete_qs(days, now=now).filter(owner__isnull=False).order_by()
            .values_list("owner_id").annotate(n=Count("pk")))
    return dict(rows)


# --- staff who are also customers (001 篇2: 公司内部人员不能成为VIP客户) ----------------------------
def _staff_keys() -> tuple[dict[str, int], dict[str, int]]:
    """({normalised mobile: user id}, {ID blind index: user id}) of current staff (active login,
    not left). Staff are few: their phones are normalised here rather than trusted as typed."""
    from core.models import StaffProfile

    mobiles, ids = {}, {}
    for user_id, phone, index in (StaffProfile.objects.filter(user__is_active=True, left_at__isnull=True)
                                  .values_list("user_id", "phone", "id_number_index")):
        mobile = try_normalise_mobile(phone) if phone else None
        if mobile:
            mobiles[mobile] = user_id
        if index:
            ids[index] = user_id
    return mobiles, ids


def staff_customers() -> QuerySet:
    """Customers (not anonymised) whose mobile or ID number is a current staff member's."""
    mobiles, ids = _staff_keys()
    if not mobiles and not ids:
        return Customer.objects.none()
    return (Customer.objects.exclude(status=Customer.Status.ANONYMISED)
            .filter(Q(mobile__in=list(mobiles)) | Q(id_number_index__in=list(ids))))


def staff_member_of_customer(customer: Customer):
    """The current member of staff whose mobile or ID number the customer has, or None."""
    from django.contrib.auth import get_user_model

    mobiles, ids = _staff_keys()
    user_id = mobiles.get(customer.mobile or "") or ids.get(customer.id_number_index or "")
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def customers_of_staff_member(user) -> QuerySet:
    """The customers who are ``user`` (same mobile or ID number), if ``user`` is current staff."""
    mobiles, ids = _staff_keys()
    return staff_customers().filter(
        Q(mobile__in=[m for m, u in mobiles.items() if u == user.pk])
        | Q(id_number_index__in=[i for i, u in ids.items() if u == user.pk]))
