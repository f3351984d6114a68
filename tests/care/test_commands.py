import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("care_calendar", *args, stdout=out)
    return out.getvalue().splitlines()


def test_care_calendar_prints_the_default_occasions_of_2027():
    assert run("2027") == ["2027-02-06 春节", "2027-09-15 中秋节", "2027-10-01 国庆节"]


def test_care_calendar_2031_mid_autumn_falls_on_national_day():
    assert "2031-10-01 中秋节" in run("2031") and "2031-10-01 国庆节" in run("2031")


def test_care_calendar_refuses_a_year_outside_the_lunar_range():
    with pytest.raises(CommandError):
        run("2200")


def test_every_care_beat_job_names_a_registered_task_and_expires_within_its_interval():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    jobs = {name: job for name, job in settings.CELERY_BEAT_SCHEDULE.items() if name.startswith("care.")}
    assert set(jobs) == {"care.birthday_greetings", "care.holiday_greetings", "care.dispatch_messages",
                         "care.schedule_callbacks", "care.anniversary_greetings"}
    for job in jobs.values():
        assert job["task"] in app.tasks
        assert job["options"]["expires"] <= 24 * 3600


def test_merging_customers_moves_care_messages_and_detaches_a_duplicate_greeting():
    from django.utils import timezone

    from care.models import Message, Occasion
    from customers.services import customer_merge
    from tests.factories import CustomerFactory

    birthday, national = Occasion.objects.get(code="birthday"), Occasion.objects.get(code="national_day")
    kept, duplicate = CustomerFactory(), CustomerFactory()
    common = {"body": "x", "send_after": timezone.now(), "year": 2026}
    Message.objects.create(customer=kept, occasion=birthday, **common)
    clash = Message.objects.create(customer=duplicate, occasion=birthday, **common)
    moved = Message.objects.create(customer=duplicate, occasion=national, **common)
    customer_merge(kept=kept, duplicate=duplicate, reason="same person")
    assert Message.objects.get(pk=moved.pk).customer_id == kept.pk
    clash.refresh_from_db()
    assert (clash.customer_id, clash.occasion, clash.dedupe_key) == (kept.pk, None, f"merged:{clash.pk}")
    assert Message.objects.filter(customer=kept, occasion=birthday, year=2026).count() == 1
