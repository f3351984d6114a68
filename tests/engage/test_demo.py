import io
import random

import pytest
from django.db.models import Max

from care.models import Message
from customers.models import Customer, Review
from engage import demo
from engage.models import Segment, SurveyInvitation
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_demo_shows_segments_and_a_survey_sent_and_answered():
    for _ in range(20):
        OrderFactory(customer=CustomerFactory(marketing_consent=True))
    for c in Customer.objects.annotate(last=Max("orders__finished_at")):
        Customer.objects.filter(pk=c.pk).update(last_order_at=c.last)
    out = io.StringIO()

    demo.seed(rng=random.Random(1), stdout=out)

    assert Segment.objects.count() >= 5
    assert SurveyInvitation.objects.count() == 20
    assert SurveyInvitation.objects.filter(answered_at__isnull=False).exists()
    assert Review.objects.filter(source="survey").exists()
    assert Message.objects.filter(purpose="survey", status=Message.Status.SENT).count() == 20
    assert "engage: survey sent to 20 customers" in out.getvalue()
