import io

import pytest

from care.models import Message
from core.roles import Role
from engage.demo import _segments
from engage.demo_campaigns import seed_campaigns
from engage.models import Campaign
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_demo_shows_a_campaign_sent_a_weather_alert_and_one_scheduled(no_quiet_hours):
    StaffFactory(role=Role.OPERATIONS_MANAGER)
    for i in range(10):
        CustomerFactory(marketing_consent=i % 3 != 0)
    _segments()
    out = io.StringIO()

    seed_campaigns(stdout=out)

    assert Message.objects.filter(purpose="campaign_promotion", status="sent").exists()
    assert Campaign.objects.filter(status="scheduled").count() == 3 and Campaign.objects.filter(status="draft").exists()
    assert "engage: campaigns sent" in out.getvalue()
