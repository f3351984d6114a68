"""The monthly jobs are declared once, run through thin tasks and are idempotent."""

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app
from core.models import JobRun
from loyalty import tasks
from loyalty.models import LoyaltyAccount, Tier
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["loyalty.monthly_tier_review", "loyalty.points_expiry"])
def test_monthly_jobs_run_on_the_first_at_half_past_midnight(name):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(day_of_month=1, hour=0, minute=30)
    assert entry["options"]["expires"] <= 28 * 24 * 3600


def test_tasks_run_the_services_and_record_the_run():
    customer = CustomerFactory()
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.SILVER)
    assert tasks.monthly_tier_review()["warned"] == 1
    assert tasks.monthly_tier_review()["warned"] == 0
    assert tasks.points_expiry() == {"customers_with_expired_points": 0, "coupons_expired": 0}
    assert JobRun.objects.get(name="loyalty.monthly_tier_review").runs == 2
