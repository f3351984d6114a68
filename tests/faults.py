"""Helpers of the fault tests (issue 16). Real processes: a private redis-server on its own port,
Celery workers and a gunicorn web process, all on the test's PostgreSQL database (tests using them are
``django_db(transaction=True)``, so the processes see the committed data); each helper ends only the
processes it started. Side connections to PostgreSQL that hold locks and kill backends. The reference
rows of the data migrations, which a transactional test's flush removes."""

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


SEEDS = ("care.migrations.0003_default_occasions", "complaints.migrations.0002_seed_grades_categories",
         "loyalty.migrations.0002_default_rules_and_benefits")
RULES_SEEDS = ("customers.migrations.0009_commemoration_days", "care.migrations.0007_commemoration_day_occasions",
               "care.migrations.0008_handover_notice_template",
               "complaints.migrations.0010_analysis_signoff_and_causes",
               "appraisal.migrations.0002_seed_checklist_and_weights")


def reference_rows() -> None:
    """The rows of the data migrations (a transactional test's flush removes them)."""
    from care.models import Occasion
    from complaints.models import Grade
    from loyalty.models import TierRule

    for module, model in zip(SEEDS, (Occasion, Grade, TierRule), strict=True):
        if not model.objects.exists():
            importlib.import_module(module).seed(apps, None)
    # Issue 17 (rules2): commemoration-day kinds and their occasions, the handover notice, complaint causes;
    # issue 18: the QA checklist and appraisal weights (each seed is idempotent).
    for module in RULES_SEEDS:
        importlib.import_module(module).seed(apps, None)


def side_connection() -> psycopg.Connection:
    """A connection of the test's own to its database (autocommit), beside the application's."""
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                           password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)


def waiting_backend(side: psycopg.Connection, timeout: float = 30.0) -> int:
    """The pid of the backend that waits on a lock the test holds (the application is mid-work).
    ``side`` must not be in a transaction: pg_stat_activity is a snapshot inside one."""
    def waiting():
        row = side.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'").fetchone()
        return row[0] if row else None

    return wait_until(waiting, timeout=timeout, what="the application to wait on the test's lock", every=0.05)


def wait_until(predicate, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port(start: int = 6390) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """``redis-server`` on a port of its own (6390+), without persistence: a restart loses what it
    held, as a crashed Redis without AOF would."""

    def __init__(self):
        self.exe = shutil.which("redis-server")
        if self.exe is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port(6390)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: _answers(self.port), timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


def process_env(redis_url: str, **extra) -> dict:
    """The environment of a web or worker process on the test database and ``redis_url``."""
    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DATABASE_URL": url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
                "DJANGO_SETTINGS_MODULE": "config.settings.production", "CELERY_VISIBILITY_TIMEOUT": "4",
                "CELERY_UNACKED_RESTORE_INTERVAL": "1", "CELERY_UNACKED_RESTORE_THROTTLE": "1",
                "CELERY_UNACKED_MUTEX_EXPIRE": "3",
                "CARE_QUIET_HOURS_START": "00:00", "CARE_QUIET_HOURS_END": "00:00", "LOG_LEVEL": "WARNING"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Process:
    """A child process in a session of its own, so SIGKILL reaches it and its pool's children."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc = None

    def start(self) -> "Process":
        out = open(self.log, "ab")  # noqa: SIM115 - kept open for the child's life
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        return self

    def kill(self) -> None:
        """SIGKILL, no warning: what the OOM killer or a pulled plug does."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def celery_worker(env: dict, log: Path, concurrency: int = 2) -> Process:
    """The Procfile's worker (prefork, two processes unless told), logging each task it receives."""
    return Process([sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}",
                    "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"], env, log)


def tasks_received(log: Path) -> list[str]:
    """The names of the tasks a worker has received (recorded as unacknowledged in Redis by then)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [line.split("Task ", 1)[1].split("[", 1)[0] for line in text.splitlines() if "] received" in line]


def web_server(env: dict, log: Path, port: int) -> Process:
    return Process([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                    "--workers", "1", "--threads", "4", "--timeout", "30"], env, log)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def send_task(redis_url: str, name: str) -> None:
    """Put a task on the broker at ``redis_url`` as beat would."""
    from config.celery import app

    with app.connection_for_write(redis_url) as conn:
        app.send_task(name, connection=conn)
