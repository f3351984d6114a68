import io
import random

import pytest

from core.roles import Role
from engage.demo_events import seed_events
from engage.models import AppreciationEvent, EventInvitation
from loyalty.models import LoyaltyAccount, Tier
from tests.factories import CustomerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def test_demo_shows_an_event_with_invitations_answers_and_attendance(no_quiet_hours):
    SupervisorFactory(role=Role.CS_SUPERVISOR)
    for i in range(50):
        LoyaltyAccount.objects.create(customer=CustomerFactory(marketing_consent=i % 5 != 0), tier=Tier.GOLD)
    out = io.StringIO()

    seed_events(rng=random.Random(3), stdout=out)

    past, upcoming = AppreciationEvent.objects.order_by("starts_at")
    assert past.invitations.filter(response="accepted").count() == past.capacity or past.invitations.filter(
        response="accepted").count() > 10
    assert past.invitations.filter(attended=True).exists()
    assert set(EventInvitation.objects.values_list("responded_via", flat=True)) >= {"link", "staff"}
    assert upcoming.invitations.filter(response="pending").exists()
    assert "engage: events" in out.getvalue()
