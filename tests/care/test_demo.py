import io
import random

import pytest

from care import demo
from care.models import Message
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_shows_occasions_with_sent_and_failed_messages(monkeypatch):
    monkeypatch.setattr(demo, "FAILURE_RATE", 0.3)
    for i in range(30):
        CustomerFactory(marketing_consent=i % 4 != 0)
    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out)
    statuses = set(Message.objects.values_list("status", flat=True))
    assert {Message.Status.SENT, Message.Status.FAILED, Message.Status.SKIPPED} <= statuses
    assert Message.objects.values("occasion").distinct().count() >= 2
    assert "care: greetings sent" in out.getvalue()


def test_demo_shows_a_staff_customer_commemoration_days_and_a_handover_notice():
    from core.models import StaffProfile
    from core.roles import Role
    from customers.models import CustomerAnniversary, Handover
    from customers.selectors import staff_customers
    from tests.factories import StaffFactory, SupervisorFactory

    agents = [StaffFactory(role=Role.CS_AGENT) for _ in range(3)]
    SupervisorFactory()
    for i in range(45):
        CustomerFactory(owner=agents[1] if i < 3 else None, marketing_consent=True)
    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out)
    assert StaffProfile.objects.get(user=agents[0]).phone and staff_customers().count() == 1
    assert CustomerAnniversary.objects.exists()
    handover = Handover.objects.get(status=Handover.Status.CONFIRMED)
    assert Message.objects.filter(dedupe_key=f"handover:{handover.pk}").count() == 2
    assert "care (issue 17)" in out.getvalue()
    from customers.models import ProfileReview

    assert ProfileReview.objects.filter(status="pending", late_at__isnull=False).count() == 1
