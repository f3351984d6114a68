"""The appraisal admin as its users meet it (in Chinese): a supervisor samples and scores their team's
contacts, signs the month off and issues a notice; an agent self-assesses and reads only their own
appraisal and notices; managers keep the checklist and the weights under 系统设置."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from appraisal.models import Appraisal, AppraisalWeights, ChecklistItem, Notice, QaReview, SelfAssessment
from appraisal.services import appraisals_compute_month, notice_approve, notice_issue
from tests.appraisal.conftest import OCT, contacts, scored_review

pytestmark = pytest.mark.django_db


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_a_supervisor_samples_and_scores_a_contact_of_their_team(client, dept):
    contacts(dept.agent_a1, 2)
    client.force_login(dept.sup_a)
    assert "抽样质检" in client.get(reverse("admin:appraisal_qareview_changelist")).content.decode()
    response = client.post(reverse("admin:appraisal_qareview_sample"), {"month": "2026-10", "team": dept.team_a.pk})
    assert response.status_code == 302
    assert QaReview.objects.filter(agent=dept.agent_a1, status="pending").count() == 2
    review = QaReview.objects.filter(agent=dept.agent_a1).first()
    score_url = reverse("admin:appraisal_qareview_score", args=[review.pk])
    page = client.get(score_url).content.decode()
    assert "解答准确" in page and "权重" in page and "投诉处理流程" not in page
    items = ChecklistItem.objects.filter(is_active=True, applies_to__in=["both", "contact"])
    data = {f"item_{item.pk}": 4 for item in items}
    response = client.post(score_url, {**data, "comment": "礼貌到位"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.score, review.reviewer, review.comment) == ("scored", Decimal("80.00"),
                                                                             dept.sup_a, "礼貌到位")


def test_an_agent_cannot_open_the_scoring_page_of_their_own_review(client, dept):
    review = QaReview.objects.create(agent=dept.agent_a1, month=OCT, contact=contacts(dept.agent_a1, 1)[0])
    client.force_login(dept.agent_a1)
    page = client.get(reverse("admin:appraisal_qareview_changelist")).content.decode()
    assert "抽样质检" not in page and reverse("admin:appraisal_qareview_score", args=[review.pk]) not in page
    assert client.get(reverse("admin:appraisal_qareview_score", args=[review.pk])).status_code == 403
    assert client.get(reverse("admin:appraisal_qareview_sample")).status_code == 403
    # a supervisor of another team does not even find it
    client.force_login(dept.sup_b)
    assert client.get(reverse("admin:appraisal_qareview_score", args=[review.pk])).status_code == 404


def test_an_agent_sees_only_their_own_appraisal_and_notices(client, dept):
    scored_review(dept.agent_a1, dept.sup_a, 4)
    scored_review(dept.agent_a2, dept.sup_a, 5)
    appraisals_compute_month(month=OCT)
    mine, theirs = Appraisal.objects.get(agent=dept.agent_a1), Appraisal.objects.get(agent=dept.agent_a2)
    notice_issue(actor=dept.sup_a, agent=dept.agent_a2, kind="penalty", reason="回访漏记", amount=Decimal("50"))
    client.force_login(dept.agent_a1)
    page = client.get(reverse("admin:appraisal_appraisal_changelist")).content.decode()
    assert "王小明" in page and "李小红" not in page and "80.00" in page
    assert client.get(reverse("admin:appraisal_appraisal_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:appraisal_appraisal_change", args=[theirs.pk])).status_code == 404
    assert "回访漏记" not in client.get(reverse("admin:appraisal_notice_changelist")).content.decode()
    assert client.post(reverse("admin:appraisal_appraisal_sign_off", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "draft"  # refused: an agent never signs off (their own or anyone's)
    # the analyst reads every appraisal, the supervisor of the other team none of these
    client.force_login(dept.analyst)
    assert "李小红" in client.get(reverse("admin:appraisal_appraisal_changelist")).content.decode()
    client.force_login(dept.sup_b)
    assert "李小红" not in client.get(reverse("admin:appraisal_appraisal_changelist")).content.decode()


def test_the_supervisor_signs_off_from_the_appraisal_page(client, dept):
    scored_review(dept.agent_a1, dept.sup_a, 4)
    appraisals_compute_month(month=OCT)
    appraisal = Appraisal.objects.get(agent=dept.agent_a1)
    client.force_login(dept.sup_a)
    page = client.get(reverse("admin:appraisal_appraisal_change", args=[appraisal.pk])).content.decode()
    assert "质检评分（上级评价） 100.00%" in page and "签核" in page and "礼貌用语与服务态度" in page
    url = reverse("admin:appraisal_appraisal_sign_off", args=[appraisal.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"note": "继续保持"})
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.sign_off_note, appraisal.signed_off_by) == ("signed_off", "继续保持",
                                                                                    dept.sup_a)


def test_an_agent_self_assesses_in_the_admin(client, dept):
    client.force_login(dept.agent_a1)
    month = last_month()
    response = client.post(reverse("admin:appraisal_selfassessment_add"),
                           {"month": month.isoformat(), "score": 86, "text": "投诉处理及时，回访满意度高"})
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get()
    assert (assessment.agent, assessment.month, assessment.score) == (dept.agent_a1, month, 86)
    page = client.post(reverse("admin:appraisal_selfassessment_add"),
                       {"month": month.isoformat(), "score": 120, "text": "x"}).content.decode()
    assert "分数为 0 到 100" in page
    # a supervisor reads it, may not write one
    client.force_login(dept.sup_a)
    assert client.get(reverse("admin:appraisal_selfassessment_add")).status_code == 403
    assert "86" in client.get(reverse("admin:appraisal_selfassessment_changelist")).content.decode()


def test_a_supervisor_issues_a_notice_to_their_team_only(client, dept):
    client.force_login(dept.sup_a)
    add = reverse("admin:appraisal_notice_add")
    page = client.get(add).content.decode()
    assert "王小明" in page and "赵敏" not in page  # only the team's agents to choose from
    response = client.post(add, {"agent": dept.agent_a1.pk, "kind": "reward", "reason": "客户来电表扬",
                                 "amount": "200", "points": ""})
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.agent, notice.kind, notice.amount, notice.issued_by) == (dept.agent_a1, "reward",
                                                                            Decimal("200.00"), dept.sup_a)
    page = client.post(add, {"agent": dept.agent_a1.pk, "kind": "penalty", "reason": "漏记", "amount": "",
                             "points": ""}).content.decode()
    assert "请填写金额或考核分" in page and Notice.objects.count() == 1
    client.force_login(dept.agent_a1)  # pending the GM's approval: not in effect, the agent does not see it
    assert "客户来电表扬" not in client.get(reverse("admin:appraisal_notice_changelist")).content.decode()
    notice_approve(notice=notice, actor=dept.gm)
    assert "客户来电表扬" in client.get(reverse("admin:appraisal_notice_changelist")).content.decode()


def test_managers_edit_the_checklist_and_weights_under_settings(client, dept):
    client.force_login(dept.ops)
    weights = AppraisalWeights.objects.get()
    url = reverse("admin:appraisal_appraisalweights_change", args=[weights.pk])
    assert "其余权重按比例折算" in client.get(url).content.decode()
    client.post(url, {"qa_weight": 60, "self_weight": 10, "customer_weight": 30})
    weights.refresh_from_db()
    assert (weights.qa_weight, weights.self_weight, weights.customer_weight) == (60, 10, 30)
    assert client.get(reverse("admin:appraisal_checklistitem_add")).status_code == 200
    client.force_login(dept.sup_a)  # supervisors and agents read the checklist, do not change it
    assert client.get(reverse("admin:appraisal_checklistitem_add")).status_code == 403
    assert client.get(reverse("admin:appraisal_checklistitem_changelist")).status_code == 200
