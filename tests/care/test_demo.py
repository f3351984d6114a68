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
