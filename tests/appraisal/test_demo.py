"""The appraisal part of seed_demo: last month has sampled and scored contacts, self-assessments,
appraisals (one team's signed off) and notices."""

import io
import random

import pytest

from appraisal import demo
from appraisal.models import Appraisal, Notice, QaReview, SelfAssessment
from customers import demo as customers_demo

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_an_appraisal_month():
    customers_demo.seed(rng=random.Random(3), customers=150, drivers=10, password="demo-pass-123")
    out = io.StringIO()
    demo.seed(rng=random.Random(5), stdout=out)
    statuses = set(QaReview.objects.values_list("status", flat=True))
    assert "scored" in statuses and QaReview.objects.count() > 10
    assert SelfAssessment.objects.count() >= 6
    month = QaReview.objects.values_list("month", flat=True).first()
    appraisals = Appraisal.objects.filter(month=month)
    assert appraisals.count() == 12  # the demo's nine agents and three after-sales agents
    assert appraisals.filter(status="signed_off").exists() and appraisals.filter(status="draft").exists()
    assert appraisals.filter(total__isnull=False).count() >= 10
    assert Notice.objects.filter(kind="reward").count() == 3
    assert "appraisal:" in out.getvalue()
