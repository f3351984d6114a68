"""The customers app's admin, one module per area (imported here so Django finds them)."""

from customers.admin import (  # noqa: F401
    access,
    configuration,
    customers,
    decisions,
    inquiries,
    phone_orders,
    platforms,
    pool,
    records,
    reviews,
    staff,
)
