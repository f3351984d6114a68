import datetime as dt

import pytest
from django.utils import timezone

from engage.models import Question, Questionnaire


@pytest.fixture
def no_quiet_hours(settings):
    settings.CARE_QUIET_HOURS_START = settings.CARE_QUIET_HOURS_END = "00:00"


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def questionnaire(db):
    return make_questionnaire()


def make_questionnaire(code: str = "service-2026") -> Questionnaire:
    q = Questionnaire.objects.create(code=code, title="服务满意度调查",
                                     message="{{ name }}您好，请为{{ company }}的服务打分：{{ link }}")
    Question.objects.create(questionnaire=q, position=1, text="您对本次代驾服务满意吗？",
                            scale=Question.Scale.LIKERT, role=Question.Role.SATISFACTION)
    Question.objects.create(questionnaire=q, position=2, text="您有多大可能向朋友推荐我们？",
                            scale=Question.Scale.RECOMMEND, role=Question.Role.RECOMMEND)
    Question.objects.create(questionnaire=q, position=3, text="司机的驾驶是否平稳？", scale=Question.Scale.LIKERT)
    return q
