"""Ingestion step: the customer and the driver of each pushed order, found or created in bulk.

A customer is found by normalised mobile, else by the platform's user id (``PlatformAccount``), else
created (source = platform, source platform) with ``INSERT … ON CONFLICT DO NOTHING`` so two pushes
racing for a new mobile make one customer. Drivers are found or created by employee number the same
way. Customer names: see ``platform_customer_name``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import chunks, history_created_rows, upsert, values_in
from customers.models import Customer, Driver, Platform, PlatformAccount
from customers.validators import validate_full_name

_COLS = ("pk", "owner_id", "public_id", "full_name", "mobile", "source_platform_id")


def platform_customer_name(name: str | None) -> str:
    """The name to store for a customer a platform creates: the name itself if it is a real full
    name, else a clearly marked pending name ``API_PENDING_NAME_PREFIX + what the platform sent``
    (e.g. ``【待核实】王先生``), which the admin's entry rules reject on the next edit so an agent
    replaces it with the real name."""
    name = (name or "").strip()
    try:
        validate_full_name(name)
        return name
    except ValidationError:
        prefix = settings.API_PENDING_NAME_PREFIX
        return f"{prefix}{name or _('no name given')}"[:60]


def is_pending_name(name: str) -> bool:
    return (name or "").startswith(settings.API_PENDING_NAME_PREFIX)


def customers_resolve(platform: Platform, items: list[dict]) -> dict[int, dict]:
    """index → {"pk", "owner_id", "public_id", "full_name", …} for every item, creating new customers."""
    mobiles = sorted({it["customer"]["mobile"] for it in items})
    by_mobile = {row[4]: dict(zip(_COLS, row, strict=True)) for row in values_in(Customer, "mobile", mobiles, _COLS)}
    missing = [it for it in items if it["customer"]["mobile"] not in by_mobile]
    by_account = _by_platform_account(platform, missing)
    to_create = _new_customers(platform, missing, by_account)
    if to_create:
        by_mobile.update(_customers_create(platform, to_create))
    resolved = {}
    for it in items:
        c = it["customer"]
        resolved[it["_index"]] = by_mobile.get(c["mobile"]) or by_account.get(c.get("external_id"))
    _pending_names_fill(platform, items, resolved)
    return resolved


def _by_platform_account(platform: Platform, items: list[dict]) -> dict[str, dict]:
    ext_ids = sorted({it["customer"].get("external_id") for it in items if it["customer"].get("external_id")})
    if not ext_ids:
        return {}
    rows = (
        PlatformAccount.objects.filter(platform=platform, external_user_id__in=ext_ids)
        .exclude(customer__status=Customer.Status.ANONYMISED)
        .values_list("external_user_id", "customer_id", "customer__owner_id", "customer__public_id",
                     "customer__full_name", "customer__mobile", "customer__source_platform_id")
    )
    return {ext: dict(zip(_COLS, row, strict=True)) for ext, *row in rows}


def _new_customers(platform: Platform, missing: list[dict], by_account: dict) -> dict[str, dict]:
    """mobile → the row of a customer to create, for items found neither by mobile nor by account."""
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
    return to_create


def _customers_create(platform: Platform, to_create: dict[str, dict]) -> dict[str, dict]:
    """Insert the new customers (and their "created" history rows); mobile → row for each, including
    those a concurrent push created meanwhile."""
    created = []
    for chunk in chunks([to_create[m] for m in sorted(to_create)], 500):
        created += upsert(Customer, chunk, conflict=["mobile"], returning=["id", "mobile"])
    now = next(iter(to_create.values()))["created_at"]
    # The user is empty: a platform, not a member of staff.
    history_created_rows(Customer, [{**to_create[mobile], "id": pk} for pk, mobile in created], when=now,
                         reason=f"platform API: {platform.code}")
    found = {}
    for pk, mobile in created:
        row = to_create[mobile]
        found[mobile] = {"pk": pk, "owner_id": None, "public_id": row["public_id"], "full_name": row["full_name"],
                         "mobile": mobile, "source_platform_id": platform.pk}
    lost = [m for m in to_create if m not in found]  # created meanwhile by a concurrent push
    if lost:
        found.update({row[4]: dict(zip(_COLS, row, strict=True)) for row in values_in(Customer, "mobile", lost, _COLS)})
    return found


def _pending_names_fill(platform: Platform, items: list[dict], resolved: dict[int, dict]) -> None:
    """A later push with a real name fills in a pending one. Only the platform that brought the
    customer completes their name: another platform pushing an order with this mobile does not get to
    name someone else's customer (customers.platform_scope). Other names are never changed."""
    fill_names = {}
    for it in items:
        found = resolved[it["_index"]]
        name = (it["customer"].get("name") or "").strip()
        if found and is_pending_name(found["full_name"]) and name and found["source_platform_id"] == platform.pk:
            real = platform_customer_name(name)
            if not is_pending_name(real):
                fill_names[found["pk"]] = real
                found["full_name"] = real
    if fill_names:
        Customer.objects.bulk_update([Customer(pk=pk, full_name=name) for pk, name in fill_names.items()],
                                     ["full_name"])


def drivers_resolve(items: list[dict]) -> dict[str, int]:
    """employee_no → driver id for the drivers the items name, creating the unknown ones."""
    wanted = {}
    for it in items:
        d = it.get("driver")
        if d:
            wanted.setdefault(d["employee_no"], (d.get("name") or "").strip() or d["employee_no"])
    if not wanted:
        return {}
    found = dict(values_in(Driver, "employee_no", wanted, ("employee_no", "pk")))
    new = [Driver(employee_no=no, name=wanted[no][:60]) for no in sorted(wanted) if no not in found]
    if new:
        Driver.objects.bulk_create(new, ignore_conflicts=True)
        found.update(values_in(Driver, "employee_no", [d.employee_no for d in new], ("employee_no", "pk")))
    return found
