"""Reads that may go to a PostgreSQL read replica (``DATABASE_REPLICA_URL``; alias ``replica``).

The rule, in one place (docs/operations.md, "How the system grows"):

- Only code inside a ``replica_reads()`` scope reads from the replica: the KPI dashboard, the KPI API
  and the start pages' KPI figures (snapshots), the exports (customers, KPIs, complaint analysis,
  callback report) and the reports. Everything else — the admin's forms and lists, the platform API,
  every Celery job — reads and writes the primary (``default``), so nothing decides on stale data.
- Writes always go to the primary (``db_for_write``), inside a scope too.
- Within a scope, once anything was written through the ORM (an export's ``ExportRecord``), or while a
  transaction is open on the primary (its writes are not on the replica), the rest of the scope reads
  the primary: a request that wrote sees its own writes. A later request may read the replica again;
  the pages served from it show data written by jobs (snapshots) or reports over past periods, where
  a replication lag of a second does not matter.
- ``READ_REPLICA_ALIAS`` empty (``DATABASE_REPLICA_URL`` unset): everything uses ``default``.
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.template.response import TemplateResponse

PRIMARY = "default"
_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("replica_scope", default=None)


def replica_alias() -> str:
    """The alias reads of a scope go to ("" when no replica is configured)."""
    alias = getattr(settings, "READ_REPLICA_ALIAS", "")
    return alias if alias and alias in connections.settings else ""


@contextmanager
def replica_reads():
    """Reads inside may go to the replica (see the module's rule). Nested scopes share the outer one's
    "wrote" mark."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({"wrote": False})
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view):
    """A view decorator: the view runs (and its TemplateResponse renders) inside ``replica_reads()``. Put it
    below ``login_required`` / inside ``admin_view``: the session and the user are then read from the
    primary before the scope opens (a session created a moment ago may not be on the replica yet)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            response = view(*args, **kwargs)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.render()
            return response

    return wrapper


def choose_read_alias(*, in_scope: bool, replica: str, wrote: bool, primary_in_transaction: bool) -> str:
    """The rule itself: the replica only inside a scope that wrote nothing, while no transaction is open
    on the primary, and when a replica is configured; the primary otherwise."""
    if not in_scope or not replica or wrote or primary_in_transaction:
        return PRIMARY
    return replica


def read_alias() -> str:
    """Where a read made now goes (``choose_read_alias`` on the current state)."""
    scope = _scope.get()
    if scope is None:
        return PRIMARY
    return choose_read_alias(in_scope=True, replica=replica_alias(), wrote=scope["wrote"],
                             primary_in_transaction=connections[PRIMARY].in_atomic_block)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads of a ``replica_reads()`` scope to the replica, the rest to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope["wrote"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may point to one of the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy made by PostgreSQL's replication; only the primary is migrated.
        return db == PRIMARY
