"""Indexes that make the daily birthday query an index lookup instead of a scan of all customers.

The birthday lives on ``customers.Customer``, which care does not own, and Django cannot declare an
index on another app's model; a care-side copy of (month, day) would need to be kept in sync with
every customer write, including bulk imports that send no signals. So this migration creates two
indexes on the customers table itself, PostgreSQL only (SQLite, the embedded mode, has small data
and no matching expression support), named ``care_*`` so it is clear who owns them:

- ``care_customer_birthday_md_idx``: ``(EXTRACT(MONTH FROM birthday), EXTRACT(DAY FROM birthday))
  INCLUDE (id, birthday) WHERE NOT birthday_is_lunar``: the exact expressions Django generates for
  ``birthday__month=…, birthday__day__in=…, birthday_is_lunar=False``;
- ``care_customer_lunar_bday_idx``: ``(birthday) INCLUDE (id) WHERE birthday_is_lunar``: lunar
  birthdays are found by the list of solar birth dates whose lunar date is today
  (``rules.lunar_birthday_solar_dates``).

``INCLUDE`` lets the selection of the day's birthday ids be an index-only scan (no random reads of
~2,500 heap pages among a million customers; PostgreSQL only considers an index-only scan on an
expression index when the expression's column itself is in the index, hence ``birthday``).

Reversible; ``IF NOT EXISTS`` keeps a re-run harmless.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS care_customer_birthday_md_idx ON customers_customer "
    "((EXTRACT(MONTH FROM birthday)), (EXTRACT(DAY FROM birthday))) INCLUDE (id, birthday) "
    "WHERE NOT birthday_is_lunar",
    "CREATE INDEX IF NOT EXISTS care_customer_lunar_bday_idx ON customers_customer (birthday) INCLUDE (id) "
    "WHERE birthday_is_lunar",
]
DROP = [
    "DROP INDEX IF EXISTS care_customer_birthday_md_idx",
    "DROP INDEX IF EXISTS care_customer_lunar_bday_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
