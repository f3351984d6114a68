"""Indexes for the agent's admin on large tables (issue 3: < 300 ms per page with 200,000 customers
and 1,000,000 orders).

- ``customer_source_type_idx`` ``(source, customer_type, id DESC)``: the changelist filtered by
  source channel and customer type, in its ``-id`` order, is an index range read up to the page's
  LIMIT, and its capped count an index-only scan (``customer_source_idx`` alone read every row of
  the source and filtered the type from the heap).
- ``order_customer_completed_idx`` ``(customer_id, finished_at) INCLUDE (fee) WHERE status =
  'completed'``: a customer's completed orders in a trailing window (the loyalty panel's order count
  and spend, the tier review of one customer) as an index-only aggregate instead of reading every
  order of the customer from the heap (~0.6 s for a customer with 60,000 orders).

They are created with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL (so building them does not block
order ingestion; hence a non-atomic migration) and as plain indexes, without ``INCLUDE``, on SQLite.
The models do not declare them (Django cannot express ``INCLUDE`` with a partial condition portably,
and these are pure access paths, no constraints), so ``makemigrations`` does not see them.
Reversible; ``IF NOT EXISTS`` keeps a re-run harmless. ``seed_demo --scale`` drops and rebuilds
them with the others (it reads the table's indexes from the catalogue).
"""

from django.db import migrations

INDEXES = {
    "customer_source_type_idx": ("customers_customer", "(source, customer_type, id DESC)", "", ""),
    "order_customer_completed_idx": ("customers_order", "(customer_id, finished_at)", "INCLUDE (fee)",
                                     "WHERE status = 'completed'"),
}


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (table, columns, include, where) in INDEXES.items():
        concurrently = "CONCURRENTLY " if postgres else ""
        include = include if postgres else ""
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} {columns} {include} {where}".strip()
        )


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {'CONCURRENTLY ' if postgres else ''}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
