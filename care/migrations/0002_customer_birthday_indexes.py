"""Indexes that make the daily birthday query an index lookup instead of a scan of all customers.

The birthday lives on ``customers.Customer``, which care does not own, and Django cannot declare an
index on another app's model; a care-side copy of (month, day) would need to be kept in sync with
every customer write, including bulk imports that send no signals. So this migration creates two
indexes on the customers table itself, PostgreSQL only (SQLite, the embedded mode, has small data
and no matching expression support), named ``care_*`` so it is clear who owns them:

- ``care_customer_birthday_md_idx``: ``(EXTRACT(MONTH FROM birthday), EXTRACT(DAY FROM birthday))``,
  the exact expressions Django generates for ``birthday__month=… , birthday__day__in=…``;
- ``care_customer_lunar_bday_idx``: ``(birthday) WHERE birthday_is_lunar``: lunar birthdays are
  found by the list of solar birth dates whose lunar date is today (``rules.lunar_birthday_solar_dates``).

Reversible; ``IF NOT EXISTS`` keeps a re-run harmless.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS care_customer_birthday_md_idx ON customers_customer "
    "((EXTRACT(MONTH FROM birthday)), (EXTRACT(DAY FROM birthday)))",
    "CREATE INDEX IF NOT EXISTS care_customer_lunar_bday_idx ON customers_customer (birthday) "
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
