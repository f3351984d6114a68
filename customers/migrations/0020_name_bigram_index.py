"""The staff search box finds customers by a part of the name (customers.search). On PostgreSQL a GIN
index over the name's two-character pieces serves it: a Chinese name is two to four characters, too
short for pg_trgm's trigrams, and LIKE '%…%' alone walks every row. SQLite keeps the plain LIKE."""

from django.db import migrations

CREATE = [
    # Every two-character piece of a name ('欧阳娜娜' → {欧阳, 阳娜, 娜娜}); IMMUTABLE so it can be indexed.
    "CREATE OR REPLACE FUNCTION customer_name_bigrams(name text) RETURNS text[] LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE AS $$ SELECT coalesce(array_agg(DISTINCT substr(name, i, 2)), '{}') "
    "FROM generate_series(1, char_length(name) - 1) AS i $$",
    "CREATE INDEX IF NOT EXISTS customer_name_bigram_idx ON customers_customer "
    "USING gin (customer_name_bigrams(full_name))",
]
DROP = [
    "DROP INDEX IF EXISTS customer_name_bigram_idx",
    "DROP FUNCTION IF EXISTS customer_name_bigrams(text)",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0019_activity_mark"),
    ]

    operations = [
        migrations.RunPython(run(CREATE), run(DROP)),
    ]
