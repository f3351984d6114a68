"""Statements the ORM compiles once per process, for per-request hot paths.

Building a queryset's SQL (filters, joins, select list) cost more CPU per platform push than the
database spent running it. ``fetch_compiled`` has the ORM compile the queryset once, with a probe
value standing where the real one goes, and afterwards only executes that SQL with the value put in
the probe's place. For PostgreSQL and columns psycopg returns as the ORM would (no ``from_db_value``
conversions): callers keep the plain ORM query for other databases, whose drivers return raw text.
"""

from django.db import connection

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
