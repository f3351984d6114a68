"""Reward and penalty notices go to the general manager for approval (001 篇5 第十二条 呈总经理批准):
pending, a notice is not in effect and the agent is not told; the GM approves (the agent is told, the
approval recorded) or rejects with a reason (it never counts); nobody decides their own; the issuer
may withdraw a pending one; the printable notice has the three copies."""

from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal import selectors
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Notice
from appraisal.services import notice_approve, notice_issue, notice_reject, notice_withdraw
from core.models import Notification
from tests.appraisal.conftest import OCT
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db


def penalty(dept, *, actor=None, agent=None):
    return notice_issue(actor=actor or dept.sup_a, agent=agent or dept.agent_a1, kind="penalty",
                        reason="回访漏记客户意见", amount=Decimal("50"), points=1, now=b.at(2026, 10, 20))


def test_the_gm_approves_a_notice_and_only_then_the_agent_is_told(dept):
    # given a supervisor's penalty notice: pending, the GM asked, the agent not told
    notice = penalty(dept)
    assert notice.status == "pending" and not notice.in_effect
    assert Notification.objects.filter(recipient=dept.gm, kind="approval", text__contains=notice.number).exists()
    assert not Notification.objects.filter(recipient=dept.agent_a1).exists()
    assert not selectors.notices_in_effect(dept.agent_a1.pk, OCT).exists()
    # when the GM approves it
    notice_approve(notice=notice, actor=dept.gm, now=b.at(2026, 10, 21, 9))
    # then it is in effect, the approval recorded, the agent and the issuer told
    notice.refresh_from_db()
    assert (notice.status, notice.decided_by, notice.decided_at) == ("approved", dept.gm, b.at(2026, 10, 21, 9))
    told = Notification.objects.get(recipient=dept.agent_a1)
    assert "50.00 元" in told.text and "回访漏记客户意见" in told.text
    assert Notification.objects.filter(recipient=dept.sup_a, text__contains="已批准").exists()
    assert list(selectors.notices_in_effect(dept.agent_a1.pk, OCT)) == [notice]
    with pytest.raises(AppraisalError):  # decided once
        notice_reject(notice=notice, actor=dept.gm, reason="改主意")


def test_a_rejected_notice_never_counts_and_the_agent_never_hears_of_it(dept):
    notice = penalty(dept)
    with pytest.raises(AppraisalError):  # a rejection says why
        notice_reject(notice=notice, actor=dept.gm, reason="  ")
    notice_reject(notice=notice, actor=dept.gm, reason="证据不足，请先核实录音")
    notice.refresh_from_db()
    assert (notice.status, notice.decision_note) == ("rejected", "证据不足，请先核实录音")
    assert not selectors.notices_in_effect(dept.agent_a1.pk, OCT).exists()
    assert not Notification.objects.filter(recipient=dept.agent_a1).exists()
    assert Notification.objects.filter(recipient=dept.sup_a, text__contains="证据不足").exists()
    with pytest.raises(AppraisalError):
        notice_approve(notice=notice, actor=dept.gm)
    assert not Notice.objects.filter(agent=dept.agent_a1).filter(selectors.notices_visible_q(dept.agent_a1))


def test_only_the_gm_approves_and_never_their_own_notice(dept):
    notice = penalty(dept)
    for actor in (dept.agent_a1, dept.agent_a2, dept.sup_a, dept.sup_b, dept.ops, dept.analyst):
        with pytest.raises(NotAllowed):
            notice_approve(notice=notice, actor=actor)
        with pytest.raises(NotAllowed):
            notice_reject(notice=notice, actor=actor, reason="不同意")
    own = notice_issue(actor=dept.gm, agent=dept.agent_b1, kind="reward", reason="月度服务之星", amount=Decimal("300"))
    with pytest.raises(NotAllowed):
        notice_approve(notice=own, actor=dept.gm)
    notice.refresh_from_db()
    own.refresh_from_db()
    assert (notice.status, own.status) == ("pending", "pending")


def test_the_issuer_withdraws_a_pending_notice(dept):
    notice = penalty(dept)
    for actor in (dept.gm, dept.ops, dept.agent_a1):
        with pytest.raises(NotAllowed):
            notice_withdraw(notice=notice, actor=actor)
    notice_withdraw(notice=notice, actor=dept.sup_a)
    notice.refresh_from_db()
    assert (notice.status, notice.decided_by) == ("withdrawn", dept.sup_a)
    with pytest.raises(AppraisalError):
        notice_approve(notice=notice, actor=dept.gm)


def test_the_gm_approves_from_the_admin_after_a_confirmation(client, dept):
    notice = penalty(dept)
    penalty(dept, actor=dept.sup_b, agent=dept.agent_b1)
    client.force_login(dept.gm)
    pending = client.get(reverse("admin:appraisal_notice_pending"), follow=True).content.decode()
    assert "待我审批" in pending and notice.number in pending and "待审批" in pending
    page = client.get(reverse("admin:appraisal_notice_change", args=[notice.pk])).content.decode()
    approve = reverse("admin:appraisal_notice_approve", args=[notice.pk])
    assert approve in page and "打印奖罚通知单" in page
    confirm = client.get(approve).content.decode()  # GET only asks
    assert "批准此通知单？" in confirm and "回访漏记客户意见" in confirm
    notice.refresh_from_db()
    assert notice.status == "pending"
    assert client.post(approve).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.decided_by) == ("approved", dept.gm)
    sheet = client.get(reverse("admin:appraisal_notice_print", args=[notice.pk])).content.decode()
    for text in (notice.number, "王小明", "客服一组", "处罚", "50.00", "回访漏记客户意见", "周主管", "钱总",
                 "自存", "会计单位查核", "处罚部门"):
        assert text in sheet, text


def test_an_agent_and_the_issuer_cannot_approve_in_the_admin(client, dept):
    notice = penalty(dept)
    approve = reverse("admin:appraisal_notice_approve", args=[notice.pk])
    client.force_login(dept.sup_a)  # the issuer: may withdraw, not approve
    page = client.get(reverse("admin:appraisal_notice_change", args=[notice.pk])).content.decode()
    assert approve not in page and reverse("admin:appraisal_notice_withdraw", args=[notice.pk]) in page
    client.post(approve)
    assert client.get(reverse("admin:appraisal_notice_pending")).status_code == 403
    client.force_login(dept.agent_a1)  # the agent does not even find their pending notice
    assert client.post(approve).status_code == 404
    notice.refresh_from_db()
    assert notice.status == "pending"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notices_issued_before_approval_existed_become_approved():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("appraisal", "0002_seed_checklist_and_weights")])
    old = executor.loader.project_state([("appraisal", "0002_seed_checklist_and_weights")]).apps
    user = old.get_model("auth", "User").objects.create(username="old_sup")
    agent = old.get_model("auth", "User").objects.create(username="old_agent")
    old.get_model("appraisal", "Notice").objects.create(agent=agent, kind="reward", reason="旧规则签发", amount=100,
                                                        issued_by=user, issued_at=b.at(2026, 9, 3))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    notice = Notice.objects.get(reason="旧规则签发")
    assert (notice.status, notice.decided_at, notice.decided_by) == ("approved", b.at(2026, 9, 3), None)
    assert notice.in_effect
