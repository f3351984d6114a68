"""Ingestion step: the trailing writes of the orders saved (ratings, platform user links, usual
places, the customers' order dates, the outbox events). Nobody reads their answers: they are queued
on one ``core.db.Writes`` and go to PostgreSQL in one round trip."""

from django.core.exceptions import ValidationError
from django.db import connection

from core.db import Writes, chunks, rows_source, upsert
from customers.models import Order, Place, PlatformAccount, Review
from customers.services.ingestion.state import IngestRun
from customers.validators import validate_address


def reviews_save(run: IngestRun, items: list[dict], writes: Writes) -> None:
    """Ratings of saved orders (only completed orders can be rated: checked here and by the API)."""
    reviews = []
    for it in items:
        res = run.results[it["_index"]]
        if not (res.ok and it.get("rating")) or res.status != Order.Status.COMPLETED:
            continue  # (the serializer rejects a rating of an order that is not completed)
        r = it["rating"]
        reviews.append({"order_id": res.order_id, "customer_id": run.order_customer[res.order_id],
                        "rating": r["score"], "recommend_score": r.get("recommend"),
                        "comment": r.get("comment", ""), "source": Review.Source.PLATFORM,
                        "created_at": run.now, "updated_at": run.now})
        run.reviewed.add(res.order_id)
    for chunk in chunks(reviews, 500):
        upsert(Review, chunk, conflict=["order"],
               update=["rating", "recommend_score", "comment", "source", "updated_at"], writes=writes)


def platform_accounts_link(run: IngestRun, items: list[dict], customers: dict, writes: Writes) -> None:
    """Remember the platform's user id of each saved item's customer."""
    links = {}
    for it in items:
        ext = it["customer"].get("external_id")
        if ext and run.results[it["_index"]].ok and ext not in links:
            links[ext] = {"platform_id": run.platform.pk, "external_user_id": ext,
                          "customer_id": customers[it["_index"]]["pk"]}
    if links:
        upsert(PlatformAccount, [links[k] for k in sorted(links)], conflict=["platform", "external_user_id"],
               writes=writes)


def _place_uses(uses: list[dict]) -> dict[tuple, list]:
    """(customer, kind, address) → [uses, last used, lat, lng] of the completed orders' addresses
    (vague addresses are not made places)."""
    counts: dict[tuple, list] = {}
    for order in uses:
        when = order.get("finished_at") or order["booked_at"]
        for kind, prefix in ((Place.Kind.PICKUP, "pickup"), (Place.Kind.DROPOFF, "dropoff")):
            address = (order.get(f"{prefix}_address") or "").strip()
            if not address:
                continue
            try:
                validate_address(address)
            except ValidationError:
                continue
            entry = counts.setdefault((order["customer_id"], kind, address),
                                      [0, when, order.get(f"{prefix}_lat"), order.get(f"{prefix}_lng")])
            entry[0] += 1
            if when and (entry[1] is None or when > entry[1]):
                entry[1] = when
    return counts


def places_record_use(run: IngestRun, writes: Writes) -> None:
    """Count each completed order's pick-up and drop-off address as a use of the customer's usual
    place (created on first use). One upsert statement."""
    counts = _place_uses(run.place_uses)
    if not counts:
        return
    table = connection.ops.quote_name(Place._meta.db_table)
    names = ("customer_id", "kind", "label", "address", "lat", "lng", "use_count", "last_used_at")
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
    source, params = rows_source([Place._meta.get_field(n) for n in names], columns)
    writes.add(
        f"INSERT INTO {table} ({', '.join(names)}) {source} "
        f"ON CONFLICT (customer_id, kind, address) DO UPDATE SET "
        f"use_count = {table}.use_count + excluded.use_count, "
        f"last_used_at = CASE WHEN {table}.last_used_at IS NULL OR excluded.last_used_at > {table}.last_used_at "
        f"THEN excluded.last_used_at ELSE {table}.last_used_at END, "
        f"lat = COALESCE(excluded.lat, {table}.lat), lng = COALESCE(excluded.lng, {table}.lng)",
        params,
    )
