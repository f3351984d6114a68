"""Celery against real brokers: Redis in CI, and the embedded filesystem broker that ``make run``
uses. Both check the task's effect in the database, not a mock."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.models import JobRun
from core.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_a_task_and_its_effect_is_in_the_database():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not JobRun.objects.filter(name="heartbeat").exists():
            time.sleep(0.2)
    run = JobRun.objects.get(name="heartbeat")
    assert run.runs == 1


@pytest.mark.django_db
def test_delay_on_commit_enqueues_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    from unittest import mock

    with mock.patch.object(heartbeat, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            heartbeat.delay_on_commit()
        assert apply_async.call_count == 0
        for callback in callbacks:
            callback()
        assert apply_async.call_count == 1


@pytest.mark.slow
def test_embedded_mode_beat_and_worker_run_a_scheduled_job_without_redis(tmp_path):
    """What ``make run`` starts: beat + worker on the filesystem broker and a SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://",
            "REDIS_URL": "",
            "HEARTBEAT_SECONDS": "2",
        }
    )
    # an isolated broker folder so parallel runs do not share messages
    env["BROKER_DIR_OVERRIDE"] = str(tmp_path / "broker")
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    celery = [py, "-m", "celery", "-A", "config"]
    procs = [
        subprocess.Popen(
            [*celery, "worker", "--pool=threads", "--concurrency=1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [*celery, "beat", "--scheduler=django_celery_beat.schedulers:DatabaseScheduler", "--pidfile=",
             "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        deadline = time.monotonic() + 60
        out = ""
        while time.monotonic() < deadline:
            out = subprocess.run(
                [py, "manage.py", "job_status"], cwd=ROOT, env=env, capture_output=True, text=True
            ).stdout
            if "heartbeat" in out:
                break
            time.sleep(1)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
    assert "heartbeat\truns=" in out, out
