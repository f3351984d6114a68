"""Demo complaints for the demo company (called by ``seed_demo`` after customers and loyalty).

Every grade in every status, taken through the real services with the clock set back to when each
step happened, so deadlines, durations and the timeline look like months of work; a batch of
older closed complaints feeds the monthly analysis; a few recent ones are left past their deadlines
and the deadline job is run once, so the supervisor queue has work."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.errors import ComplaintError
from complaints.models import Category, Channel, Complaint, Grade, Remedy
from complaints.services import (
    complaint_create,
    complaint_transition,
    deadlines_process,
    remedy_propose,
)
from core.notifications import notifications_muted
from core.roles import Role
from customers.models import Order

S = Complaint.Status
PATHS = {
    S.RECEIVED: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.INVESTIGATING: [S.ACKNOWLEDGED, S.INVESTIGATING],
    S.AWAITING_CUSTOMER: [S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER],
    S.RESOLUTION_PROPOSED: [S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLUTION_PROPOSED],
    S.APPROVED: [S.ACKNOWLEDGED, S.INVESTIGATING, "big_remedy", S.RESOLUTION_PROPOSED, S.APPROVED],
    S.RESOLVED: [S.ACKNOWLEDGED, S.INVESTIGATING, "remedy", S.RESOLUTION_PROPOSED, S.RESOLVED],
    S.FOLLOW_UP: [S.ACKNOWLEDGED, S.INVESTIGATING, "remedy", S.RESOLUTION_PROPOSED, S.RESOLVED, S.FOLLOW_UP],
    S.CLOSED: [S.ACKNOWLEDGED, S.INVESTIGATING, "remedy", S.RESOLUTION_PROPOSED, S.RESOLVED, S.FOLLOW_UP,
               S.CLOSED],
    S.NOT_UPHELD: [S.ACKNOWLEDGED, S.INVESTIGATING, S.NOT_UPHELD],
}
CONTENT = {
    "driver_attitude": ["司机态度恶劣,言语不文明。", "司机全程抱怨路线,服务态度差。"],
    "unsafe_driving": ["司机开车时接打电话,多次急刹。", "司机超速行驶,在高架上频繁变道。"],
    "vehicle_damage": ["下车后发现车辆右后视镜有新刮痕。", "倒车入库时碰到立柱,保险杠受损。"],
    "detour_fee": ["司机绕路,比平时多收了四十多元。", "等候费计算有误,多扣了三十元。"],
    "late_no_show": ["司机迟到四十分钟,电话不接。", "预约时间到了司机没有出现。"],
    "trip_abandoned": ["行驶途中司机以有急事为由中途离开。"],
    "lost_property": ["手机遗落在车上,联系司机未果。"],
    "app_problem": ["App 下单后重复扣款。", "优惠券无法使用。"],
    "other": ["司机身上烟味很重。"],
}
CAUSES = ["司机未按导航行驶", "司机服务意识不足", "调度派单距离过远", "平台计价规则异常", "客户误解计费规则",
          "交通管制导致延误"]
RESPONSIBILITIES = ["driver", "driver", "driver", "dispatch", "platform", "customer", "none", "agent"]


@contextmanager
def _clock(start: dt.datetime):
    """Set the services' clock to ``start``; ``tick(hours)`` moves it on."""
    now = [start]

    def tick(hours: float):
        now[0] = now[0] + dt.timedelta(hours=hours)

    with mock.patch("django.utils.timezone.now", new=lambda: now[0]):
        yield tick


def seed(*, rng: random.Random, stdout=None, closed_history: int = 120) -> dict[str, int]:
    def say(msg):
        if stdout is not None:
            stdout.write(msg)

    User = get_user_model()

    def staff(role):
        user = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
        return user or User.objects.filter(is_superuser=True).first()

    agent, supervisor, gm = staff(Role.CS_AGENT), staff(Role.CS_SUPERVISOR), staff(Role.GENERAL_MANAGER)
    orders = list(Order.objects.filter(status=Order.Status.COMPLETED, driver__isnull=False,
                                       finished_at__isnull=False)
                  .select_related("customer", "driver", "platform").order_by("finished_at"))
    finished = [o.finished_at for o in orders]
    if not orders or agent is None:
        say("complaints demo: no orders or staff; skipped")
        return {}
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    plain = sorted((c for c in categories.values() if c.min_grade_id is None), key=lambda c: (c.position, c.pk))
    grades = list(Grade.objects.order_by("rank"))
    real_now = timezone.now()
    made = 0

    def take(*, grade, target, received_at, category=None, channel=Channel.HOTLINE):
        nonlocal made
        # An order finished before the complaint (among the 300 latest such orders).
        before = bisect.bisect_right(finished, received_at)
        order = orders[rng.randrange(max(0, before - 300), before)] if before else None
        customer = None if order else rng.choice(orders).customer
        category = category or rng.choice(plain)
        intake = dict(channel=channel, category=category, order=order, customer=customer, actor=agent,
                      content=rng.choice(CONTENT.get(category.code, CONTENT["other"])),
                      demand=rng.choice(["道歉", "退还多收费用", "赔偿", "处理司机", ""]),
                      occurred_at=order.finished_at if order else None, received_at=received_at)
        with _clock(received_at) as tick:
            try:
                complaint = complaint_create(grade=grade, **intake)
            except ComplaintError:  # the rules ask for more than this grade (e.g. a repeat customer)
                complaint = complaint_create(**intake)
            fields = dict(cause=rng.choice(CAUSES), responsibility=rng.choice(RESPONSIBILITIES),
                          resolution_measures="向客户致歉并说明处理结果", customer_informed_by="电话")
            for step in PATHS[target]:
                tick(rng.uniform(1, 20))
                if step == "remedy":
                    remedy_propose(complaint=complaint, kind=rng.choice([Remedy.Kind.APOLOGY,
                                                                         Remedy.Kind.FREE_RIDE_COUPON,
                                                                         Remedy.Kind.COMPENSATION]),
                                   amount=Decimal(rng.choice([30, 50, 88, 120])), actor=agent)
                elif step == "big_remedy":
                    remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION,
                                   amount=Decimal(rng.choice([600, 800, 1500])), actor=agent, note="车辆维修费用")
                elif step == S.NOT_UPHELD:
                    complaint_transition(complaint=complaint, to_status=step, actor=supervisor,
                                         note="行程轨迹与计费记录无异常")
                elif step == S.APPROVED:
                    complaint_transition(complaint=complaint, to_status=step, actor=gm, note="同意赔偿")
                else:
                    complaint = complaint_transition(
                        complaint=complaint, to_status=step, actor=agent,
                        note="等待客户提供照片" if step == S.AWAITING_CUSTOMER else "", **fields)
        made += 1
        return complaint

    with notifications_muted():
        # Every grade in every status, recent and within their deadlines; the categories taken in turn,
        # so the routing rules send open complaints to every role (after-sales included).
        turn = 0
        for grade in grades:
            for target in PATHS:
                turn += 1
                take(grade=grade, target=target, category=plain[turn % len(plain)],
                     received_at=real_now - dt.timedelta(hours=rng.uniform(1, 6)))
        _merged_duplicate(supervisor=supervisor, agent=agent, now=real_now)
        # Months of closed (and some not upheld) complaints for the analysis and its trend.
        for _ in range(closed_history):
            days_ago = rng.uniform(20, 180)
            target = S.CLOSED if rng.random() < 0.85 else S.NOT_UPHELD
            code = rng.choice(list(categories))
            take(grade=None, target=target, received_at=real_now - dt.timedelta(days=days_ago),
                 category=categories[code],
                 channel=rng.choice([Channel.HOTLINE] * 5 + [Channel.ONLINE_FORM, Channel.PLATFORM,
                                                             Channel.HOTLINE_400, Channel.SOCIAL_MEDIA]))
        # Recent ones left past their deadlines: the hourly job flags and escalates them.
        for target in (S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLUTION_PROPOSED, S.FOLLOW_UP):
            for _ in range(3):
                take(grade=grades[0], target=target, received_at=real_now - dt.timedelta(days=rng.uniform(2, 17)))
        counts = deadlines_process()
    from complaints.demo_analysis import seed_analysis

    seed_analysis(stdout)  # no random draws
    say(f"complaints: {made} complaints; deadline job: "
        + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return {"complaints": made, **counts}


def _merged_duplicate(*, supervisor, agent, now) -> None:
    """A customer who called twice about the same ride: the second complaint merged into the first."""
    from complaints.casework import complaint_merge

    first = (Complaint.objects.filter(status=S.ACKNOWLEDGED, customer__isnull=False, order__isnull=False)
             .select_related("customer", "order", "category").order_by("pk").first())
    if first is None or supervisor is None:
        return
    with _clock(now - dt.timedelta(minutes=30)):
        second = complaint_create(channel=Channel.HOTLINE, category=first.category, order=first.order,
                                  customer=first.customer, content=first.content, actor=agent)
    try:
        complaint_merge(survivor=first, duplicate=second, actor=supervisor, note="客户重复来电")
    except ComplaintError:
        pass  # a demo without the merge permission keeps both
