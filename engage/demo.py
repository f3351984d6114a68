"""Demo data for engagement (called by ``manage.py seed_demo`` after care and complaints, before the
KPI snapshots): customer segments, a satisfaction questionnaire sent to recent customers through the
care outbox and answered by most of them (their answers become reviews, source survey); appreciation
events (``engage.demo_events``)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from care.models import Message
from care.services import message_deliver
from customers.models import Customer
from engage.models import Question, Questionnaire, Segment, SurveyInvitation
from engage.services import survey_answer, survey_send

SURVEY_SAMPLE = 60
ANSWER_RATE = 0.7


def _segments() -> None:
    today = timezone.localdate()
    Segment.objects.get_or_create(name="金卡及以上客户", defaults={"tiers": ["gold", "diamond"]})
    Segment.objects.get_or_create(name="普通客户（同意营销）", defaults={"tiers": ["normal"], "consent": "given"})
    Segment.objects.get_or_create(name="沉睡客户（唤醒）", defaults={"status": "dormant", "consent": "given"})
    Segment.objects.get_or_create(name="浦东新区客户", defaults={"district": "浦东新区"})
    Segment.objects.get_or_create(name="90天未下单", defaults={"last_order_before": today - dt.timedelta(days=90)})


def _questionnaire() -> Questionnaire:
    q, created = Questionnaire.objects.get_or_create(
        code="service-satisfaction", defaults={
            "title": "代驾服务满意度调查", "intro": "感谢您选择我们的代驾服务，请花一分钟告诉我们您的感受。",
            "message": "{{ name }}您好，{{ company }}邀请您为最近一次代驾服务打分（约1分钟）：{{ link }}"})
    if created:
        Question.objects.create(questionnaire=q, position=1, text="您对最近一次代驾服务的整体满意度？",
                                scale=Question.Scale.LIKERT, role=Question.Role.SATISFACTION)
        Question.objects.create(questionnaire=q, position=2, text="您有多大可能向亲友推荐我们？（0–10分）",
                                scale=Question.Scale.RECOMMEND, role=Question.Role.RECOMMEND)
        Question.objects.create(questionnaire=q, position=3, text="司机的驾驶是否平稳、安全？",
                                scale=Question.Scale.LIKERT)
        Question.objects.create(questionnaire=q, position=4, text="司机是否准时到达？", scale=Question.Scale.LIKERT)
    return q


def _answer(rng: random.Random, invitation: SurveyInvitation, when: dt.datetime) -> None:
    questions = list(invitation.questionnaire.questions.all())
    mood = rng.choices([5, 4, 3, 2], weights=[50, 30, 12, 8])[0]
    values = {}
    for q in questions:
        if q.scale == Question.Scale.LIKERT:
            values[q.pk] = max(1, min(5, mood + rng.choice([-1, 0, 0, 0])))
        else:
            values[q.pk] = max(0, min(10, mood * 2 + rng.choice([-1, 0, 0])))
    survey_answer(invitation_id=invitation.pk, values=values, now=when,
                  comment=rng.choice(["", "", "司机很专业", "希望高峰期派单更快"]))


def seed(*, rng: random.Random, stdout) -> None:
    _segments()
    q = _questionnaire()
    now = timezone.now()
    recent = list(Customer.objects.filter(status=Customer.Status.ACTIVE, last_order_at__isnull=False)
                  .order_by("-last_order_at").values_list("pk", flat=True)[:SURVEY_SAMPLE * 2])
    chosen = Customer.objects.filter(pk__in=rng.sample(recent, min(SURVEY_SAMPLE, len(recent))))
    sent_at = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) - dt.timedelta(days=2), dt.time(12)))
    result = survey_send(questionnaire=q, customers=chosen, now=sent_at)
    for message_id in (Message.objects.filter(purpose="survey", status=Message.Status.QUEUED)
                       .order_by("pk").values_list("pk", flat=True)):
        message_deliver(message_id=message_id, now=sent_at)
    answered = 0
    for invitation in SurveyInvitation.objects.filter(questionnaire=q, answered_at__isnull=True).order_by("pk"):
        if rng.random() < ANSWER_RATE:
            _answer(rng, invitation, sent_at + dt.timedelta(hours=rng.randint(1, 40)))
            answered += 1
    stdout.write(f"engage: survey sent to {result.sent} customers, {answered} answered")
    from engage.demo_events import seed_events

    seed_events(rng=rng, stdout=stdout)
    from engage.demo_campaigns import seed_campaigns

    seed_campaigns(stdout=stdout)
