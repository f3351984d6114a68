"""The database toolkit of the hot paths: set-based statements the ORM cannot write (or builds too
slowly per request), in one place.

- ``upsert``: ``INSERT … ON CONFLICT … [RETURNING]`` of many rows in one statement (on PostgreSQL the
  rows travel as one array per column through ``unnest``), without model instances.
- ``values_in``: ``filter(<field>__in=keys).values_list(…)`` as one statement built once per process.
- ``Writes``: statements nobody reads the answer of, sent in one round trip on PostgreSQL.
- ``fetch_compiled``: a queryset's SQL compiled once per process, then only executed.
- ``history_created_rows``: django-simple-history's "created" rows for rows inserted in bulk.

Every function keeps the plain ORM (or a portable statement) for other databases (SQLite in tests),
and tests prove the PostgreSQL statements equal to it (``tests/core/test_db.py``,
``tests/customers/api/test_sql_source.py``).
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.db import connection
from django.utils import timezone

_PLAIN = (str, int, float, bool, Decimal, dt.datetime, dt.date, uuid.UUID, type(None))


def row_values(fields, rows, now):
    """Per field, the list of its values over ``rows`` (dicts by attname); a missing value takes the
    field's default (called per row: a new uuid each), auto_now fields take ``now``."""
    columns = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns.append([r.get(f.attname) or now for r in rows])
        elif f.has_default() and callable(f.default):
            columns.append([r[f.attname] if f.attname in r else f.get_default() for r in rows])
        else:
            default = f.get_default()
            columns.append([r.get(f.attname, default) for r in rows])
    return columns


_CAST_TYPES: dict = {}


def cast_type(f) -> str:
    """The PostgreSQL type of a field's column (``cast_db_type`` recomputes it on every call)."""
    key = (f.model, f.attname)
    if key not in _CAST_TYPES:
        _CAST_TYPES[key] = f.cast_db_type(connection)
    return _CAST_TYPES[key]


def pg_array_literal(values) -> str:
    """A PostgreSQL array literal (``{"a","b",NULL}``) of plain values, cast by the statement to the
    column's type. One string parameter per column: psycopg adapts element by element in Python
    (12 µs per timestamp), building the literal here takes a fraction of that."""
    parts = []
    for v in values:
        if v is None:
            parts.append("NULL")
        elif type(v) is int:
            parts.append(str(v))
        else:
            text = v.isoformat() if isinstance(v, dt.date) else str(v)
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def rows_source(fields, columns) -> tuple[str, list]:
    """The row source of an INSERT: ``SELECT * FROM unnest(%s::type[], …)`` with one array per column
    on PostgreSQL (a short statement with a constant number of parameters: nothing for psycopg or
    the server to parse per row), else a multi-row ``VALUES`` list. ``columns``: per field, its
    values over the rows."""
    if connection.vendor == "postgresql":
        params = []
        for f, values in zip(fields, columns, strict=True):
            if all(isinstance(v, _PLAIN) for v in values):
                params.append(pg_array_literal(values))
            else:
                params.append([f.get_db_prep_save(v, connection=connection) for v in values])
        return "SELECT * FROM unnest(" + ", ".join(f"%s::{cast_type(f)}[]" for f in fields) + ")", params
    n = len(columns[0]) if columns else 0
    params = [f.get_db_prep_save(columns[j][i], connection=connection) for i in range(n) for j, f in enumerate(fields)]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return "VALUES " + ", ".join([one] * n), params


class Writes:
    """Statements whose answer nobody reads, sent together: on PostgreSQL in one round trip (Django's
    psycopg cursors bind parameters on the client, which allows several statements in one execute),
    elsewhere one by one as they come. The ingestion's trailing writes (ratings, platform links, usual
    places, order dates, events) were five round trips of a single push."""

    def __init__(self):
        self.statements: list[str] = []
        self.params: list = []

    def add(self, sql: str, params) -> None:
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        self.statements.append(sql)
        self.params.extend(params)

    def send(self) -> None:
        if self.statements:
            with connection.cursor() as cursor:
                cursor.execute(";\n".join(self.statements), self.params)
            self.statements, self.params = [], []


def upsert(model, rows: list[dict], *, conflict: list[str] | None, update: list[str] = (),
            returning: list[str] = (), ignore_conflicts: bool = False, writes: Writes | None = None) -> list[tuple]:
    """``INSERT … [ON CONFLICT (conflict) DO NOTHING | DO UPDATE SET update…] [RETURNING …]`` of
    ``rows`` (dicts by attname; omitted fields take their defaults), in one statement. Returns the
    rows inserted or updated (``DO NOTHING``: only the rows this statement inserted, which is how
    callers know what they created). No model instances are built: this is the hot path of batches.

    On PostgreSQL the rows travel as one array per column (``SELECT * FROM unnest(…)``): a constant
    number of parameters, whatever the batch size, so neither psycopg nor the server parses a
    10,000-placeholder statement. Elsewhere (SQLite, the test default) a multi-row VALUES list."""
    if not rows:
        return []
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key or f.attname in rows[0]]
    qn = connection.ops.quote_name
    columns = row_values(fields, rows, timezone.now())
    source, params = rows_source(fields, columns)
    sql = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) {source}"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    elif conflict:
        target = ", ".join(qn(opts.get_field(c).column) for c in conflict)
        if update:
            cols = [opts.get_field(c).column for c in update]
            sql += f" ON CONFLICT ({target}) DO UPDATE SET " + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in cols)
        else:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(qn(opts.get_field(c).column) for c in returning)
    if writes is not None and not returning:
        writes.add(sql, params)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


_IN_SQL: dict = {}


def values_in(model, field: str, keys, cols: tuple[str, ...]) -> list[tuple]:
    """``model.objects.filter(<field>__in=keys).values_list(*cols)`` for plain columns. On PostgreSQL
    one fixed statement, ``… WHERE <column> = ANY(<array literal>)``, built once per process: for a
    single push, building the ORM query cost more than the database spent running it."""
    keys = list(keys)
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**{f"{field}__in": keys}).values_list(*cols))
    cache_key = (model, field, cols)
    sql = _IN_SQL.get(cache_key)
    if sql is None:
        opts, qn = model._meta, connection.ops.quote_name
        key_field = opts.get_field(field)
        columns = ", ".join(qn(opts.pk.column if c == "pk" else opts.get_field(c).column) for c in cols)
        sql = (f"SELECT {columns} FROM {qn(opts.db_table)} "
               f"WHERE {qn(key_field.column)} = ANY(%s::{cast_type(key_field)}[])")
        _IN_SQL[cache_key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [pg_array_literal(keys)])
        return cursor.fetchall()


def chunks(seq, size):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]




_compiled: dict = {}


def fetch_compiled(name: str, build, value, *, probe):
    """The first row (a tuple, or None) of the queryset ``build(value)``: the SQL of ``build(probe)``
    is kept under ``name`` and reused. ``probe`` must be a value no real call passes."""
    key = (name, connection.alias)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = build(probe).query.sql_with_params()
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if p == probe else p for p in params])
        return cursor.fetchone()


def is_compiled(name: str) -> bool:
    """Whether ``name`` has been compiled on this connection (tests check the reuse)."""
    return (name, connection.alias) in _compiled


def history_created_rows(model, rows: list[dict], *, when, reason: str, user_id=None,
                         writes: "Writes | None" = None) -> None:
    """The "created" rows of ``model``'s change history (django-simple-history) for ``rows`` (dicts by
    attname, each with its ``id``) inserted in bulk: the same row ``HistoricalRecords`` writes when
    one instance is created by ``save()``, in one statement (``tests/core/test_db.py`` compares
    them)."""
    if not rows:
        return
    history = model.history.model
    names = {f.attname for f in history._meta.concrete_fields}
    upsert(history, [
        {**{k: v for k, v in row.items() if k in names}, "history_date": when, "history_type": "+",
         "history_change_reason": reason, "history_user_id": user_id}
        for row in rows
    ], conflict=None, writes=writes)
