"""The dashboard's engagement section (issue 18): a manager reads the month's satisfaction and NPS per
review source, its surveys and its campaign reach, in Chinese, with links to the records."""

import datetime as dt

import pytest

from care.models import Message
from core.roles import Role
from customers.models import Review
from engage.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def october():
    for source, rating, recommend in (("platform", 5, 10), ("platform", 2, 3), ("survey", 5, 9)):
        review = b.review(b.order(b.customer(), finished=b.at(2026, 10, 15)), rating, recommend)
        Review.objects.filter(pk=review.pk).update(source=source)
    q = Questionnaire.objects.create(code="q", title="问卷", message="{{ link }}")
    sat = Question.objects.create(questionnaire=q, position=1, text="满意吗", scale="likert5", role="satisfaction")
    for answered in (b.at(2026, 10, 3), None):
        inv = SurveyInvitation.objects.create(questionnaire=q, customer=b.customer(), created_at=b.at(2026, 10, 2),
                                              expires_at=b.at(2026, 10, 16), answered_at=answered)
        if answered:
            SurveyAnswer.objects.create(invitation=inv, question=sat, value=5)
    m = b.care_message(b.customer(), status="sent", sent=b.at(2026, 10, 9), send_after=b.at(2026, 10, 9),
                       created=b.at(2026, 10, 9), last_attempt=None)
    Message.objects.filter(pk=m.pk).update(purpose="campaign_weather")
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))


def _group(html: str, key: str) -> str:
    start = html.index(f'data-group="{key}"')
    return html[start:html.index("</div>", start)]


def test_the_manager_reads_satisfaction_by_source_surveys_and_campaign_reach(client, october):
    client.force_login(b.staff("manager", role=Role.OPERATIONS_MANAGER))
    response = client.get("/dashboard/?month=2026-10")
    html = response.content.decode()
    assert response.status_code == 200 and "客户互动" in html

    by_source = _group(html, "by-source")
    # platform: 2 reviews, 1 satisfied = 50 %; NPS one promoter one detractor = 0; survey: 1 review, 100 %
    assert "<th>平台</th><td>2</td><td>50.00</td><td>0.00</td>" in by_source
    assert "<th>调查</th><td>1</td><td>100.00</td><td>100.00</td>" in by_source
    surveys = _group(html, "surveys")
    assert "<th>已发送</th><td>2</td>" in surveys and "<th>已答复</th><td>1</td>" in surveys
    assert "<th>回复率(%)</th><td>50.00</td>" in surveys
    campaigns = _group(html, "campaigns")
    assert "<th>触达客户</th><td>1</td>" in campaigns and "<th>已发送：恶劣天气关怀</th><td>1</td>" in campaigns

    links = [client.get(group.split('href="')[1].split('"')[0].replace("&amp;", "&"))
             for group in (surveys, campaigns)]
    assert [r.status_code for r in links] == [200, 200]
    assert "e=1" not in links[0].get("Location", "")


def test_a_month_without_campaigns_shows_zero_and_a_snapshot_from_before_them_says_no_data(client):
    from kpis.models import MonthlySnapshot

    b.review(b.order(b.customer(), finished=b.at(2026, 10, 15)), 5, 10)
    snapshot_compute_month(month=OCT, as_of=b.at(2026, 11, 1, 0, 30))
    client.force_login(b.staff("gm", role=Role.GENERAL_MANAGER))
    campaigns = _group(client.get("/dashboard/?month=2026-10").content.decode(), "campaigns")
    assert "<th>已发送</th><td>0</td>" in campaigns and "已发送：" not in campaigns
    MonthlySnapshot.objects.filter(month=OCT).update(campaigns=None, surveys=None)  # computed before issue 18
    html = client.get("/dashboard/?month=2026-10").content.decode()
    assert "暂无数据" in _group(html, "campaigns") and "暂无数据" in _group(html, "surveys")
