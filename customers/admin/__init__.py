"""The customers app's admin, one module per area (imported here so Django finds them)."""

from customers.admin import configuration, customers, decisions, platforms, records, reviews, staff  # noqa: F401
