"""The embedded (filesystem) broker keeps every file it writes under var/broker: sending a task from
any working directory leaves nothing in that directory (kombu writes its exchange tables into the
working directory unless told otherwise — they once landed in the repository as control/)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sending_a_task_writes_the_broker_files_under_the_broker_directory_only(tmp_path):
    workdir, broker = tmp_path / "cwd", tmp_path / "broker"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(BROKER_DIR_OVERRIDE=str(broker), DJANGO_SETTINGS_MODULE="config.settings.production",
               PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    code = ("import django; django.setup()\n"
            "from config.celery import app\n"
            "app.send_task('core.tasks.heartbeat')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert list(workdir.iterdir()) == []
    assert (broker / "control" / "celery.exchange").exists()
    assert list((broker / "queue").iterdir())  # the message itself
