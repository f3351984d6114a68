"""Demo data of the monthly complaint analysis (issue 17 item 21), without random draws: the demo's
free-text causes get their cause from the list, the month before last is signed off with findings and
improvement actions, last month waits for its sign-off."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.analysis_signoff import analysis_month_get, analysis_sign_off
from complaints.models import Cause, Complaint, ImprovementAction
from core.dates import previous_month, shift_month
from core.roles import Role

CAUSE_OF_TEXT = {"司机未按导航行驶": "driver_route", "司机服务意识不足": "driver_attitude",
                 "调度派单距离过远": "dispatch", "平台计价规则异常": "pricing",
                 "客户误解计费规则": "customer_misunderstanding", "交通管制导致延误": "external"}


def seed_analysis(stdout=None) -> None:
    causes = {c.code: c for c in Cause.objects.all()}
    for text, code in CAUSE_OF_TEXT.items():
        Complaint.objects.filter(cause=text, cause_category__isnull=True).update(cause_category=causes[code])
    supervisor = (get_user_model().objects.filter(groups__name=Role.CS_SUPERVISOR, is_active=True)
                  .order_by("pk").first())
    if supervisor is None:
        return
    year, month = shift_month(*previous_month(), -1)
    signed = analysis_month_get(year, month)
    if not signed.signed_off_at:
        first_due = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        ImprovementAction.objects.create(analysis=signed, action="周五、周六晚高峰增派司机，减少迟到", owner=supervisor,
                                         due_on=first_due)
        ImprovementAction.objects.create(analysis=signed, action="计费规则写入下单确认短信", owner=supervisor,
                                         due_on=first_due + dt.timedelta(days=30))
        analysis_sign_off(analysis=signed, actor=supervisor,
                          findings="迟到与计费争议占结案投诉的大半；司机态度类投诉较上月下降。")
    analysis_month_get(*previous_month())  # last month: waiting for its sign-off
    if stdout is not None:
        stdout.write(f"complaints: analysis of {signed} signed off; last month waits for sign-off")
