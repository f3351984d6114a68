"""A customer's first and last completed-order times, the activity mark, and the wake-up of a dormant
customer who ordered again: one behaviour, two statements of it.

``customer_refresh_order_dates`` recomputes the times from the customer's completed orders (none
left — e.g. the only one was cancelled — clears them): first, last and the *activity mark*, when the
N-th most recent one finished (N = ``CUSTOMER_ACTIVITY_HIGH_ORDERS``; the customer list's "high
activity" filter is ``activity_mark_at`` inside the window, ``customers.selectors.filter_by_activity``).
It makes a dormant customer active again when the last one is within ``CUSTOMER_DORMANT_AFTER_DAYS``.
On PostgreSQL one ``UPDATE … FROM (SELECT … GROUP BY)`` statement (it can wait on ``writes``, order
ingestion's trailing round trip); elsewhere the ORM's two updates. ``tests/customers/test_order_dates.py``
proves them equal on the same data. After changing ``CUSTOMER_ACTIVITY_HIGH_ORDERS``, run
``manage.py refresh_order_dates`` once (it recomputes every customer's times).
"""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import Writes, pg_array_literal
from customers.models import Customer, Order


def customer_refresh_order_dates(*, customer_ids, writes: Writes | None = None) -> int | None:
    """Recompute these customers' first/last completed-order times and wake the dormant ones who
    ordered since. Returns how many customers were updated (None when the statement waits on
    ``writes``)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        return _refresh_sql(ids, writes)
    return _refresh_orm(ids)


def _mark_rank() -> int:
    return max(settings.CUSTOMER_ACTIVITY_HIGH_ORDERS, 1)


def _cutoff():
    return timezone.now() - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS)


def _refresh_orm(ids: list[int]) -> int:
    completed = Order.objects.filter(customer=OuterRef("pk"), status=Order.Status.COMPLETED)
    qs = Customer.objects.filter(pk__in=ids)
    count = qs.update(
        last_order_at=Subquery(completed.values("customer").annotate(m=Max("finished_at")).values("m")[:1]),
        first_order_at=Subquery(completed.values("customer").annotate(m=Min("finished_at")).values("m")[:1]),
        activity_mark_at=Subquery(completed.filter(finished_at__isnull=False).order_by("-finished_at")
                                  .values("finished_at")[_mark_rank() - 1:_mark_rank()]),
    )
    qs.filter(status=Customer.Status.DORMANT, last_order_at__gte=_cutoff()).update(
        status=Customer.Status.ACTIVE, status_reason=_("Ordered again")
    )
    return count


def _refresh_sql(ids: list[int], writes: Writes | None) -> int | None:
    qn = connection.ops.quote_name
    customers, orders = qn(Customer._meta.db_table), qn(Order._meta.db_table)
    cutoff = _cutoff()
    dormant, active = Customer.Status.DORMANT.value, Customer.Status.ACTIVE.value
    wake = "c.status = %s AND s.last_at >= %s"
    # LEFT JOIN: a customer with no completed order left gets NULL times, as the ORM's subqueries give.
    sql = (
        f"UPDATE {customers} AS c SET last_order_at = s.last_at, first_order_at = s.first_at, "
        f"activity_mark_at = s.mark_at, "
        f"status = CASE WHEN {wake} THEN %s ELSE c.status END, "
        f"status_reason = CASE WHEN {wake} THEN %s ELSE c.status_reason END "
        f"FROM (SELECT k.id AS customer_id, MAX(o.finished_at) AS last_at, MIN(o.finished_at) AS first_at, "
        f"(array_agg(o.finished_at ORDER BY o.finished_at DESC) FILTER (WHERE o.finished_at IS NOT NULL))[%s] "
        f"AS mark_at FROM unnest(%s::bigint[]) AS k(id) "
        f"LEFT JOIN {orders} AS o ON o.customer_id = k.id AND o.status = %s "
        f"GROUP BY k.id) AS s WHERE c.id = s.customer_id"
    )
    params = [dormant, cutoff, active, dormant, cutoff, _("Ordered again"), _mark_rank(), pg_array_literal(ids),
              Order.Status.COMPLETED.value]
    if writes is not None:
        writes.add(sql, params)
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
