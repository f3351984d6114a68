"""The README's scheduled-jobs table is generated from CELERY_BEAT_SCHEDULE (issue 17, item 10)."""

import datetime as dt
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from core.beat_table import END, START, jobs_table, missing_descriptions, readme_with_table, schedule_in_words

README = Path(settings.BASE_DIR) / "README.md"


def test_the_readme_table_lists_every_beat_job_as_declared():
    # fails when a job is added, removed or rescheduled without `manage.py beat_table`
    text = README.read_text(encoding="utf-8")
    assert readme_with_table(text, jobs_table(settings.CELERY_BEAT_SCHEDULE)) == text, (
        "README's scheduled-jobs table differs from CELERY_BEAT_SCHEDULE: run `python manage.py beat_table`")
    table = text[text.index(START):text.index(END)]
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert f"| `{name}` |" in table
    assert "`customers.dormancy_sweep`" in table and "`customers.sweep_order_events`" in table


def test_every_beat_job_says_what_it_does():
    assert missing_descriptions(settings.CELERY_BEAT_SCHEDULE) == []


@pytest.mark.parametrize(("schedule", "words"), [
    (60.0, "every minute"), (300, "every 5 minutes"), (dt.timedelta(hours=1), "every hour"),
    (crontab(hour=2, minute=30), "daily, 02:30"), (crontab(minute=5), "hourly, at :05"),
    (crontab(minute="*/5"), "every 5 minutes"), (crontab(day_of_month=1, hour=0, minute=30), "1st of the month, 00:30"),
    (crontab(day_of_month="2-10", hour=0, minute=45), "days 2–10, 00:45"),
    (crontab(day_of_week=1, hour=8, minute=0), "Mondays, 08:00"),
])
def test_schedules_in_words(schedule, words):
    assert schedule_in_words(schedule) == words


def test_the_command_rewrites_a_stale_table_and_check_fails_on_it(tmp_path):
    readme = tmp_path / "README.md"
    stale = f"# x\n\n{START}\n| job | when | what |\n| `core.heartbeat` | never | x |\n{END}\n"
    readme.write_text(stale, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("beat_table", "--check", readme=str(readme))
    call_command("beat_table", readme=str(readme))
    call_command("beat_table", "--check", readme=str(readme))
    assert "`customers.dormancy_sweep` | daily, 03:10 |" in readme.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_django_celery_beat_stores_each_description_on_its_periodic_task():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from config.celery import app

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, app=app, **entry)
    assert PeriodicTask.objects.get(name="customers.dormancy_sweep").description.startswith("customers without")
