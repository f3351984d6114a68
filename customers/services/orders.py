"""Order ingestion from platforms: one set-based service for a single push and a batch of 500.
``orders_ingest`` runs the steps of ``customers.services.ingestion`` in order.

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

from django.db import transaction
from django.utils.translation import gettext as _

from core.db import Writes
from customers.errors import CustomerError, OrderError  # noqa: F401 - OrderError: callers import it here
from customers.models import Customer, Order, OrderEvent, Platform, Review
from customers.services.events import order_events_emit, order_events_record
from customers.services.ingestion.changes import (  # noqa: F401 - CONFLICT_CODES: the API's 409s
    CONFLICT_CODES,
    FROZEN_WHEN_COMPLETED,
    order_rows,
    orders_insert_new,
    orders_update_existing,
)
from customers.services.ingestion.effects import places_record_use, platform_accounts_link, reviews_save
from customers.services.ingestion.log import ingestion_counts_add, ingestion_record  # noqa: F401
from customers.services.ingestion.parties import (  # noqa: F401
    customers_resolve,
    drivers_resolve,
    is_pending_name,
    platform_customer_name,
)
from customers.services.ingestion.state import CREATED, ERROR, UPDATED, IngestRun, ItemResult  # noqa: F401
from customers.services.order_dates import customer_refresh_order_dates


def orders_ingest(*, platform: Platform, items: list[dict]) -> list[ItemResult]:
    """Create or update the platform's orders; see the module docstring. ``items`` are validated
    dicts; each may carry ``_index`` (its position in the request). Idempotent: pushing the same
    items again changes nothing but ``updated_at`` and writes no second event."""
    run = IngestRun(platform=platform)
    valid = _duplicates_refused(run, items)
    with transaction.atomic():
        customers = customers_resolve(platform, valid) if valid else {}
        drivers = drivers_resolve(valid)
        existing = orders_insert_new(run, order_rows(run, valid, customers, drivers))
        orders_update_existing(run, existing, {it["external_id"]: it for it in valid}, drivers)
        writes = Writes()
        reviews_save(run, valid, writes)
        platform_accounts_link(run, valid, customers, writes)
        places_record_use(run, writes)
        customer_refresh_order_dates(customer_ids=run.touched_customers, writes=writes)
        order_events_record(run.events(), writes=writes)
        _ingestion_counts(run, writes)  # last: the per-day row is locked only for the instant before commit
        writes.send()
    _customer_public_ids(run, customers)
    return [run.results[k] for k in sorted(run.results)]


def _duplicates_refused(run: IngestRun, items: list[dict]) -> list[dict]:
    """Every item gets its result; the second and later items of one order are errors. Returns the
    others sorted by external id: one lock order for concurrent batches."""
    valid, seen = [], set()
    for i, item in enumerate(items):
        item.setdefault("_index", i)
        res = run.results[item["_index"]] = ItemResult(index=item["_index"], external_id=item["external_id"])
        if item["external_id"] in seen:
            res.fail("duplicate_in_batch", _("This order appears more than once in the batch."),
                     fields=("external_id",))
            continue
        seen.add(item["external_id"])
        valid.append(item)
    return sorted(valid, key=lambda it: it["external_id"])


def _ingestion_counts(run: IngestRun, writes: Writes) -> None:
    """Today's created/updated counts of the ingestion log (rejections: ``ingestion_record``)."""
    outcomes = [r.result for r in run.results.values()]
    ingestion_counts_add(run.platform, created=outcomes.count(CREATED), updated=outcomes.count(UPDATED),
                         rejected=0, writes=writes)


def _customer_public_ids(run: IngestRun, customers: dict) -> None:
    """Each saved item's customer public id (for the API's answer)."""
    public_ids = {c["pk"]: c["public_id"] for c in customers.values() if c}
    unknown = set(run.order_customer.values()) - set(public_ids)  # customers of existing orders
    if unknown:
        public_ids.update(Customer.objects.filter(pk__in=unknown).values_list("pk", "public_id"))
    for res in run.ok():
        res.customer_public_id = str(public_ids.get(run.order_customer.get(res.order_id), ""))


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
