"""Order ingestion from platforms: one set-based service for a single push and a batch of 500.

``orders_ingest(platform=…, items=[…])`` takes validated items (the API's ``OrderInSerializer``
output: ``customers.validators`` rules already applied) and, in one transaction:

1. finds each customer by normalised mobile, else by the platform's user id (``PlatformAccount``),
   else creates it (source = platform, source platform) with ``INSERT … ON CONFLICT DO NOTHING`` so
   two pushes racing for a new mobile make one customer;
2. finds or creates drivers by employee number the same way;
3. inserts the orders that are new with ``INSERT … ON CONFLICT (platform, external_id) DO NOTHING
   RETURNING``: the rows it returns are exactly the ones this call created (a concurrent push of the
   same order waits on the unique index and then finds it existing, never a second order);
4. locks the existing ones (``SELECT … FOR UPDATE``), checks ``Order.TRANSITIONS`` (status only moves
   forward; a backwards move is an item error with code ``status_backwards``, answered 409), keeps a
   completed order's fee and times as they were credited (a change is ``completed_order_frozen``,
   409) and upserts the allowed changes in one ``INSERT … ON CONFLICT DO UPDATE``;
5. upserts ratings, links platform user ids, keeps usual places current (use count, last used),
   refreshes the customers' first/last order dates, credits completed orders to the customer's
   account manager at that moment, and writes the outbox events (``COMPLETED`` once per order,
   ``REVIEWED`` once per order) that loyalty handles after commit, and adds the created/updated
   orders to today's ingestion log (these trailing writes go to PostgreSQL in one round trip).

Every item is checked before anything is written, so an item either is saved whole or is an error
that wrote nothing; valid items are saved even when others fail. Queries per call are constant
(about fifteen), not per order.

Customer names: platforms often know only a form of address (王先生). A name that passes
``validate_full_name`` is kept; anything else creates the customer with a clearly marked pending name
``API_PENDING_NAME_PREFIX + what the platform sent`` (e.g. ``【待核实】王先生``), which the admin's entry
rules reject on the next edit so an agent replaces it with the real name. A later push with a real
name fills it in. Names of existing customers are otherwise never changed by a platform, nor is the
customer of an existing order.

``CANCELLED`` events: a platform may cancel a completed order (a refund) by pushing it again with
status ``cancelled`` within ``ORDER_CANCEL_WINDOW_DAYS`` of its stored finish time
(``customers.rules.order_status_change_error``; later: ``cancel_window_passed``, 409). That writes a
``CANCELLED`` event once, and loyalty reverses the order's points (pending ones never become
available). A booked order that is cancelled had no points to take back: no event.
"""

import datetime as dt
import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api_errors import json_safe
from core.masking import mask_mobile, mask_name
from customers import rules
from customers.errors import CustomerError
from customers.models import (
    Customer,
    Driver,
    IngestionDay,
    Order,
    OrderEvent,
    Place,
    Platform,
    PlatformAccount,
    RejectedPayload,
    Review,
)
from customers.services.customers import customer_refresh_order_dates
from customers.services.events import order_events_emit, order_events_enqueue
from customers.validators import validate_address, validate_full_name

log = logging.getLogger(__name__)

CREATED, UPDATED, ERROR = "created", "updated", "error"
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


@dataclass
class ItemResult:
    index: int
    external_id: str
    result: str = ERROR
    order_id: int | None = None
    customer_public_id: str | None = None
    status: str | None = None
    code: str = ""
    message: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result != ERROR


class OrderError(CustomerError):
    """An order-specific refusal; ``api_status`` tells the API which status to answer."""


# --- names ---------------------------------------------------------------------------------------
def platform_customer_name(name: str | None) -> str:
    """The name to store for a customer a platform creates: the name itself if it is a real full
    name, else a clearly marked pending name (see the module docstring)."""
    name = (name or "").strip()
    try:
        validate_full_name(name)
        return name
    except ValidationError:
        prefix = settings.API_PENDING_NAME_PREFIX
        return f"{prefix}{name or _('no name given')}"[:60]


def is_pending_name(name: str) -> bool:
    return (name or "").startswith(settings.API_PENDING_NAME_PREFIX)


# --- SQL helpers -----------------------------------------------------------------------------------
_PLAIN = (str, int, float, bool, Decimal, dt.datetime, dt.date, uuid.UUID, type(None))


def _row_values(fields, rows, now):
    """Per field, the list of its values over ``rows`` (dicts by attname); a missing value takes the
    field's default (called per row: a new uuid each), auto_now fields take ``now``."""
    columns = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns.append([r.get(f.attname) or now for r in rows])
        elif f.has_default() and callable(f.default):
            columns.append([r[f.attname] if f.attname in r else f.get_default() for r in rows])
        else:
            default = f.get_default()
            columns.append([r.get(f.attname, default) for r in rows])
    return columns


_CAST_TYPES: dict = {}


def _cast_type(f) -> str:
    """The PostgreSQL type of a field's column (``cast_db_type`` recomputes it on every call)."""
    key = (f.model, f.attname)
    if key not in _CAST_TYPES:
        _CAST_TYPES[key] = f.cast_db_type(connection)
    return _CAST_TYPES[key]


def _pg_array_literal(values) -> str:
    """A PostgreSQL array literal (``{"a","b",NULL}``) of plain values, cast by the statement to the
    column's type. One string parameter per column: psycopg adapts element by element in Python
    (12 µs per timestamp), building the literal here takes a fraction of that."""
    parts = []
    for v in values:
        if v is None:
            parts.append("NULL")
        elif type(v) is int:
            parts.append(str(v))
        else:
            text = v.isoformat() if isinstance(v, dt.date) else str(v)
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def _source(fields, columns) -> tuple[str, list]:
    """The row source of an INSERT: ``SELECT * FROM unnest(%s::type[], …)`` with one array per column
    on PostgreSQL (a short statement with a constant number of parameters: nothing for psycopg or
    the server to parse per row), else a multi-row ``VALUES`` list. ``columns``: per field, its
    values over the rows."""
    if connection.vendor == "postgresql":
        params = []
        for f, values in zip(fields, columns, strict=True):
            if all(isinstance(v, _PLAIN) for v in values):
                params.append(_pg_array_literal(values))
            else:
                params.append([f.get_db_prep_save(v, connection=connection) for v in values])
        return "SELECT * FROM unnest(" + ", ".join(f"%s::{_cast_type(f)}[]" for f in fields) + ")", params
    n = len(columns[0]) if columns else 0
    params = [f.get_db_prep_save(columns[j][i], connection=connection) for i in range(n) for j, f in enumerate(fields)]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return "VALUES " + ", ".join([one] * n), params


class _Writes:
    """Statements whose answer nobody reads, sent together: on PostgreSQL in one round trip (Django's
    psycopg cursors bind parameters on the client, which allows several statements in one execute),
    elsewhere one by one as they come. The ingestion's trailing writes (ratings, platform links, usual
    places, order dates, events) were five round trips of a single push."""

    def __init__(self):
        self.statements: list[str] = []
        self.params: list = []

    def add(self, sql: str, params) -> None:
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        self.statements.append(sql)
        self.params.extend(params)

    def send(self) -> None:
        if self.statements:
            with connection.cursor() as cursor:
                cursor.execute(";\n".join(self.statements), self.params)
            self.statements, self.params = [], []


def _upsert(model, rows: list[dict], *, conflict: list[str] | None, update: list[str] = (),
            returning: list[str] = (), ignore_conflicts: bool = False, writes: _Writes | None = None) -> list[tuple]:
    """``INSERT … [ON CONFLICT (conflict) DO NOTHING | DO UPDATE SET update…] [RETURNING …]`` of
    ``rows`` (dicts by attname; omitted fields take their defaults), in one statement. Returns the
    rows inserted or updated (``DO NOTHING``: only the rows this statement inserted, which is how
    callers know what they created). No model instances are built: this is the hot path of batches.

    On PostgreSQL the rows travel as one array per column (``SELECT * FROM unnest(…)``): a constant
    number of parameters, whatever the batch size, so neither psycopg nor the server parses a
    10,000-placeholder statement. Elsewhere (SQLite, the test default) a multi-row VALUES list."""
    if not rows:
        return []
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key or f.attname in rows[0]]
    qn = connection.ops.quote_name
    columns = _row_values(fields, rows, timezone.now())
    source, params = _source(fields, columns)
    sql = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) {source}"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    elif conflict:
        target = ", ".join(qn(opts.get_field(c).column) for c in conflict)
        if update:
            cols = [opts.get_field(c).column for c in update]
            sql += f" ON CONFLICT ({target}) DO UPDATE SET " + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in cols)
        else:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(qn(opts.get_field(c).column) for c in returning)
    if writes is not None and not returning:
        writes.add(sql, params)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


_IN_SQL: dict = {}


def _values_in(model, field: str, keys, cols: tuple[str, ...]) -> list[tuple]:
    """``model.objects.filter(<field>__in=keys).values_list(*cols)`` for plain columns. On PostgreSQL
    one fixed statement, ``… WHERE <column> = ANY(<array literal>)``, built once per process: for a
    single push, building the ORM query cost more than the database spent running it."""
    keys = list(keys)
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**{f"{field}__in": keys}).values_list(*cols))
    cache_key = (model, field, cols)
    sql = _IN_SQL.get(cache_key)
    if sql is None:
        opts, qn = model._meta, connection.ops.quote_name
        key_field = opts.get_field(field)
        columns = ", ".join(qn(opts.pk.column if c == "pk" else opts.get_field(c).column) for c in cols)
        sql = (f"SELECT {columns} FROM {qn(opts.db_table)} "
               f"WHERE {qn(key_field.column)} = ANY(%s::{_cast_type(key_field)}[])")
        _IN_SQL[cache_key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [_pg_array_literal(keys)])
        return cursor.fetchall()


def _chunks(seq, size):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


# --- customers and drivers -----------------------------------------------------------------------
def _resolve_customers(platform: Platform, items: list[dict]) -> dict[int, dict]:
    """index → {"id", "owner_id", "public_id", "full_name", …} for every item, creating new customers."""
    cols = ("pk", "owner_id", "public_id", "full_name", "mobile", "source_platform_id")
    mobiles = sorted({it["customer"]["mobile"] for it in items})
    by_mobile = {row[4]: dict(zip(cols, row, strict=True)) for row in _values_in(Customer, "mobile", mobiles, cols)}
    missing = [it for it in items if it["customer"]["mobile"] not in by_mobile]
    by_account: dict[str, dict] = {}
    ext_ids = sorted({it["customer"].get("external_id") for it in missing if it["customer"].get("external_id")})
    if ext_ids:
        for ext, *row in (
            PlatformAccount.objects.filter(platform=platform, external_user_id__in=ext_ids)
            .exclude(customer__status=Customer.Status.ANONYMISED)
            .values_list("external_user_id", "customer_id", "customer__owner_id", "customer__public_id",
                         "customer__full_name", "customer__mobile", "customer__source_platform_id")
        ):
            by_account[ext] = dict(zip(cols, row, strict=True))
    to_create: dict[str, dict] = {}
    source = Customer.Source.OWN_APP if platform.kind == Platform.Kind.OWN_APP else Customer.Source.PLATFORM
    now = timezone.now()
    for it in missing:
        c = it["customer"]
        if c.get("external_id") in by_account or c["mobile"] in to_create:
            continue
        to_create[c["mobile"]] = {
            "public_id": uuid.uuid4(), "full_name": platform_customer_name(c.get("name")), "mobile": c["mobile"],
            "source": source, "source_platform_id": platform.pk, "created_at": now, "updated_at": now,
        }
    if to_create:
        created = []
        for chunk in _chunks([to_create[m] for m in sorted(to_create)], 500):
            created += _upsert(Customer, chunk, conflict=["mobile"], returning=["id", "mobile"])
        _customers_history_created(platform, [{**to_create[mobile], "id": pk} for pk, mobile in created], now)
        for pk, mobile in created:
            row = to_create[mobile]
            by_mobile[mobile] = {"pk": pk, "owner_id": None, "public_id": row["public_id"],
                                 "full_name": row["full_name"], "mobile": mobile, "source_platform_id": platform.pk}
        lost = [m for m in to_create if m not in by_mobile]  # created meanwhile by a concurrent push
        if lost:
            by_mobile.update({row[4]: dict(zip(cols, row, strict=True))
                              for row in _values_in(Customer, "mobile", lost, cols)})
    resolved = {}
    fill_names = {}
    for it in items:
        c = it["customer"]
        found = by_mobile.get(c["mobile"]) or by_account.get(c.get("external_id"))
        resolved[it["_index"]] = found
        name = (c.get("name") or "").strip()
        # Only the platform that brought the customer completes their name: another platform pushing an
        # order with this mobile does not get to name someone else's customer (customers.platform_scope).
        if found and is_pending_name(found["full_name"]) and name and found["source_platform_id"] == platform.pk:
            real = platform_customer_name(name)
            if not is_pending_name(real):
                fill_names[found["pk"]] = real
                found["full_name"] = real
    if fill_names:
        objs = [Customer(pk=pk, full_name=name) for pk, name in fill_names.items()]
        Customer.objects.bulk_update(objs, ["full_name"])
    return resolved


def _customers_history_created(platform, rows: list[dict], now) -> None:
    """The "created" rows of the customers' change history (django-simple-history), written in one
    statement like the customers themselves; the user is empty: a platform, not a member of staff."""
    if not rows:
        return
    history = Customer.history.model
    names = {f.attname for f in history._meta.concrete_fields}
    reason = f"platform API: {platform.code}"
    _upsert(history, [
        {**{k: v for k, v in row.items() if k in names}, "history_date": now, "history_type": "+",
         "history_change_reason": reason, "history_user_id": None}
        for row in rows
    ], conflict=None)


def _resolve_drivers(items: list[dict]) -> dict[str, int]:
    wanted = {}
    for it in items:
        d = it.get("driver")
        if d:
            wanted.setdefault(d["employee_no"], (d.get("name") or "").strip() or d["employee_no"])
    if not wanted:
        return {}
    found = dict(_values_in(Driver, "employee_no", wanted, ("employee_no", "pk")))
    new = [Driver(employee_no=no, name=wanted[no][:60]) for no in sorted(wanted) if no not in found]
    if new:
        Driver.objects.bulk_create(new, ignore_conflicts=True)
        found.update(_values_in(Driver, "employee_no", [d.employee_no for d in new], ("employee_no", "pk")))
    return found


# --- the service ------------------------------------------------------------------------------------
def _order_fields(item: dict) -> dict:
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


def _frozen_changes(order: dict, changes: dict) -> list[str]:
    """The fields of ``FROZEN_WHEN_COMPLETED`` that ``changes`` would move on a completed ``order``.

    Freezing, rather than reversing and re-crediting: the points of a completed order may already be
    spent on a coupon (the ledger never goes negative), and its spend may have lifted the tier, which
    issued benefits and assigned an agent; undoing that chain from a platform's push would be a second
    ledger. A real correction of a completed order is made by staff (points adjusted with a reason)."""
    return [name for name in FROZEN_WHEN_COMPLETED if name in changes and changes[name] != order[name]]


def orders_ingest(*, platform: Platform, items: list[dict]) -> list[ItemResult]:
    """Create or update the platform's orders; see the module docstring. ``items`` are validated
    dicts; each may carry ``_index`` (its position in the request). Idempotent: pushing the same
    items again changes nothing but ``updated_at`` and writes no second event."""
    results: dict[int, ItemResult] = {}
    valid: list[dict] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        item.setdefault("_index", i)
        ext = item["external_id"]
        results[item["_index"]] = ItemResult(index=item["_index"], external_id=ext)
        if ext in seen:
            results[item["_index"]].code = "duplicate_in_batch"
            results[item["_index"]].message = _("This order appears more than once in the batch.")
            results[item["_index"]].errors = {"external_id": [results[item["_index"]].message]}
            continue
        seen.add(ext)
        valid.append(item)
    valid.sort(key=lambda it: it["external_id"])  # one lock order for concurrent batches
    newly_completed: set[int] = set()
    newly_cancelled: set[int] = set()
    reviewed: set[int] = set()
    touched_customers: set[int] = set()
    place_uses: list[tuple] = []
    with transaction.atomic():
        customers = _resolve_customers(platform, valid) if valid else {}
        drivers = _resolve_drivers(valid)
        now = timezone.now()
        new_rows = []
        for it in valid:
            cust = customers[it["_index"]]
            status = it["status"]
            new_rows.append({
                "platform_id": platform.pk, "external_id": it["external_id"], "customer_id": cust["pk"],
                "driver_id": drivers.get((it.get("driver") or {}).get("employee_no")), "status": status,
                "booked_at": it["booked_at"],
                "credited_owner_id": cust["owner_id"] if status == Order.Status.COMPLETED else None,
                "created_at": now, "updated_at": now, **_order_fields(it),
            })
        inserted: dict[str, int] = {}
        for chunk in _chunks(new_rows, 500):
            inserted.update({ext: pk for pk, ext in _upsert(
                Order, chunk, conflict=["platform", "external_id"], returning=["id", "external_id"])})
        by_ext = {it["external_id"]: it for it in valid}
        order_customer: dict[int, int] = {}
        for row in new_rows:
            if row["external_id"] in inserted:
                row["id"] = inserted[row["external_id"]]
                res = results[by_ext[row["external_id"]]["_index"]]
                res.result, res.order_id, res.status = CREATED, row["id"], row["status"]
                order_customer[row["id"]] = row["customer_id"]
                if row["status"] == Order.Status.COMPLETED:
                    newly_completed.add(row["id"])
                    touched_customers.add(row["customer_id"])
                    place_uses.append(row)
        existing_ids = [r["external_id"] for r in new_rows if r["external_id"] not in inserted]
        upserts = []
        if existing_ids:
            order_fields = [f.attname for f in Order._meta.concrete_fields]
            existing = {
                row["external_id"]: row for row in Order.objects.select_for_update()
                .filter(platform=platform, external_id__in=existing_ids).order_by("external_id").values(*order_fields)
            }
            owners = dict(Customer.objects.filter(pk__in={o["customer_id"] for o in existing.values()})
                          .values_list("pk", "owner_id"))
            for ext in existing_ids:
                it = by_ext[ext]
                res = results[it["_index"]]
                order = existing[ext]
                old = order["status"]
                new = it["status"]
                if problem := _status_change_error(order, new, now):
                    res.code, res.message = problem
                    res.errors = {"status": [res.message]}
                    continue
                changes = _order_fields(it)
                frozen = (_frozen_changes(order, {**changes, "booked_at": it["booked_at"]})
                          if old == Order.Status.COMPLETED else [])
                if frozen:
                    res.code = "completed_order_frozen"
                    res.message = _("The order is completed: its fee and times can no longer change.")
                    res.errors = {name: [res.message] for name in frozen}
                    continue
                order.update(changes)
                order["booked_at"] = it["booked_at"]
                order["status"] = new
                order["updated_at"] = now
                if it.get("driver"):
                    order["driver_id"] = drivers.get(it["driver"]["employee_no"])
                if order["finished_at"] is not None and order["finished_at"] < order["booked_at"]:
                    res.code = "invalid"
                    res.message = _("The order cannot finish before it was booked.")
                    res.errors = {"finished_at": [res.message]}
                    continue
                if new == Order.Status.COMPLETED and order["finished_at"] is None:
                    res.code = "invalid"
                    res.message = _("A completed order needs its finish time.")
                    res.errors = {"finished_at": [res.message]}
                    continue
                if new == Order.Status.COMPLETED and old != Order.Status.COMPLETED:
                    order["credited_owner_id"] = owners.get(order["customer_id"])
                    newly_completed.add(order["id"])
                    place_uses.append(order)
                    touched_customers.add(order["customer_id"])  # (a completed order's times are frozen)
                if new == Order.Status.CANCELLED and old == Order.Status.COMPLETED:
                    newly_cancelled.add(order["id"])  # loyalty takes back what it earned
                    touched_customers.add(order["customer_id"])
                res.result, res.order_id, res.status = UPDATED, order["id"], new
                order_customer[order["id"]] = order["customer_id"]
                upserts.append(order)
        if upserts:
            for chunk in _chunks(upserts, 500):  # rows are locked above: this upsert only updates
                _upsert(Order, chunk, conflict=["platform", "external_id"], update=_UPSERT_UPDATE_FIELDS)
        # Ratings of saved orders (only completed orders can be rated: checked here and by the API).
        reviews = []
        for it in valid:
            res = results[it["_index"]]
            if res.ok and it.get("rating"):
                if res.status != Order.Status.COMPLETED:
                    continue  # the serializer rejects this combination; defensive
                r = it["rating"]
                reviews.append({"order_id": res.order_id, "customer_id": order_customer[res.order_id],
                                "rating": r["score"], "recommend_score": r.get("recommend"),
                                "comment": r.get("comment", ""), "source": Review.Source.PLATFORM,
                                "created_at": now, "updated_at": now})
                reviewed.add(res.order_id)
        writes = _Writes()
        if reviews:
            for chunk in _chunks(reviews, 500):
                _upsert(Review, chunk, conflict=["order"],
                        update=["rating", "recommend_score", "comment", "source", "updated_at"], writes=writes)
        _link_platform_accounts(platform, valid, customers, results, writes)
        _places_record_use(place_uses, writes)
        if touched_customers:
            _refresh_order_dates(sorted(touched_customers), writes)
        _events_emit([(pk, OrderEvent.Kind.COMPLETED) for pk in sorted(newly_completed)]
                     + [(pk, OrderEvent.Kind.REVIEWED) for pk in sorted(reviewed)]
                     + [(pk, OrderEvent.Kind.CANCELLED) for pk in sorted(newly_cancelled)], writes)
        # Today's created/updated counts of the ingestion log, with the orders they count; last, so the
        # per-day row is locked only for the instant before commit (rejections: ``ingestion_record``).
        outcomes = [r.result for r in results.values()]
        _ingestion_counts_add(platform, created=outcomes.count(CREATED), updated=outcomes.count(UPDATED),
                              rejected=0, writes=writes)
        writes.send()
    public_ids = {c["pk"]: c["public_id"] for c in customers.values() if c}
    unknown = set(order_customer.values()) - set(public_ids)  # customers of existing orders
    if unknown:
        public_ids.update(Customer.objects.filter(pk__in=unknown).values_list("pk", "public_id"))
    for res in results.values():
        if res.ok:
            res.customer_public_id = str(public_ids.get(order_customer.get(res.order_id), ""))
    return [results[k] for k in sorted(results)]


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
        return code, _("The order is already “%(old)s”; its status cannot go back to “%(new)s”.") % {
            "old": Order.Status(old).label, "new": Order.Status(new).label}
    return None


def _refresh_order_dates(customer_ids: list[int], writes: _Writes) -> None:
    """``customer_refresh_order_dates`` for customers that have completed orders (every customer an
    ingestion touches): on PostgreSQL the first/last order times and the wake-up of dormant customers
    in one ``UPDATE … FROM (SELECT … GROUP BY)`` statement instead of two correlated updates."""
    if connection.vendor != "postgresql":
        customer_refresh_order_dates(customer_ids=customer_ids)
        return
    qn = connection.ops.quote_name
    customers, orders = qn(Customer._meta.db_table), qn(Order._meta.db_table)
    cutoff = timezone.now() - dt.timedelta(days=settings.CUSTOMER_DORMANT_AFTER_DAYS)
    dormant, active = Customer.Status.DORMANT.value, Customer.Status.ACTIVE.value
    wake = "c.status = %s AND s.last_at >= %s"
    writes.add(
        f"UPDATE {customers} AS c SET last_order_at = s.last_at, first_order_at = s.first_at, "
        f"status = CASE WHEN {wake} THEN %s ELSE c.status END, "
        f"status_reason = CASE WHEN {wake} THEN %s ELSE c.status_reason END "
        f"FROM (SELECT customer_id, MAX(finished_at) AS last_at, MIN(finished_at) AS first_at FROM {orders} "
        f"WHERE customer_id = ANY(%s::bigint[]) AND status = %s GROUP BY customer_id) AS s WHERE c.id = s.customer_id",
        [dormant, cutoff, active, dormant, cutoff, _("Ordered again"), _pg_array_literal(customer_ids),
         Order.Status.COMPLETED.value],
    )


def _events_emit(events: list[tuple[int, str]], writes: _Writes) -> None:
    """The outbox rows of this ingestion (``COMPLETED`` and ``REVIEWED`` together, once per order and
    kind: ``ON CONFLICT DO NOTHING``) in one statement, and one enqueue after commit for all of
    them; same contract as ``order_events_emit`` (a broker outage leaves them to the sweep)."""
    if not events:
        return
    now = timezone.now()
    _upsert(OrderEvent, [{"order_id": pk, "kind": kind, "created_at": now} for pk, kind in events],
            conflict=None, ignore_conflicts=True, writes=writes)
    transaction.on_commit(order_events_enqueue)


def _link_platform_accounts(platform, items, customers, results, writes: _Writes) -> None:
    links = {}
    for it in items:
        ext = it["customer"].get("external_id")
        if ext and results[it["_index"]].ok and ext not in links:
            links[ext] = {"platform_id": platform.pk, "external_user_id": ext,
                          "customer_id": customers[it["_index"]]["pk"]}
    if links:
        _upsert(PlatformAccount, [links[k] for k in sorted(links)], conflict=["platform", "external_user_id"],
                writes=writes)


def _places_record_use(uses: list[dict], writes: _Writes) -> None:
    """Count each completed order's pick-up and drop-off address as a use of the customer's usual
    place (created on first use; vague addresses are not made places). One upsert statement."""
    counts: dict[tuple, list] = {}
    for order in uses:
        when = order.get("finished_at") or order["booked_at"]
        for kind, address, lat, lng in (
            (Place.Kind.PICKUP, order.get("pickup_address"), order.get("pickup_lat"), order.get("pickup_lng")),
            (Place.Kind.DROPOFF, order.get("dropoff_address"), order.get("dropoff_lat"), order.get("dropoff_lng")),
        ):
            address = (address or "").strip()
            if not address:
                continue
            try:
                validate_address(address)
            except ValidationError:
                continue
            key = (order["customer_id"], kind, address)
            entry = counts.setdefault(key, [0, when, lat, lng])
            entry[0] += 1
            if when and (entry[1] is None or when > entry[1]):
                entry[1] = when
    if not counts:
        return
    table = connection.ops.quote_name(Place._meta.db_table)
    names = ("customer_id", "kind", "label", "address", "lat", "lng", "use_count", "last_used_at")
    fields = [Place._meta.get_field(n) for n in names]
    ordered = sorted(counts.items())
    columns = [
        [customer_id for (customer_id, _k, _a), _v in ordered],
        [kind for (_c, kind, _a), _v in ordered],
        [Place.Label.OTHER.value] * len(ordered),
        [address for (_c, _k, address), _v in ordered],
        [lat for _key, (_n, _w, lat, _g) in ordered],
        [lng for _key, (_n, _w, _t, lng) in ordered],
        [n for _key, (n, _w, _t, _g) in ordered],
        [when for _key, (_n, when, _t, _g) in ordered],
    ]
    source, params = _source(fields, columns)
    cols = ", ".join(names)
    sql = (
        f"INSERT INTO {table} ({cols}) {source} "
        f"ON CONFLICT (customer_id, kind, address) DO UPDATE SET "
        f"use_count = {table}.use_count + excluded.use_count, "
        f"last_used_at = CASE WHEN {table}.last_used_at IS NULL OR excluded.last_used_at > {table}.last_used_at "
        f"THEN excluded.last_used_at ELSE {table}.last_used_at END, "
        f"lat = COALESCE(excluded.lat, {table}.lat), lng = COALESCE(excluded.lng, {table}.lng)"
    )
    writes.add(sql, params)


# --- ratings ----------------------------------------------------------------------------------------
@transaction.atomic
def order_rate(*, order: Order, score: int, recommend: int | None = None, comment: str = "",
               source: str = Review.Source.PLATFORM) -> tuple[Review, bool]:
    """Add or replace the review of a completed order and record the ``REVIEWED`` event (once per
    order). Returns (review, created). Raises OrderError (409) for an order that is not completed."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.COMPLETED:
        raise OrderError(_("Only a completed order can be rated."), code="not_completed", api_status=409)
    review, created = Review.objects.update_or_create(
        order=order,
        defaults={"customer_id": order.customer_id, "rating": score, "recommend_score": recommend,
                  "comment": comment or "", "source": source},
    )
    order_events_emit(order_ids=[order.pk], kind=OrderEvent.Kind.REVIEWED)
    return review, created


# --- the ingestion log ----------------------------------------------------------------------------------
def _mask_payload(payload):
    """Personal data out of a rejected payload before it is stored: mobiles and names masked,
    addresses cut to their first characters."""
    if isinstance(payload, dict):
        out = {}
        for key, value in payload.items():
            if key == "mobile" and isinstance(value, str | int):
                out[key] = mask_mobile(str(value))
            elif key == "name" and isinstance(value, str):
                out[key] = mask_name(value)
            elif key == "address" and isinstance(value, str):
                out[key] = value[:6] + ("…" if len(value) > 6 else "")
            elif key in ("lat", "lng"):
                out[key] = "*"
            elif key == "comment" and isinstance(value, str):
                out[key] = value[:20]
            else:
                out[key] = _mask_payload(value)
        return out
    if isinstance(payload, list):
        return [_mask_payload(v) for v in payload[:50]]
    if isinstance(payload, str):
        return payload[:200]
    return payload


def ingestion_record(*, platform: Platform, created: int = 0, updated: int = 0,
                     rejections: list[tuple] = (), endpoint: str = "") -> None:
    """Add to the platform's counts for today and keep the last rejected payloads (masked), at most
    ``API_REJECTED_PAYLOADS_KEPT`` per platform. For rejections (which wrote nothing else) and explicit
    counts: ``orders_ingest`` counts the orders it created and updated itself, in its transaction."""
    rejected = len(rejections)
    if not (created or updated or rejected):
        return
    try:
        # Counts alone are one autocommit statement (the per-day row is locked only for its own
        # instant); with rejections, the statements go together.
        with transaction.atomic() if rejected else nullcontext():
            _ingestion_write(platform=platform, created=created, updated=updated, rejections=rejections,
                             endpoint=endpoint)
    except DatabaseError:  # the log must never fail a push: say so and go on
        log.exception("could not write the ingestion log for platform %s", platform.pk)


def _ingestion_counts_add(platform, *, created: int, updated: int, rejected: int, writes: _Writes) -> None:
    if not (created or updated or rejected):
        return
    table = connection.ops.quote_name(IngestionDay._meta.db_table)
    day = IngestionDay._meta.get_field("day").get_db_prep_save(timezone.localdate(), connection)
    writes.add(
        f"INSERT INTO {table} (platform_id, day, created, updated, rejected) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (platform_id, day) DO UPDATE SET created = {table}.created + excluded.created, "
        f"updated = {table}.updated + excluded.updated, rejected = {table}.rejected + excluded.rejected",
        [platform.pk, day, created, updated, rejected],
    )


def _ingestion_write(*, platform, created, updated, rejections, endpoint) -> None:
    rejected = len(rejections)
    writes = _Writes()
    _ingestion_counts_add(platform, created=created, updated=updated, rejected=rejected, writes=writes)
    writes.send()
    if not rejected:
        return
    keep = settings.API_REJECTED_PAYLOADS_KEPT
    RejectedPayload.objects.bulk_create([
        RejectedPayload(platform=platform, endpoint=endpoint[:200], payload=json_safe(_mask_payload(payload)),
                        errors=json_safe(errors))
        for payload, errors in list(rejections)[-keep:]
    ])
    cutoff = (RejectedPayload.objects.filter(platform=platform).order_by("-pk")
              .values_list("pk", flat=True)[keep:keep + 1])
    cutoff = list(cutoff)
    if cutoff:
        RejectedPayload.objects.filter(platform=platform, pk__lte=cutoff[0]).delete()
