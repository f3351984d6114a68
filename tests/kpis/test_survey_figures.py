"""Issue 18 item 6 in the monthly snapshot: satisfaction and NPS per review source, and the month's
surveys. A small hand-built October 2026, each figure computed here by hand and compared exactly."""

import datetime as dt
from decimal import Decimal

import pytest

from customers.models import Review
from engage.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
AS_OF = b.at(2026, 11, 1, 0, 30)


def reviewed(source, rating, recommend, finished=None):
    order = b.order(b.customer(), finished=finished or b.at(2026, 10, 15))
    review = b.review(order, rating, recommend)
    Review.objects.filter(pk=review.pk).update(source=source)
    return order


def invitation(q, *, sent, answered=None, satisfaction=None, recommend=None):
    inv = SurveyInvitation.objects.create(questionnaire=q, customer=b.customer(), created_at=sent,
                                          expires_at=sent + dt.timedelta(days=14), answered_at=answered)
    for role, value in (("satisfaction", satisfaction), ("recommend", recommend)):
        if value is not None:
            SurveyAnswer.objects.create(invitation=inv, question=q.questions.get(role=role), value=value)
    return inv


@pytest.fixture
def questionnaire():
    q = Questionnaire.objects.create(code="q", title="问卷", message="{{ link }}")
    Question.objects.create(questionnaire=q, position=1, text="满意吗", scale="likert5", role="satisfaction")
    Question.objects.create(questionnaire=q, position=2, text="推荐吗", scale="nps11", role="recommend")
    Question.objects.create(questionnaire=q, position=3, text="平稳吗", scale="likert5")
    return q


def test_satisfaction_and_nps_by_source_add_up_to_the_company_figures():
    reviewed("platform", 5, 10)
    reviewed("platform", 2, 3)
    reviewed("platform", 4, None)
    reviewed("callback", 4, 8)
    reviewed("survey", 5, 9)
    reviewed("survey", 3, 6)
    reviewed("survey", 1, 0, finished=b.at(2026, 11, 1, 0, 0))  # a November order: not October's

    snapshot_compute_month(month=OCT, as_of=AS_OF)

    row = MonthlySnapshot.objects.get(month=OCT, scope_key="company")
    # platform: 2 of 3 satisfied = 66.67 %; scored 2, one promoter one detractor = 0.
    # callback: 1 of 1 = 100 %; one passive (8) = 0. survey: 1 of 2 = 50 %; 1 promoter, 1 detractor = 0.
    assert row.reviews_by_source == {
        "platform": {"reviews": 3, "satisfaction_rate": "66.67", "nps": "0.00"},
        "callback": {"reviews": 1, "satisfaction_rate": "100.00", "nps": "0.00"},
        "survey": {"reviews": 2, "satisfaction_rate": "50.00", "nps": "0.00"},
    }
    assert sum(v["reviews"] for v in row.reviews_by_source.values()) == row.reviews_count == 6
    assert row.satisfaction_rate == Decimal("66.67")  # 4 of 6


def test_the_month_surveys_sent_answered_satisfaction_and_nps(questionnaire):
    q = questionnaire
    invitation(q, sent=b.at(2026, 10, 1, 0, 0), answered=b.at(2026, 10, 2), satisfaction=5, recommend=10)
    invitation(q, sent=b.at(2026, 10, 5), answered=b.at(2026, 10, 31, 23, 59, 59), satisfaction=4, recommend=9)
    invitation(q, sent=b.at(2026, 10, 6), answered=b.at(2026, 10, 7), satisfaction=2, recommend=5)
    invitation(q, sent=b.at(2026, 10, 8))  # not answered
    invitation(q, sent=b.at(2026, 10, 20), answered=b.at(2026, 11, 1, 0, 0), satisfaction=1, recommend=0)  # November
    invitation(q, sent=b.at(2026, 9, 30, 23, 59), answered=b.at(2026, 10, 3), satisfaction=3, recommend=7)  # sent Sept

    snapshot_compute_month(month=OCT, as_of=AS_OF)

    surveys = MonthlySnapshot.objects.get(month=OCT, scope_key="company").surveys
    # Sent in October: 5. Answered in October: 4 (the September one too, not the November one).
    # Satisfaction answers of October: 5, 4, 2, 3 → 2 of 4 satisfied = 50 %.
    # Recommend answers: 10, 9, 5, 7 → 2 promoters, 1 detractor of 4 = 25.
    assert surveys == {"sent": 5, "answered": 4, "response_rate": "80.00", "rated": 4, "satisfaction_rate": "50.00",
                       "scored": 4, "nps": "25.00"}


def test_a_month_without_surveys_has_unknown_rates_not_zero():
    snapshot_compute_month(month=OCT, as_of=AS_OF)

    row = MonthlySnapshot.objects.get(month=OCT, scope_key="company")
    assert row.surveys == {"sent": 0, "answered": 0, "response_rate": None, "rated": 0, "satisfaction_rate": None,
                           "scored": 0, "nps": None}
    assert row.reviews_by_source == {}
