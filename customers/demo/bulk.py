"""Fast inserts for the demo's bulk data: multi-row INSERTs or COPY (PostgreSQL), and a bulk-load mode."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

ORDER_COLUMNS = [
    "platform_id", "external_id", "customer_id", "driver_id", "credited_owner_id", "status", "booked_at", "started_at",
    "finished_at", "pickup_address", "pickup_lat", "pickup_lng", "dropoff_address", "dropoff_lat", "dropoff_lng",
    "distance_km", "fee", "created_at", "updated_at",
]


def _copy_rows(model, columns: list[str], rows, *, batch_size: int = 5000) -> int:
    """Insert tuples into ``model``'s table: COPY on PostgreSQL, executemany elsewhere. Columns of
    the model not listed get the field's default (or NULL), so the rows satisfy NOT NULL."""
    fields = {f.column: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"unknown columns {unknown} for {model._meta.db_table}")
    extra = [c for c in fields if c not in columns]
    extra_values = []
    for c in extra:
        f = fields[c]
        if f.has_default() or (f.empty_strings_allowed and not f.null):
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            extra_values.append(None)
        else:
            raise ValueError(f"column {c} of {model._meta.db_table} needs a value")
    all_columns = columns + extra
    table = connection.ops.quote_name(model._meta.db_table)
    col_sql = ", ".join(connection.ops.quote_name(c) for c in all_columns)
    count = 0
    extra_t = tuple(extra_values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({col_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + extra_t)
                    count += 1
            return count
        adapters = [_sqlite_adapter(fields[c]) for c in all_columns]
        sql = f"INSERT INTO {table} ({col_sql}) VALUES ({', '.join(['%s'] * len(all_columns))})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(tuple(a(v) for a, v in zip(adapters, row + extra_t, strict=True)))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_adapter(f):
    def adapt(value):
        if value is None:
            return None
        return f.get_db_prep_save(value, connection)

    return adapt


@contextmanager
def _bulk_load_mode(*models):
    """PostgreSQL: drop the secondary indexes and foreign keys of these tables for the load, then
    recreate them from their saved definitions. Building an index once is much faster than
    maintaining it row by row, and re-adding a foreign key validates every row in one pass, so the
    loaded data is checked all the same. Everything is inside the caller's transaction: a failure
    restores the tables as they were. Elsewhere it does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name
    saved = []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events may block ALTER TABLE
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)",
                [table])
            indexes = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
            saved.append((table, foreign_keys, indexes))
    yield
    with connection.cursor() as cursor:
        for table, foreign_keys, indexes in saved:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
