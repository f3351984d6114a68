"""Ingestion step: the orders a push creates, and what it may change on those it already has.

New orders: ``INSERT … ON CONFLICT (platform, external_id) DO NOTHING RETURNING``; the rows it returns
are exactly the ones this call created (a concurrent push of the same order waits on the unique index
and then finds it existing, never a second order).

Existing orders are locked (``SELECT … FOR UPDATE``) and checked against ``Order.TRANSITIONS``: the
status only moves forward (a backwards move is ``status_backwards``, answered 409); a completed
order's fee and times stay as they were credited (``completed_order_frozen``, 409); a platform may
cancel a completed order (a refund) within ``ORDER_CANCEL_WINDOW_DAYS`` of its finish
(``cancel_window_passed``, 409). The allowed changes go in one ``INSERT … ON CONFLICT DO UPDATE``.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from core.db import chunks, upsert
from customers import rules
from customers.models import Customer, Order
from customers.services.ingestion.state import CREATED, UPDATED, IngestRun

# Item error codes the API answers 409 (the order's state forbids the change), not 400.
CONFLICT_CODES = frozenset({"status_backwards", "completed_order_frozen", "cancel_window_passed"})
# What a completed order was credited for (points, tier spend, the account manager's figures): frozen.
FROZEN_WHEN_COMPLETED = ("booked_at", "started_at", "finished_at", "fee")

# Order fields a push may set; omitted optional fields keep their stored values on an update.
_OPTIONAL_FIELDS = (
    "started_at", "finished_at", "pickup_address", "pickup_lat", "pickup_lng", "dropoff_address",
    "dropoff_lat", "dropoff_lng", "distance_km", "fee",
)
_UPSERT_UPDATE_FIELDS = ["status", "booked_at", "driver", "credited_owner", *_OPTIONAL_FIELDS, "updated_at"]


def order_fields(item: dict) -> dict:
    """The optional order columns an item sets (places flattened; a null fee is 0)."""
    out = {}
    for name in ("pickup", "dropoff"):
        if name in item:
            place = item[name] or {}
            out[f"{name}_address"] = place.get("address", "")
            out[f"{name}_lat"] = place.get("lat")
            out[f"{name}_lng"] = place.get("lng")
    for name in ("started_at", "finished_at", "distance_km", "fee"):
        if name in item:
            out[name] = item[name]
    if out.get("fee") is None and "fee" in out:
        out["fee"] = Decimal("0")
    return out


def order_rows(run: IngestRun, items: list[dict], customers: dict, drivers: dict) -> list[dict]:
    """The row each item would insert as a new order."""
    rows = []
    for it in items:
        cust = customers[it["_index"]]
        status = it["status"]
        rows.append({
            "platform_id": run.platform.pk, "external_id": it["external_id"], "customer_id": cust["pk"],
            "driver_id": drivers.get((it.get("driver") or {}).get("employee_no")), "status": status,
            "booked_at": it["booked_at"],
            "credited_owner_id": cust["owner_id"] if status == Order.Status.COMPLETED else None,
            "created_at": run.now, "updated_at": run.now, **order_fields(it),
            "_index": it["_index"],  # (not a column: the upsert reads only the model's fields)
        })
    return rows


def orders_insert_new(run: IngestRun, rows: list[dict]) -> list[dict]:
    """Insert the rows whose order is new; returns the rows of orders that already existed."""
    inserted: dict[str, int] = {}
    for chunk in chunks(rows, 500):
        inserted.update({ext: pk for pk, ext in upsert(
            Order, chunk, conflict=["platform", "external_id"],
            returning=["id", "external_id"])})
    existing = []
    for row in rows:
        if row["external_id"] not in inserted:
            existing.append(row)
            continue
        row["id"] = inserted[row["external_id"]]
        run.results[row["_index"]].saved(CREATED, row["id"], row["status"])
        run.order_customer[row["id"]] = row["customer_id"]
        if row["status"] == Order.Status.COMPLETED:
            run.completed(row)
    return existing


def orders_update_existing(run: IngestRun, pushed: list[dict], items_by_ext: dict, drivers: dict) -> None:
    """Lock the orders that exist, check each pushed change, upsert the allowed ones."""
    if not pushed:
        return
    stored = _lock_existing(run.platform, [r["external_id"] for r in pushed])
    owners = dict(Customer.objects.filter(pk__in={o["customer_id"] for o in stored.values()})
                  .values_list("pk", "owner_id"))
    upserts = []
    for row in pushed:
        order = _order_change(run, stored[row["external_id"]], items_by_ext[row["external_id"]], drivers, owners)
        if order is not None:
            upserts.append(order)
    for chunk in chunks(upserts, 500):  # rows are locked above: this upsert only updates
        upsert(Order, chunk, conflict=["platform", "external_id"], update=_UPSERT_UPDATE_FIELDS)


def _lock_existing(platform, external_ids: list[str]) -> dict[str, dict]:
    names = [f.attname for f in Order._meta.concrete_fields]
    return {
        row["external_id"]: row for row in Order.objects.select_for_update()
        .filter(platform=platform, external_id__in=external_ids).order_by("external_id").values(*names)
    }


def _order_change(run: IngestRun, order: dict, it: dict, drivers: dict, owners: dict) -> dict | None:
    """The stored ``order`` with the item's change applied, or None (the item's result says why)."""
    res = run.results[it["_index"]]
    old, new = order["status"], it["status"]
    if problem := _status_change_error(order, new, run.now):
        res.fail(*problem, fields=("status",))
        return None
    changes = {**order_fields(it), "booked_at": it["booked_at"]}
    frozen = _frozen_changes(order, changes) if old == Order.Status.COMPLETED else []
    if frozen:
        res.fail("completed_order_frozen", _("The order is completed: its fee and times can no longer change."),
                 fields=frozen)
        return None
    order.update(changes, status=new, updated_at=run.now)
    if it.get("driver"):
        order["driver_id"] = drivers.get(it["driver"]["employee_no"])
    if problem := _completion_error(order):
        res.fail("invalid", problem, fields=("finished_at",))
        return None
    if new == Order.Status.COMPLETED and old != Order.Status.COMPLETED:
        order["credited_owner_id"] = owners.get(order["customer_id"])
        run.completed(order)  # (a completed order's times are frozen)
    if new == Order.Status.CANCELLED and old == Order.Status.COMPLETED:
        run.newly_cancelled.add(order["id"])  # loyalty takes back what it earned
        run.touched_customers.add(order["customer_id"])
    res.saved(UPDATED, order["id"], new)
    run.order_customer[order["id"]] = order["customer_id"]
    return order


def _completion_error(order: dict) -> str | None:
    if order["finished_at"] is not None and order["finished_at"] < order["booked_at"]:
        return _("The order cannot finish before it was booked.")
    if order["status"] == Order.Status.COMPLETED and order["finished_at"] is None:
        return _("A completed order needs its finish time.")
    return None


def _frozen_changes(order: dict, changes: dict) -> list[str]:
    """The fields of ``FROZEN_WHEN_COMPLETED`` that ``changes`` would move on a completed ``order``.

    Freezing, rather than reversing and re-crediting: the points of a completed order may already be
    spent on a coupon (the ledger never goes negative), and its spend may have lifted the tier, which
    issued benefits and assigned an agent; undoing that chain from a platform's push would be a second
    ledger. A real correction of a completed order is made by staff (points adjusted with a reason)."""
    return [name for name in FROZEN_WHEN_COMPLETED if name in changes and changes[name] != order[name]]


def _status_change_error(order: dict, new: str, now) -> tuple[str, str] | None:
    """(code, message) when the platform may not move the stored ``order`` to ``new`` (409)."""
    old = order["status"]
    code = rules.order_status_change_error(old=old, new=new, transitions=Order.TRANSITIONS,
                                           finished_at=order["finished_at"], now=now,
                                           cancel_window_days=settings.ORDER_CANCEL_WINDOW_DAYS)
    if code == "cancel_window_passed":
        return code, _("A completed order can only be cancelled within %(days)s days of its finish.") % {
            "days": settings.ORDER_CANCEL_WINDOW_DAYS}
    if code:
        refusal = Order.TRANSITIONS.refusal(old, new)
        return refusal.code, refusal.message
    return None
