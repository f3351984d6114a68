"""Shared helpers for the benchmarks: a dedicated PostgreSQL database, Django set up against it,
timing and peak memory. Each benchmark is a script that PRINTS its figures (see bench/README.md)."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def bench_database_url(name: str) -> str:
    """``DATABASE_URL`` with its database name replaced by ``name`` (server from BENCH_DATABASE_URL or
    DATABASE_URL, default postgres://postgres@127.0.0.1:5432)."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or \
        "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("Benchmarks run on PostgreSQL: set BENCH_DATABASE_URL=postgres://user@host:5432/any")
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def database_exists(url: str) -> bool:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(url: str, *, drop_existing: bool = True) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        if drop_existing:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def setup_django(database_url: str) -> None:
    """Point Django at the bench database (before anything imports settings) and set it up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "7W4OQn1pJ3dQ0yq5b3xGmV0y9cI3bK2nT9rWcVx1QzE=")
    os.environ.setdefault("BLIND_INDEX_KEY", "bench-blind-index-key-not-for-production")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def timer(label: str | None = None, results: dict | None = None):
    """``with timer("sweep", results): ...`` → results["sweep"] = seconds (and prints it)."""
    box = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start
        if results is not None and label:
            results.setdefault(label, []).append(box["seconds"])


def median(values) -> float:
    return statistics.median(values)


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu_seconds(connection) -> float | None:
    """CPU seconds used so far by this Django connection's PostgreSQL backend process, read from
    /proc (when the server runs on this machine; None otherwise). On a busy machine the difference
    around a statement says what it costs without the time spent waiting for a core."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_figure(name: str, value, unit: str = "", target: str = "") -> None:
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"{name:<44} {text:>12} {unit:<4} {('target ' + target) if target else ''}".rstrip(), flush=True)
