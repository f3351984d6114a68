"""Demo appraisal month (called by ``manage.py seed_demo`` after retention, before kpis so the
snapshots carry the scores): last month, each supervisor samples their team's contacts and complaints
and scores most of them; most agents self-assess; the month is computed and one team's appraisals are
signed off; a few reward and penalty notices are issued (one following a complaint), the general
manager approves the rewards, the penalties wait for approval."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from appraisal import rules, selectors
from appraisal.models import Appraisal, Notice, QaReview
from appraisal.services import (
    appraisal_sign_off,
    appraisals_compute_month,
    items_for,
    notice_approve,
    notice_approvers,
    notice_issue,
    qa_review_score,
    qa_sample,
    self_assessment_submit,
)
from complaints.models import Complaint
from core.models import Team

SCORED_SHARE = 0.8
SELF_ASSESSED_SHARE = 0.85
SELF_TEXTS = ["本月回访任务全部按时完成，客户满意度较高；个别投诉处理偏慢，下月注意时限。",
              "接听量大，解答基本准确；需要加强会员权益的业务知识。",
              "主动跟进了几位预警客户，挽回两位；记录填写还可以更完整。",
              "投诉处理按流程推进，回访及时；语气还可以更耐心。"]
COMMENTS = ["礼貌用语到位，解答准确", "记录不够完整，需补充处理结果", "响应及时，客户问题当场解决",
            "语速偏快，注意倾听"]


def _score_samples(month: dt.date, supervisor, *, rng: random.Random, when: dt.datetime) -> int:
    scored = 0
    for review in QaReview.objects.filter(month=month, sampled_by=supervisor).select_related(
            "agent__staff_profile__team").order_by("pk"):
        if rng.random() >= SCORED_SHARE:
            continue  # left "to score": the supervisor's list shows what is still waiting
        points = {item.pk: rng.choices([5, 4, 3, 2], weights=[40, 40, 15, 5])[0] for item in items_for(review)}
        qa_review_score(review=review, actor=supervisor, points=points, comment=rng.choice(COMMENTS), now=when)
        scored += 1
    return scored


def _self_assess(month: dt.date, *, rng: random.Random, today: dt.date) -> int:
    done = 0
    for agent in selectors.appraised_staff():
        if rng.random() < SELF_ASSESSED_SHARE:
            self_assessment_submit(agent=agent, month=month, score=rng.randint(72, 95), text=rng.choice(SELF_TEXTS),
                                   today=today)
            done += 1
    return done


def _notices(month: dt.date, supervisors: dict, *, rng: random.Random, when: dt.datetime) -> int:
    issued = 0
    start, end = selectors.bounds(month)
    for team, supervisor in supervisors.items():
        agents = list(selectors.agents_appraisable_by(supervisor).filter(staff_profile__team=team))
        if not agents:
            continue
        notice_issue(actor=supervisor, agent=rng.choice(agents), kind="reward", reason="客户来电表扬服务耐心周到",
                     amount=200, points=2, now=when)
        issued += 1
        complaint = (Complaint.objects.filter(assignee__in=agents, received_at__gte=start, received_at__lt=end)
                     .order_by("pk").first())
        if complaint is not None:
            notice_issue(actor=supervisor, agent=complaint.assignee, kind="penalty", points=1, complaint=complaint,
                         reason=f"投诉 {complaint.number} 超时未回复客户", now=when)
            issued += 1
    return issued


def _approve_notices(*, when: dt.datetime) -> None:
    """The GM approves the rewards; the penalties stay pending (log in as ``gm``: 待我审批)."""
    for notice in Notice.objects.filter(status=Notice.Status.PENDING, kind=Notice.Kind.REWARD).order_by("pk"):
        approver = notice_approvers(notice).order_by("pk").first()
        if approver is not None:
            notice_approve(notice=notice, actor=approver, now=when)


def seed(*, rng: random.Random, stdout=None) -> None:
    today = timezone.localdate()
    month = rules.previous_month(today)
    when = timezone.now() - dt.timedelta(days=min(today.day - 1, 2), hours=3)
    supervisors = {team: team.supervisor for team in Team.objects.filter(kind=Team.Kind.SERVICE,
                                                                           supervisor__isnull=False)}
    sampled = scored = 0
    for supervisor in supervisors.values():
        sampled += qa_sample(actor=supervisor, month=month, rng=rng, today=today).created
        scored += _score_samples(month, supervisor, rng=rng, when=when)
    assessed = _self_assess(month, rng=rng, today=today)
    issued = _notices(month, supervisors, rng=rng, when=when)
    _approve_notices(when=when + dt.timedelta(hours=2))
    appraisals_compute_month(month=month)
    signed = 0
    first_team = min(supervisors, key=lambda t: t.pk, default=None)  # 客服一组
    if first_team is not None:
        for appraisal in Appraisal.objects.filter(month=month, team=first_team, total__isnull=False,
                                                  status=Appraisal.Status.DRAFT).select_related("agent"):
            appraisal_sign_off(appraisal=appraisal, actor=supervisors[first_team], note="已复核", now=timezone.now())
            signed += 1
    if stdout is not None:
        stdout.write(f"appraisal: {month:%Y-%m}: {sampled} contacts and complaints sampled ({scored} scored), "
                     f"{assessed} self-assessments, {issued} notices, {signed} appraisals signed off")
