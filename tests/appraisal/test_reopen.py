"""Reopening a signed-off appraisal: the agent's supervisor or a manager reopens it with a reason (kept,
with the sign-off it undid), the agent is told, it is recomputed and signed off again; the monthly job
never overwrites a signed-off appraisal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Appraisal
from appraisal.services import (
    appraisal_recompute,
    appraisal_reopen,
    appraisal_sign_off,
    appraisals_compute_month,
    appraisals_compute_previous_month,
)
from core.models import Notification
from tests.appraisal.conftest import rated_callbacks, scored_review
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db


def signed_off(dept):
    scored_review(dept.agent_a1, dept.sup_a, 4)
    appraisals_compute_month(month=b.at(2026, 10, 1).date())
    appraisal = Appraisal.objects.get(agent=dept.agent_a1)
    return appraisal_sign_off(appraisal=appraisal, actor=dept.sup_a, note="合格", now=b.at(2026, 11, 5))


def test_a_reopened_appraisal_is_recomputed_and_signed_off_again(dept):
    appraisal = signed_off(dept)
    assert appraisal.total == Decimal("80.00")
    # when the supervisor reopens it (a QA score was wrong) and a new review is scored
    appraisal_reopen(appraisal=appraisal, actor=dept.sup_a, reason="质检评分有误，需复核", now=b.at(2026, 11, 8))
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.signed_off_by, appraisal.signed_off_at) == ("draft", None, None)
    history = appraisal.reopenings.get()
    assert (history.reason, history.reopened_by, history.signed_off_by, history.total, history.sign_off_note) == (
        "质检评分有误，需复核", dept.sup_a, dept.sup_a, Decimal("80.00"), "合格")
    assert Notification.objects.filter(recipient=dept.agent_a1, text__contains="质检评分有误").exists()
    scored_review(dept.agent_a1, dept.sup_a, 5)
    appraisal = appraisal_recompute(appraisal=appraisal, actor=dept.sup_a)
    assert appraisal.total == Decimal("90.00")
    # then it is signed off again, and the monthly job leaves it as signed off
    appraisal_sign_off(appraisal=appraisal, actor=dept.ops, note="复核后签核", now=b.at(2026, 11, 9))
    rated_callbacks(dept.agent_a1, [1, 1])  # the customers' ratings would lower it
    assert appraisals_compute_previous_month(now=b.at(2026, 11, 10))["signed_off"] == 1
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.total, appraisal.signed_off_by) == ("signed_off", Decimal("90.00"), dept.ops)


def test_only_the_supervisor_or_a_manager_reopens_with_a_reason(dept):
    appraisal = signed_off(dept)
    for actor in (dept.agent_a1, dept.agent_a2, dept.sup_b, dept.analyst):
        with pytest.raises(NotAllowed):
            appraisal_reopen(appraisal=appraisal, actor=actor, reason="想改")
    with pytest.raises(AppraisalError):
        appraisal_reopen(appraisal=appraisal, actor=dept.sup_a, reason=" ")
    appraisal_reopen(appraisal=appraisal, actor=dept.ops, reason="客户投诉后补")
    with pytest.raises(AppraisalError, match="尚未签核"):  # a draft is not reopened
        appraisal_reopen(appraisal=appraisal, actor=dept.ops, reason="再次")


def test_the_supervisor_reopens_from_the_appraisal_page(client, dept):
    appraisal = signed_off(dept)
    url = reverse("admin:appraisal_appraisal_reopen", args=[appraisal.pk])
    client.force_login(dept.agent_a1)
    assert url not in client.get(reverse("admin:appraisal_appraisal_change", args=[appraisal.pk])).content.decode()
    client.post(url, {"reason": "自己想改"})
    appraisal.refresh_from_db()
    assert appraisal.status == "signed_off"
    client.force_login(dept.sup_a)
    page = client.get(reverse("admin:appraisal_appraisal_change", args=[appraisal.pk])).content.decode()
    assert url in page and "重新打开理由" in page
    assert client.get(url).status_code == 405
    client.post(url, {"reason": "投诉核实后需调整"})
    appraisal.refresh_from_db()
    assert appraisal.status == "draft"
    page = client.get(reverse("admin:appraisal_appraisal_change", args=[appraisal.pk])).content.decode()
    assert "投诉核实后需调整" in page and "签核" in page
